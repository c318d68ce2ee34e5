"""An ESC/POS interpreter that draws what a thermal printer would print, as a PNG.

It reads the bytes the simulated printer captured (`SimulatedPrinterTransport.printed`) and draws
them the way an Epson TM-class printer at 203 dpi does: font A 12 x 24 and font B 9 x 17 dot cells,
bold, width/height multipliers (`GS !`, `ESC !`), alignment (`ESC a`), inverse (`GS B`), underline,
the code page set by `ESC t`, raster images (`GS v 0`), native QR (`GS ( k`, drawn with segno), feeds
(`LF`, `ESC d`, `ESC J`) and cuts (`GS V`, drawn as a dashed line with scissors; `GS V 65/66 n` first feeds
the paper to the cutter, `CUTTER_FEED_DOTS`, as a printer does). `printed_length_mm` measures the paper
from the top to the cut in the PNG.

Anything it does not understand is listed in `Rendering.unknown` rather than skipped silently, so a
test can insist that every byte we send means something.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw, ImageFont

CELL = {"a": (12, 24), "b": (9, 17)}
FONT_SIZE = {"a": 20, "b": 15}
LINE_PITCH = 30  # ESC 2 default: about 1/6 inch at 203 dpi
MARGIN = 16
BORDER = 4  # grey around the paper in the PNG
DOTS_PER_MM = 8  # 203 dpi
# `GS V 65/66 n` feeds to the cutting position first: the distance from the print head to the cutter
# (about 15 mm on an Epson TM-T88III; it varies by model) is blank paper on every ticket.
CUTTER_FEED_DOTS = 120
CUT_ROW = 28
_QR_LEVELS = {48: "L", 49: "M", 50: "Q", 51: "H"}


@lru_cache(maxsize=4)
def _font(font: str, bold: bool) -> Any:
    name = "DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf"
    for candidate in (name, f"/usr/share/fonts/truetype/dejavu/{name}"):
        try:
            return ImageFont.truetype(candidate, FONT_SIZE[font])
        except OSError:
            continue
    return ImageFont.load_default(FONT_SIZE[font])


@lru_cache(maxsize=4096)
def _glyph(ch: str, font: str, bold: bool) -> Image.Image:
    w, h = CELL[font]
    cell = Image.new("L", (w, h), 0)
    ImageDraw.Draw(cell).text((0, 0), ch, fill=255, font=_font(font, bold))
    return cell  # 255 = ink


@dataclass
class _Style:
    font: str = "a"
    bold: bool = False
    underline: bool = False
    width: int = 1
    height: int = 1
    invert: bool = False
    align: int = 0  # 0 left, 1 centre, 2 right


@dataclass
class Rendering:
    image: Image.Image
    lines: list[str] = field(default_factory=list)  # the text of every printed line
    cuts: int = 0
    qr_data: list[str] = field(default_factory=list)  # native QR payloads
    raster_images: int = 0
    unknown: list[str] = field(default_factory=list)

    @property
    def length_mm(self) -> float:
        return printed_length_mm(self.image)

    def save(self, path: Any) -> None:
        self.image.save(path, format="PNG")


class _Interpreter:
    def __init__(self, width_dots: int, code_pages: dict[str, str]) -> None:
        self.width = width_dots
        self.code_pages = code_pages
        self.rows: list[Image.Image] = []
        self.out = Rendering(image=Image.new("L", (1, 1)))
        self.reset()

    def reset(self) -> None:
        self.style = _Style()
        self.encoding = "cp437"
        self.pitch = LINE_PITCH
        self.line: list[tuple[str, _Style]] = []
        self.line_w = 0
        self.qr = {"size": 3, "level": "L", "data": b""}

    # --- printing ---

    def char(self, ch: str) -> None:
        w = CELL[self.style.font][0] * self.style.width
        if self.line_w + w > self.width:
            self.flush()
        self.line.append((ch, _Style(**vars(self.style))))
        self.line_w += w

    def flush(self, feed: bool = True) -> None:
        """Print the line buffer (LF semantics). An empty buffer just feeds one line."""
        if not self.line:
            if feed:
                self.rows.append(Image.new("L", (self.width, self.pitch), 255))
            return
        height = max(CELL[s.font][1] * s.height for _, s in self.line)
        row = Image.new("L", (self.width, max(self.pitch, height + 6)), 255)
        x = {0: 0, 1: (self.width - self.line_w) // 2, 2: self.width - self.line_w}[self.line[0][1].align]
        for ch, s in self.line:
            cw, chh = CELL[s.font]
            glyph = _glyph(ch, s.font, s.bold)
            if (s.width, s.height) != (1, 1):
                glyph = glyph.resize((cw * s.width, chh * s.height), Image.NEAREST)
            box = Image.new("L", glyph.size, 0 if s.invert else 255)
            box.paste(255 if s.invert else 0, (0, 0), glyph)
            if s.underline:
                ImageDraw.Draw(box).line([(0, glyph.height - 2), (glyph.width, glyph.height - 2)], fill=0, width=2)
            row.paste(box, (x, height - glyph.height))
            x += glyph.width
        self.rows.append(row)
        self.out.lines.append("".join(ch for ch, _ in self.line).rstrip())
        self.line, self.line_w = [], 0

    def feed_dots(self, dots: int) -> None:
        if self.line:
            self.flush()
            dots = max(0, dots - self.pitch)
        if dots:
            self.rows.append(Image.new("L", (self.width, dots), 255))

    def picture(self, img: Image.Image) -> None:
        """A bitmap at the current alignment, as wide as it is (cropped to the paper)."""
        self.flush(feed=False)
        img = img.convert("L").crop((0, 0, min(img.width, self.width), img.height))
        row = Image.new("L", (self.width, img.height), 255)
        x = {0: 0, 1: (self.width - img.width) // 2, 2: self.width - img.width}[self.style.align]
        row.paste(img, (x, 0))
        self.rows.append(row)

    def cut(self) -> None:
        self.flush(feed=False)
        row = Image.new("L", (self.width, CUT_ROW), 255)
        d = ImageDraw.Draw(row)
        for x in range(0, self.width, 12):
            d.line([(x, 14), (x + 6, 14)], fill=0, width=1)
        d.text((4, 2), "8<", fill=0, font=_font("b", False))
        self.rows.append(row)
        self.out.cuts += 1

    # --- decoding ---

    def run(self, data: bytes) -> None:  # noqa: C901 - one dispatch table in code form
        i, n = 0, len(data)

        def arg(k: int) -> int:
            return data[i + k] if i + k < n else 0

        while i < n:
            b = data[i]
            if b == 0x0A:
                self.flush()
                i += 1
            elif b == 0x0D:
                i += 1
            elif b == 0x09:
                for _ in range(8 - (len(self.line) % 8)):
                    self.char(" ")
                i += 1
            elif b == 0x1B:
                i = self._esc(data, i, arg)
            elif b == 0x1D:
                i = self._gs(data, i, arg)
            elif b == 0x10 and arg(1) == 0x04:  # DLE EOT n: a status query, prints nothing
                i += 3
            elif b < 0x20:
                self.out.unknown.append(f"control 0x{b:02x} at {i}")
                i += 1
            else:
                self.char(bytes([b]).decode(self.encoding, errors="replace"))
                i += 1
        self.flush(feed=False)

    def _esc(self, data: bytes, i: int, arg) -> int:
        c = arg(1)
        s = self.style
        if c == 0x40:  # ESC @
            self.flush(feed=False)
            self.reset()
            return i + 2
        if c == 0x21:  # ESC ! n
            m = arg(2)
            s.font, s.bold = ("b" if m & 1 else "a"), bool(m & 8)
            s.height, s.width, s.underline = (2 if m & 0x10 else 1), (2 if m & 0x20 else 1), bool(m & 0x80)
            return i + 3
        simple = {0x45: "bold", 0x47: "bold", 0x2D: "underline"}
        if c in simple:
            setattr(s, simple[c], bool(arg(2) & 1 if c != 0x2D else arg(2) & 3))
            return i + 3
        if c == 0x4D:  # ESC M n
            s.font = "b" if arg(2) in (1, 49) else "a"
            return i + 3
        if c == 0x61:  # ESC a n
            s.align = {48: 0, 49: 1, 50: 2}.get(arg(2), arg(2) if arg(2) in (0, 1, 2) else 0)
            return i + 3
        if c == 0x74:  # ESC t n
            name = self.code_pages.get(str(arg(2)), "")
            self.encoding = name.lower().replace("_", "-") if name else "cp437"
            try:
                "".encode(self.encoding)
            except LookupError:
                self.out.unknown.append(f"code page {name or arg(2)}")
                self.encoding = "cp437"
            return i + 3
        if c == 0x64:  # ESC d n: print and feed n lines
            self.flush()
            for _ in range(max(0, arg(2) - 1)):
                self.flush()
            return i + 3
        if c == 0x4A:  # ESC J n: print and feed n dots
            self.feed_dots(arg(2))
            return i + 3
        if c == 0x32:  # ESC 2
            self.pitch = LINE_PITCH
            return i + 2
        if c == 0x33:  # ESC 3 n
            self.pitch = max(1, arg(2))
            return i + 3
        if c in (0x7B, 0x56, 0x20, 0x52):  # upside-down, rotate, char spacing, intl set: no effect here
            return i + 3
        if c == 0x63 and arg(2) == 0x35:  # ESC c 5 n panel buttons
            return i + 4
        if c == 0x70:  # ESC p m t1 t2 cash drawer
            return i + 5
        self.out.unknown.append(f"ESC 0x{c:02x} at {i}")
        return i + 2

    def _gs(self, data: bytes, i: int, arg) -> int:
        c = arg(1)
        s = self.style
        if c == 0x21:  # GS ! n
            m = arg(2)
            s.width, s.height = (m >> 4) + 1, (m & 0x0F) + 1
            return i + 3
        if c == 0x42:  # GS B n
            s.invert = bool(arg(2) & 1)
            return i + 3
        if c == 0x56:  # GS V m [n]
            m = arg(2)
            if m in (65, 66):
                self.feed_dots(CUTTER_FEED_DOTS + arg(3))
                self.cut()
                return i + 4
            self.cut()
            return i + 3
        if c == 0x76 and arg(2) == 0x30:  # GS v 0 m xL xH yL yH d...
            m, xb, h = arg(3), arg(4) | arg(5) << 8, arg(6) | arg(7) << 8
            raw = data[i + 8 : i + 8 + xb * h]
            img = Image.frombytes("1", (xb * 8, h), bytes(raw).ljust(xb * h, b"\0"))
            img = Image.eval(img.convert("L"), lambda v: 255 - v)  # 1 bits are ink
            if m & 1:
                img = img.resize((img.width * 2, img.height), Image.NEAREST)
            if m & 2:
                img = img.resize((img.width, img.height * 2), Image.NEAREST)
            self.picture(img)
            self.out.raster_images += 1
            return i + 8 + xb * h
        if c == 0x28 and arg(2) == 0x6B:  # GS ( k pL pH cn fn ...
            length = arg(3) | arg(4) << 8
            body = data[i + 5 : i + 5 + length]
            self._qr(body, i)
            return i + 5 + length
        if c in (0x62, 0x61, 0x49, 0x4C, 0x57):  # smoothing, ASB, printer id, margins: nothing to draw
            return i + (5 if c in (0x4C, 0x57) else 3)
        self.out.unknown.append(f"GS 0x{c:02x} at {i}")
        return i + 2

    def _qr(self, body: bytes, at: int) -> None:
        if len(body) < 2 or body[0] != 49:
            self.out.unknown.append(f"GS ( k symbol {body[:1].hex()} at {at}")
            return
        fn = body[1]
        if fn == 65:
            return
        if fn == 67:
            self.qr["size"] = body[2] if len(body) > 2 else 3
        elif fn == 69:
            self.qr["level"] = _QR_LEVELS.get(body[2] if len(body) > 2 else 48, "L")
        elif fn == 80:
            self.qr["data"] = bytes(body[3:])
        elif fn == 81:
            import segno  # only a ticket with a native QR needs it

            text = self.qr["data"].decode("utf-8", errors="replace")
            code = segno.make(text, error=self.qr["level"], micro=False, boost_error=False)
            size = self.qr["size"]
            modules = code.symbol_size(scale=1, border=0)[0]
            img = Image.new("L", (modules * size, modules * size), 255)
            draw = ImageDraw.Draw(img)
            for r, row in enumerate(code.matrix_iter(scale=1, border=0)):
                for col, dark in enumerate(row):
                    if dark:
                        draw.rectangle([col * size, r * size, col * size + size - 1, r * size + size - 1], fill=0)
            self.picture(img)
            self.out.qr_data.append(text)
        else:
            self.out.unknown.append(f"GS ( k fn {fn} at {at}")


def render(data: bytes, *, width_dots: int = 576, profile: str = "TM-T20II") -> Rendering:
    """Draw the printed paper for `data`. The PNG has a grey margin around the white paper."""
    from escpos.capabilities import get_profile

    interp = _Interpreter(width_dots, dict(get_profile(profile).codePages))
    interp.run(data)
    height = sum(r.height for r in interp.rows) or 1
    paper = Image.new("L", (width_dots + 2 * MARGIN, height + 2 * MARGIN), 255)
    y = MARGIN
    for row in interp.rows:
        paper.paste(row, (MARGIN, y))
        y += row.height
    canvas = Image.new("L", (paper.width + 2 * BORDER, paper.height + 2 * BORDER), 200)
    canvas.paste(paper, (BORDER, BORDER))
    interp.out.image = canvas
    return interp.out


def printed_length_mm(png: Any) -> float:
    """The paper's length in a PNG made by `render` (a path or an image): from the top of the first printed
    row to the cut line, in millimetres at 8 dots per mm (the white margin and grey border are not paper)."""
    img = png if isinstance(png, Image.Image) else Image.open(png)
    gray = img.convert("L")
    if gray.getpixel((0, 0)) != 200 or gray.getpixel((BORDER, BORDER)) != 255:
        raise ValueError("not a rendering of escpos_render.render (grey border, white paper)")
    paper = gray.height - 2 * (BORDER + MARGIN)
    cut = _last_cut_row(gray)
    dots = paper if cut is None else cut - (BORDER + MARGIN) + 1
    return dots / DOTS_PER_MM


def _last_cut_row(gray: Any) -> int | None:
    """The y of the last dashed cut line (ink every other 6 dots across the paper), or None."""
    left, right = BORDER + MARGIN, gray.width - BORDER - MARGIN
    for y in range(gray.height - BORDER - MARGIN - 1, BORDER + MARGIN, -1):
        row = [gray.getpixel((x, y)) for x in range(left + 60, right - 12, 12)]
        if row and all(v < 128 for v in row):
            return y
    return None
