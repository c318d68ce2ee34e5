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
    # Sizes in pixels at the reference 1280x800 screen; touch targets at least 60 px.
    touch: int = 76
    pad: int = 24
    radius: int = 16
    font_title: int = 46
    font_heading: int = 34
    font_body: int = 26
    font_button: int = 30
    font_small: int = 20
    header_height: int = 84

    def scaled(self, factor: float) -> Theme:
        return replace(
            self,
            touch=round(self.touch * factor),
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
        )


def make_theme(*, large_text: bool, high_contrast: bool) -> Theme:
    theme = Theme()
    if large_text:
        theme = theme.scaled(1.3)
    if high_contrast:
        theme = theme.high_contrast()
    return theme
