"""The physical size of the kiosk's panel, so that targets and text have a size in millimetres on every screen.

`ui.display` in the config says how big the panel is: "auto" (the panel's EDID under /sys/class/drm, else
the usual panel for the resolution), a diagonal such as "7in" or "21.5in", or a density such as "133dpi".
From it come the pixels per millimetre the theme turns its millimetres into, and Kivy's `dp` (1/160 inch).
Pure functions apart from reading /sys; no Kivy here.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

MM_PER_INCH = 25.4
DRM_DIR = Path("/sys/class/drm")

# The smallest panel commonly sold for a resolution: assuming it keeps every size at or above its minimum
# on a larger panel of the same resolution (a larger panel only makes things bigger).
USUAL_DIAGONAL_IN = {
    (800, 480): 7.0,  # the official Raspberry Pi touch display
    (1024, 600): 7.0,
    (1280, 720): 10.1,
    (1280, 800): 10.1,
    (1366, 768): 15.6,
    (1920, 1080): 21.5,
    (1920, 1200): 15.6,
}
SETTING = re.compile(r"^(auto|\d{1,3}(\.\d{1,2})?(in|dpi))$")

# A layout for small panels (shorter header, scrolling text) up to this size (long side x short side).
COMPACT_MAX = (1024, 600)


@dataclass(frozen=True)
class Display:
    width: int
    height: int
    px_per_mm: float
    source: str  # where the size came from: "config", "edid", "usual" (the resolution's usual panel)

    @property
    def dpi(self) -> float:
        return self.px_per_mm * MM_PER_INCH

    @property
    def portrait(self) -> bool:
        return self.height > self.width

    @property
    def compact(self) -> bool:
        long_side, short_side = max(self.width, self.height), min(self.width, self.height)
        return long_side <= COMPACT_MAX[0] or short_side <= COMPACT_MAX[1]

    @property
    def size_mm(self) -> tuple[float, float]:
        return self.width / self.px_per_mm, self.height / self.px_per_mm

    def px(self, mm: float) -> int:
        return max(1, round(mm * self.px_per_mm))


def usual_diagonal_in(width: int, height: int) -> float:
    """The diagonal of the usual panel for this resolution, either way round; else one of about 110 dpi."""
    key = (max(width, height), min(width, height))
    if key in USUAL_DIAGONAL_IN:
        return USUAL_DIAGONAL_IN[key]
    return math.hypot(width, height) / 110.0


def from_diagonal(width: int, height: int, diagonal_in: float, source: str) -> Display:
    px_per_mm = math.hypot(width, height) / (diagonal_in * MM_PER_INCH)
    return Display(width, height, px_per_mm, source)


def edid_density(edid: bytes) -> float | None:
    """Pixels per millimetre of the panel's native mode, from an EDID block's first detailed timing."""
    if len(edid) < 128 or edid[:8] != b"\x00\xff\xff\xff\xff\xff\xff\x00":
        return None
    dtd = edid[54:72]
    if not (dtd[0] or dtd[1]):  # not a detailed timing descriptor (pixel clock zero)
        return None
    w_px = dtd[2] | ((dtd[4] & 0xF0) << 4)
    h_px = dtd[5] | ((dtd[7] & 0xF0) << 4)
    w_mm = dtd[12] | ((dtd[14] & 0xF0) << 4)
    h_mm = dtd[13] | ((dtd[14] & 0x0F) << 8)
    if w_mm < 50 or h_mm < 30:  # a projector or a panel that does not say
        w_mm, h_mm = edid[21] * 10, edid[22] * 10
    if w_mm < 50 or h_mm < 30 or not (w_px and h_px):
        return None
    return math.hypot(w_px, h_px) / math.hypot(w_mm, h_mm)


def edid_display(width: int, height: int, drm_dir: Path = DRM_DIR) -> Display | None:
    """The connected panel's density from its EDID (the first connected output that tells it)."""
    try:
        outputs = sorted(drm_dir.glob("card*-*"))
    except OSError:
        return None
    for out in outputs:
        try:
            if (out / "status").read_text().strip() != "connected":
                continue
            density = edid_density((out / "edid").read_bytes())
        except OSError:
            continue
        if density is not None:
            return Display(width, height, density, "edid")
    return None


def resolve(setting: str, width: int, height: int, drm_dir: Path = DRM_DIR) -> Display:
    """The display for the config setting and the window's size in pixels."""
    setting = setting.strip().lower()
    if setting.endswith("dpi"):
        return Display(width, height, float(setting[:-3]) / MM_PER_INCH, "config")
    if setting.endswith("in"):
        return from_diagonal(width, height, float(setting[:-2]), "config")
    found = edid_display(width, height, drm_dir)
    if found is not None:
        return found
    return from_diagonal(width, height, usual_diagonal_in(width, height), "usual")
