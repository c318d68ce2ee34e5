"""Theme values (colours, sizes, fonts) in one place; .kv files refer to `app.theme`."""
from __future__ import annotations

from dataclasses import dataclass, replace

Rgba = tuple[float, float, float, float]


def hex_rgba(value: str, alpha: float = 1.0) -> Rgba:
    value = value.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


@dataclass(frozen=True)
class Theme:
    # Kejaksaan green and gold; text contrast >= 7:1 on the background (WCAG AAA) for reading at 1 m.
    primary: Rgba = hex_rgba("#0B5D1E")
    primary_dark: Rgba = hex_rgba("#063D13")
    accent: Rgba = hex_rgba("#C9A227")
    background: Rgba = hex_rgba("#F7F5EE")
    surface: Rgba = hex_rgba("#FFFFFF")
    text: Rgba = hex_rgba("#111111")
    text_muted: Rgba = hex_rgba("#4A4A4A")
    text_on_primary: Rgba = hex_rgba("#FFFFFF")
    toggle_active_text: Rgba = hex_rgba("#063D13")
    ok: Rgba = hex_rgba("#1B7F2A")
    danger: Rgba = hex_rgba("#B3261E")
    warning: Rgba = hex_rgba("#8A5A00")
    # Sizes in pixels, made from millimetres on the kiosk's panel by `make_theme` (these defaults: a 10.1" 1280x800).
    touch: int = 71  # height of a button: at least MIN_TARGET_MM
    key: int = 56  # side of an on-screen key
    pad: int = 24
    radius: int = 15
    font_title: int = 58
    font_heading: int = 50
    font_body: int = 43
    font_button: int = 45
    font_small: int = 41
    font_chrome: int = 41  # header and toggles: the smallest readable size, not enlarged by "Aa"
    header_height: int = 88
    mm: float = 5.88  # pixels per millimetre: .kv files size the rest with `app.theme.mm * N`
    compact: bool = False  # a small panel (<= 1024x600): shorter header, scrolling text
    portrait: bool = False  # taller than wide: camera above, actions and toggles in the lower part
    large: bool = False  # "Aa" is on

    def scaled(self, factor: float) -> Theme:
        return replace(
            self,
            large=factor > 1,
            touch=round(self.touch * min(factor, 1.15)),
            font_title=round(self.font_title * factor),
            font_heading=round(self.font_heading * factor),
            font_body=round(self.font_body * factor),
            font_button=round(self.font_button * factor),
            font_small=round(self.font_small * factor),
        )

    def high_contrast(self) -> Theme:
        return replace(
            self,
            # Yellow on black: the classic high-contrast pair (contrast ratio about 15:1).
            primary=hex_rgba("#FFD400"),
            primary_dark=hex_rgba("#BFA000"),
            accent=hex_rgba("#FFFFFF"),
            background=hex_rgba("#000000"),
            surface=hex_rgba("#000000"),
            text=hex_rgba("#FFFFFF"),
            text_muted=hex_rgba("#FFFFFF"),
            text_on_primary=hex_rgba("#000000"),
            toggle_active_text=hex_rgba("#000000"),
            # Light states: readable as text on black (ratio 7:1 or more) and as a background under black text
            # (the gate's verdict); the dark green, brown and red of the normal theme were 3-4:1 on black.
            ok=hex_rgba("#66FF66"),
            danger=hex_rgba("#FF6666"),
            warning=hex_rgba("#FFB84D"),
        )


# Targets and text, in millimetres on the panel. Cap height 5 mm is what is read at 1 m; Roboto's capitals
# are 0.711 of its font size.
MIN_TARGET_MM = 9.0
MIN_CAP_MM = 5.0
# The header's office name, clock and toggles on a small panel: read at arm's length, not at 1 m.
MIN_CHROME_CAP_MM = 4.0
CAP_RATIO = 0.711
LARGE_TEXT_FACTOR = 1.45
LARGE_TEXT_FACTOR_COMPACT = 1.3


def make_theme(*, large_text: bool, high_contrast: bool, display=None) -> Theme:
    """The theme for a panel (`kiosk.ui.display.Display`; None: the 10.1" 1280x800 of the defaults)."""
    theme = Theme()
    if display is not None:
        compact = display.compact
        factor = (LARGE_TEXT_FACTOR_COMPACT if compact else LARGE_TEXT_FACTOR) if large_text else 1.0

        def font(cap_mm: float) -> int:
            return display.px(cap_mm * factor / CAP_RATIO)

        theme = replace(
            theme,
            mm=display.px_per_mm,
            compact=compact,
            portrait=display.portrait,
            large=large_text,
            touch=display.px((10.0 if compact else 12.0) * (1.15 if large_text else 1.0)),
            key=display.px(9.2 if compact else 10.0),
            pad=display.px(2.5 if compact else 4.0),
            radius=display.px(2.5),
            font_small=font(MIN_CAP_MM),
            font_chrome=display.px((MIN_CHROME_CAP_MM if compact else MIN_CAP_MM) / CAP_RATIO),
            font_body=font(MIN_CAP_MM if compact else 5.3),
            font_button=font(MIN_CAP_MM if compact else 5.5),
            # On a small panel "Aa" leaves the titles as they are (already above the body's size): the room
            # goes to the body text and the keys.
            font_heading=display.px(5.4 / CAP_RATIO) if compact else font(6.3),
            font_title=display.px(6.0 / CAP_RATIO) if compact else font(7.8),
            header_height=display.px(12.0 if compact else 16.0),
        )
    elif large_text:
        theme = theme.scaled(LARGE_TEXT_FACTOR)
    if high_contrast:
        theme = theme.high_contrast()
    return theme
