"""A contact sheet of the layout test's screenshots: one row per panel size, the same screens in each row.

    python tools/contact_sheet.py test-artifacts/layout assets/docs/layout-contact-sheet.png
"""
from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZES = ["800x480", "1024x600", "1280x800", "1920x1080", "1080x1920"]
SCREENS = ["welcome", "consent", "confirm", "host", "gate-waiting-host", "survey-question-large-contrast-en",
           "survey-profile-typing"]
ROW_HEIGHT = 260


def main(argv: list[str]) -> int:
    src, dest = Path(argv[0]), Path(argv[1])
    rows = []
    for size in SIZES:
        shots = [src / size / f"{name}.png" for name in SCREENS]
        shots = [Image.open(p).convert("RGB") for p in shots if p.exists()]
        if not shots:
            continue
        scaled = [im.resize((round(im.width * ROW_HEIGHT / im.height), ROW_HEIGHT)) for im in shots]
        rows.append((size, scaled))
    if not rows:
        print(f"no screenshots under {src}", file=sys.stderr)
        return 2
    label_w, gap = 150, 10
    width = label_w + max(sum(im.width + gap for im in row) for _, row in rows)
    sheet = Image.new("RGB", (width, len(rows) * (ROW_HEIGHT + gap) + gap), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=22) if hasattr(ImageFont, "load_default") else None
    y = gap
    for size, row in rows:
        draw.text((10, y + ROW_HEIGHT // 2 - 12), size, fill="black", font=font)
        x = label_w
        for im in row:
            sheet.paste(im, (x, y))
            x += im.width + gap
        y += ROW_HEIGHT + gap
    dest.parent.mkdir(parents=True, exist_ok=True)
    # A palette of 256 colours: the screens are flat colours and text; a third of the size of full colour.
    sheet = sheet.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    sheet.save(dest, optimize=True)
    print(dest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
