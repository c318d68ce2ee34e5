"""What is wrong with a screen as it is drawn: text larger than its box, words split in the middle, text
drawn over other text, visible targets that overlap or are smaller than the minimum physical size, a
target whose touches a disabled (often hidden) widget takes, text smaller than the minimum cap height,
anything interactive outside the window, the hint of an empty one-line field wider than the field. Works on the live Kivy widget tree."""
from __future__ import annotations

from dataclasses import dataclass

from kivy.core.text import Label as CoreLabel
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.textinput import TextInput

from kiosk.ui.theme import CAP_RATIO, MIN_CAP_MM, MIN_CHROME_CAP_MM, MIN_TARGET_MM

TOLERANCE_PX = 2.0

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in window coordinates


@dataclass(frozen=True)
class Problem:
    kind: str
    what: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.what}"


def _rect(w) -> Rect:
    x0, y0 = w.to_window(w.x, w.y)
    return x0, y0, x0 + w.width, y0 + w.height


def _clip(a: Rect, b: Rect) -> Rect | None:
    r = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    return r if r[2] - r[0] > 0.5 and r[3] - r[1] > 0.5 else None


def _name(w) -> str:
    wid = next((k for p in _ancestors(w) for k, v in getattr(p, "ids", {}).items() if v is w), "")
    text = getattr(w, "text", "")
    text = text if isinstance(text, str) else ""
    short = text.replace("\n", " ")[:40]
    return f"{type(w).__name__}{'#' + wid if wid else ''}{' ' + repr(short) if short else ''}"


def _ancestors(w):
    p = w.parent
    while p is not None and p is not p.parent:
        yield p
        p = p.parent


def _visible(w, window_rect: Rect) -> Rect | None:
    """The part of `w` that is on screen, or None (hidden: zero opacity, no size, scrolled or clipped away)."""
    if w.opacity <= 0.01 or w.width < 1 or w.height < 1:
        return None
    area: Rect | None = _rect(w)
    for p in _ancestors(w):
        if getattr(p, "opacity", 1) <= 0.01:
            return None
        if isinstance(p, ScrollView) or (hasattr(p, "size") and (p.width < 1 or p.height < 1)):
            area = _clip(area, _rect(p)) if area else None
            if area is None:
                return None
    return _clip(area, window_rect) if area else None


def _interactive(w) -> bool:
    return isinstance(w, (ButtonBehavior, TextInput)) and not w.disabled


def _text_rect(lbl: Label) -> Rect:
    x0, y0, x1, y1 = _rect(lbl)
    tw, th = lbl.texture_size
    if lbl.halign in ("left", "auto"):
        tx = x0
    elif lbl.halign == "right":
        tx = x1 - tw
    else:
        tx = (x0 + x1 - tw) / 2
    ty = y1 - th if lbl.valign == "top" else y0 if lbl.valign == "bottom" else (y0 + y1 - th) / 2
    return tx, ty, tx + tw, ty + th


_WORD_WIDTHS: dict[tuple[str, float, bool, str], float] = {}


def _word_width(word: str, font_size: float, bold: bool, font_name: str) -> float:
    key = (word, font_size, bold, font_name)
    if key not in _WORD_WIDTHS:
        core = CoreLabel(text=word, font_size=font_size, bold=bold, font_name=font_name)
        _WORD_WIDTHS[key] = core.get_extents(word)[0]
    return _WORD_WIDTHS[key]


def _widest_word(lbl: Label) -> tuple[str, float]:
    import re

    text = re.sub(r"\[/?[a-z]+(=[^\]]*)?\]", "", lbl.text) if lbl.markup else lbl.text
    words = [w for w in text.split() if w]
    if not words:
        return "", 0.0
    best = ("", 0.0)
    for word in set(words):
        width = _word_width(word, lbl.font_size, lbl.bold, lbl.font_name)
        if width > best[1]:
            best = (word, width)
    return best


def _inside(point: tuple[float, float], r: Rect) -> bool:
    return r[0] <= point[0] <= r[2] and r[1] <= point[1] <= r[3]


def _first_to_touch(w, point: tuple[float, float], target):
    """The widget a touch at `point` (window coordinates) stops at on its way to `target`, in Kivy's order
    (a widget, then its children from the last added): the target itself, or a disabled widget on the point
    (Kivy's Widget.on_touch_down swallows touches on a disabled widget's area, even a hidden one), or None.
    A ScrollView passes on only the touches inside it."""
    if w is target:
        return w
    if isinstance(w, ScrollView) and not _inside(point, _rect(w)):
        return None
    if w.disabled and _inside(point, _rect(w)) and w.width >= 1 and w.height >= 1:
        return w
    for child in w.children[:]:
        found = _first_to_touch(child, point, target)
        if found is not None:
            return found
    return None


def _in_chrome(w, chrome) -> bool:
    return any(p in chrome for p in _ancestors(w)) or w in chrome


def check_screen(root, window_size, px_per_mm: float, chrome=()) -> list[Problem]:
    """Every problem on the screen drawn under `root` (usually the app's root widget). Text in `chrome`
    (the header bars) may be down to MIN_CHROME_CAP_MM."""
    problems: list[Problem] = []
    window_rect: Rect = (0, 0, window_size[0], window_size[1])
    min_target = MIN_TARGET_MM * px_per_mm - 0.5
    min_font = MIN_CAP_MM / CAP_RATIO * px_per_mm - 1.0
    min_chrome_font = MIN_CHROME_CAP_MM / CAP_RATIO * px_per_mm - 1.0
    widgets = list(root.walk(restrict=True))
    targets: list[tuple[object, Rect]] = []
    texts: list[tuple[Label, Rect]] = []
    for w in widgets:
        area = _visible(w, window_rect)
        if area is None:
            continue
        if _interactive(w):
            targets.append((w, area))
            full = _rect(w)
            outside = full[0] < -TOLERANCE_PX or full[1] < -TOLERANCE_PX or (
                full[2] > window_size[0] + TOLERANCE_PX or full[3] > window_size[1] + TOLERANCE_PX)
            if outside and not any(isinstance(p, ScrollView) for p in _ancestors(w)):
                problems.append(Problem("outside the window", _name(w)))
            if min(w.width, w.height) < min_target:
                problems.append(Problem("target too small",
                                        f"{_name(w)} {w.width:.0f}x{w.height:.0f} px = "
                                        f"{w.width / px_per_mm:.1f}x{w.height / px_per_mm:.1f} mm"))
        if isinstance(w, TextInput) and not w.text and w.hint_text:
            # The hint of an empty field is cut at the field's edge (a single line) or below it (multiline).
            pad_x = w.padding[0] + w.padding[2]
            width = _word_width(str(w.hint_text), w.font_size, False, w.font_name)
            if not w.multiline and width > w.width - pad_x + TOLERANCE_PX:
                problems.append(Problem("hint cut in a field",
                                        f"{_name(w)} {str(w.hint_text)[:40]!r} {width:.0f} px in {w.width - pad_x:.0f}"))
        if isinstance(w, Label) and w.text.strip():
            texts.append((w, area))
            tw, th = w.texture_size
            pad_x, pad_y = (w.padding[0] + w.padding[2], w.padding[1] + w.padding[3]) if len(w.padding) == 4 else (0, 0)
            if tw > w.width + TOLERANCE_PX or th > w.height + TOLERANCE_PX:
                problems.append(Problem("text larger than its box",
                                        f"{_name(w)} text {tw:.0f}x{th:.0f} in {w.width:.0f}x{w.height:.0f}"))
            if w.text_size[0]:
                word, width = _widest_word(w)
                if width > w.text_size[0] - pad_x + TOLERANCE_PX:
                    problems.append(Problem("word split", f"{_name(w)} {word!r} {width:.0f} px in {w.text_size[0]:.0f}"))
            if w.font_size < (min_chrome_font if _in_chrome(w, chrome) else min_font):
                problems.append(Problem("text too small",
                                        f"{_name(w)} {w.font_size:.0f} px = cap {w.font_size * CAP_RATIO / px_per_mm:.1f} mm"))
    for i, (a, ra) in enumerate(targets):
        for b, rb in targets[i + 1:]:
            if a in b.walk(restrict=True) or b in a.walk(restrict=True):
                continue
            if _clip(ra, rb) is not None:
                problems.append(Problem("targets overlap", f"{_name(a)} and {_name(b)}"))
    for t, rt in targets:
        point = ((rt[0] + rt[2]) / 2, (rt[1] + rt[3]) / 2)
        taker = _first_to_touch(root, point, t)
        if taker is not None and taker is not t:
            problems.append(Problem("touch taken by a disabled widget", f"{_name(taker)} over {_name(t)}"))
    drawn = [(lbl, tr) for lbl, area in texts if (tr := _clip(_text_rect(lbl), area)) is not None]
    for i, (a, ra) in enumerate(drawn):
        for b, rb in drawn[i + 1:]:
            if a in b.walk(restrict=True) or b in a.walk(restrict=True):
                continue
            hit = _clip(ra, rb)
            if hit is not None and (hit[2] - hit[0]) > 3 and (hit[3] - hit[1]) > 3:
                problems.append(Problem("texts overlap", f"{_name(a)} and {_name(b)}"))
    for lbl, area in texts:
        tr = _clip(_text_rect(lbl), area)
        if tr is None:
            continue
        for t, rt in targets:
            if t is lbl or lbl in t.walk(restrict=True) or t in list(_ancestors(lbl)):
                continue
            hit = _clip(tr, rt)
            if hit is not None and (hit[2] - hit[0]) > 3 and (hit[3] - hit[1]) > 3:
                problems.append(Problem("text under a target", f"{_name(lbl)} under {_name(t)}"))
    return problems
