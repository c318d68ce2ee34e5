"""Ticket layout, pure: the gate pass (a compact badge or a long receipt) and a generic receipt as a list of
printable blocks for 58 or 80 mm paper.

No printer here. A `TicketDocument` says what goes on the paper, line by line (text already wrapped
to the paper's columns), and the driver (`kiosk/devices/printer.py`) turns it into ESC/POS bytes.
Widths follow the printers: 384 dots on 58 mm paper, 576 on 80 mm; font A is 12 x 24 dots (32 or
48 columns), font B 9 x 17 (42 or 64 columns). The QR's module size is chosen to fill about 2/3 of
the paper width and never above 8 dots (1 mm), the size gate scanners read best.

The badge (`pass_layout = "badge"`, the default) is the pass a guest wears: the photo and the QR side by
side in ONE raster image, the name large, then host, purpose, masked NIK, registration time and validity
in the small font at a tighter line pitch, cut without the library's six blank lines. Its length stays
within `BADGE_MAX_MM` (100 mm on 80 mm paper, 120 mm on 58 mm): every free text is capped in lines.
"""
from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import segno

from kiosk.domain.masking import mask_nik

Align = Literal["left", "center", "right"]
PassLayout = Literal["badge", "receipt"]
PASS_LAYOUTS = ("badge", "receipt")
PAPER_DOTS = {58: 384, 80: 576}
DOTS_PER_MM = 8  # 203 dpi
BADGE_MAX_MM = {384: 120, 576: 100}  # the badge's printed length limit (top to cut) per paper width
BADGE_QR_MODULE_DOTS = 5  # 0.625 mm modules: the 58 mm receipt's QR size, which the gate scanners read
BADGE_NAME_TALL_LINES = {384: 2, 576: 1}  # name lines printed at triple height within the length limit
WIDE_COLUMNS_B = 60  # font B columns from which a label and its value share one line
BADGE_LINE_DOTS = 24  # line pitch of the badge's small-font lines (the printer's default is about 30)
FONT_WIDTH = {"a": 12, "b": 9}
FONT_HEIGHT = {"a": 24, "b": 17}
QR_QUIET_MODULES = 4
QR_MAX_MODULE_DOTS = 8
MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
TZ_LABELS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


# --- blocks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """One printed line, already wrapped to fit."""

    text: str
    bold: bool = False
    width: int = 1  # character width multiplier 1..8
    height: int = 1  # character height multiplier 1..8
    align: Align = "left"
    font: Literal["a", "b"] = "a"
    invert: bool = False


@dataclass(frozen=True)
class Rule:
    char: str = "-"
    font: Literal["a", "b"] = "a"


@dataclass(frozen=True)
class QR:
    data: str
    module_dots: int
    version: int
    error: str = "M"
    align: Align = "center"


@dataclass(frozen=True)
class Image:
    """A 1-bit picture (PIL image, mode '1') no wider than the paper."""

    image: Any
    align: Align = "center"


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class Cut:
    partial: bool = False
    feed: bool = True  # False: `GS V 66 0`, the printer feeds only to its cutter (no six blank lines first)


Block = Text | Rule | QR | Image | Feed | Cut


@dataclass(frozen=True)
class TicketDocument:
    width_dots: int
    blocks: tuple[Block, ...]
    title: str = ""
    line_dots: int = 0  # line pitch in dots (`ESC 3 n`); 0 = the printer's default

    def columns(self, font: str = "a", width: int = 1) -> int:
        return columns(self.width_dots, font, width)

    def texts(self) -> list[str]:
        """Every text line, for tests and previews."""
        return [b.text for b in self.blocks if isinstance(b, Text)]


def columns(width_dots: int, font: str = "a", width: int = 1) -> int:
    return width_dots // (FONT_WIDTH[font] * width)


def paper_dots(paper_width_mm: int) -> int:
    return PAPER_DOTS[paper_width_mm]


# --- helpers ----------------------------------------------------------------------------------


class _Builder:
    def __init__(self, width_dots: int) -> None:
        self.width_dots = width_dots
        self.blocks: list[Block] = []

    def text(self, text: str, *, max_lines: int = 0, **style: Any) -> None:
        """`text` wrapped to the paper; with `max_lines`, cut to that many lines (the last ends in "...")."""
        font, width = style.get("font", "a"), style.get("width", 1)
        cols = columns(self.width_dots, font, width)
        for line in wrap(text, cols, max_lines):
            self.blocks.append(Text(line, **style))

    def fixed(self, text: str, **style: Any) -> None:
        """One line as it is (spaces kept: an inverted bar's padding), cut to the paper's columns."""
        cols = columns(self.width_dots, style.get("font", "a"), style.get("width", 1))
        self.blocks.append(Text(text[:cols], **style))

    def pair(self, label: str, value: str, *, bold: bool = False) -> None:
        """`label: value` in the small font on one line (cut with "..." on 80 mm paper); on narrower paper a
        pair that does not fit puts the label above the value (cut to one line)."""
        value = value or "-"
        cols = columns(self.width_dots, "b")
        if len(label) + 2 + len(value) <= cols or cols >= WIDE_COLUMNS_B:
            self.text(f"{label}: {value}", font="b", bold=bold, max_lines=1)
            return
        self.text(f"{label}:", font="b", max_lines=1)
        self.text(value, font="b", bold=bold, align="right", max_lines=1)

    def either(self, one_line: str, lines: Sequence[str], **style: Any) -> None:
        """`one_line` when it fits the paper, else `lines` (each wrapped)."""
        if len(one_line) <= columns(self.width_dots, style.get("font", "a"), style.get("width", 1)):
            self.blocks.append(Text(one_line, **style))
            return
        for line in lines:
            self.text(line, **style)

    def headline(self, text: str, **style: Any) -> None:
        """Big when it fits on one line at double width, else double height only."""
        width = 2 if len(text) <= columns(self.width_dots, "a", 2) else 1
        self.text(text, bold=True, width=width, height=2, align="center", **style)

    def rule(self, char: str = "-") -> None:
        self.blocks.append(Rule(char))

    def field(self, label: str, value: str, **style: Any) -> None:
        self.text(label, font="b")
        self.text(value or "-", bold=True, **style)

    def add(self, block: Block) -> None:
        self.blocks.append(block)


def wrap(text: str, cols: int, max_lines: int = 0) -> list[str]:
    lines = textwrap.wrap(text, cols, break_long_words=True, break_on_hyphens=False) or [""]
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(0, cols - 3)].rstrip() + "..."
    return lines


def qr_block(data: str, width_dots: int, *, error: str = "M") -> QR:
    """The QR for `data`: never a Micro QR (zbar cannot read it), error level kept as asked."""
    code = segno.make(data, error=error, micro=False, boost_error=False)
    modules = code.symbol_size(scale=1, border=QR_QUIET_MODULES)[0]
    target = width_dots * 2 // 3
    module = max(1, min(QR_MAX_MODULE_DOTS, target // modules, width_dots // modules))
    return QR(data=data, module_dots=module, version=int(code.version), error=error)


def format_local(dt: datetime) -> str:
    """`23 Nov 2026 09:30 WITA`: Indonesian month, the zone as people say it."""
    zone = TZ_LABELS.get(getattr(dt.tzinfo, "key", ""), "")
    if not zone:
        offset = dt.utcoffset()
        hours = int(offset.total_seconds() // 3600) if offset is not None else 0
        zone = "UTC" if hours == 0 else f"UTC{hours:+d}"
    return f"{dt.day:02d} {MONTHS_ID[dt.month - 1]} {dt.year} {dt:%H:%M} {zone}"


def dither_photo(image: Any, width_dots: int) -> Any:
    """A guest photo as a 1-bit Floyd-Steinberg dither about a third of the paper wide."""
    from PIL import ImageOps  # Pillow: only for a pass with a photo

    target = max(64, width_dots // 3)
    gray = ImageOps.autocontrast(image.convert("L"))
    height = max(1, round(gray.height * target / gray.width))
    return gray.resize((target, height)).convert("1")


# --- the gate pass ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketData:
    """What one gate pass shows. Times are aware datetimes in the office's time zone."""

    office_name: str
    office_address: str
    guest_name: str
    nik: str
    host_name: str
    purpose: str
    issued_at: datetime
    expires_at: datetime
    token: str
    pass_id: str
    locker_door: int | None = None
    photo: Any = None  # PIL image or None
    reprint: bool = False
    office_phone: str = ""
    extra: tuple[str, ...] = field(default=())


def gate_pass_ticket(data: TicketData, *, width_dots: int, layout: PassLayout = "badge") -> TicketDocument:
    """The gate pass in the configured layout (`devices.printer.pass_layout`)."""
    if layout == "receipt":
        return receipt_pass(data, width_dots=width_dots)
    if layout == "badge":
        return badge_pass(data, width_dots=width_dots)
    raise ValueError(f"unknown pass layout {layout!r}; one of {PASS_LAYOUTS}")


def _short_code(pass_id: str) -> str:
    return f"{pass_id[:5]}-{pass_id[5:]}"


def receipt_pass(data: TicketData, *, width_dots: int) -> TicketDocument:
    """The long pass: every field on its own lines, the optional photo above the QR (about 21 cm on 80 mm)."""
    b = _Builder(width_dots)
    b.text(data.office_name, bold=True, height=2, align="center")
    b.text(data.office_address, align="center", font="b")
    if data.office_phone:
        b.text(f"Telp. {data.office_phone}", align="center", font="b")
    b.rule("=")
    b.headline("TANDA PENGENAL TAMU")
    b.text("VISITOR PASS", bold=True, align="center")
    if data.reprint:
        b.add(Feed(1))
        b.fixed(" CETAK ULANG / REPRINT ", bold=True, align="center", invert=True)
    b.rule()
    b.field("Nama / Name", data.guest_name, height=2)
    b.field("NIK (4 digit terakhir / last 4 digits)", mask_nik(data.nik))
    b.field("Bertemu / Host", data.host_name)
    b.field("Keperluan / Purpose", data.purpose)
    b.field("Terdaftar / Registered", format_local(data.issued_at))
    b.field("Berlaku sampai / Valid until", format_local(data.expires_at))
    if data.locker_door is not None:
        b.text("Loker / Locker", font="b")
        b.text(str(data.locker_door), bold=True, width=2, height=2)
    for line in data.extra:
        b.text(line, font="b")
    if data.photo is not None:
        b.add(Feed(1))
        b.add(Image(dither_photo(data.photo, width_dots)))
    b.add(Feed(1))
    b.add(qr_block(data.token, width_dots))
    b.text(_short_code(data.pass_id), bold=True, align="center")
    b.rule()
    b.text("Tunjukkan kode QR kepada petugas keamanan saat masuk dan keluar.", align="center", font="b")
    b.text("Show the QR code to security when entering and leaving.", align="center", font="b")
    b.text("Kembalikan tanda ini saat keluar.", bold=True, align="center")
    b.text("Return this pass when you leave.", align="center")
    b.add(Cut())
    return TicketDocument(width_dots=width_dots, blocks=tuple(b.blocks), title="gate-pass")


# --- the badge ----------------------------------------------------------------------------------


def qr_bitmap(data: str, module_dots: int, error: str = "M") -> Any:
    """The QR as a 1-bit PIL image, `module_dots` per module, its 4-module quiet zone included."""
    from PIL import Image as PILImage  # Pillow: only when a pass is laid out with an image

    code = segno.make(data, error=error, micro=False, boost_error=False)
    rows = list(code.matrix_iter(scale=1, border=QR_QUIET_MODULES))
    small = PILImage.new("L", (len(rows[0]), len(rows)))
    small.putdata([0 if dark else 255 for row in rows for dark in row])
    return small.resize((small.width * module_dots, small.height * module_dots), PILImage.NEAREST).convert("1")


def badge_photo(image: Any, width: int, height: int) -> Any:
    """The guest's photo cut to `width` x `height` dots (centred, head kept: the crop favours the top), autocontrast,
    then a 1-bit Floyd-Steinberg dither."""
    from PIL import ImageOps  # Pillow: only a pass with a photo

    gray = ImageOps.autocontrast(image.convert("L"), cutoff=1)
    k = max(width / gray.width, height / gray.height)
    scaled = gray.resize((max(width, round(gray.width * k)), max(height, round(gray.height * k))))
    x = (scaled.width - width) // 2
    y = (scaled.height - height) // 4  # faces sit in the upper part of a portrait: cut more below than above
    return scaled.crop((x, y, x + width, y + height)).convert("1")  # convert("1") dithers (Floyd-Steinberg)


def badge_picture(data: TicketData, width_dots: int) -> Any:
    """ONE raster image as wide as the paper: the photo (3:4, framed) left of the QR, or the QR alone."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    qr = qr_bitmap(data.token, BADGE_QR_MODULE_DOTS)
    if data.photo is None:
        canvas = PILImage.new("1", (width_dots, qr.height), 1)
        canvas.paste(qr, ((width_dots - qr.width) // 2, 0))
        return canvas
    room = width_dots - qr.width  # the QR's own quiet zone separates it from the photo
    height = min(qr.height, room * 4 // 3)
    width = height * 3 // 4
    photo = badge_photo(data.photo, width, height)
    canvas = PILImage.new("1", (width_dots, qr.height), 1)
    left = (room - width) // 2
    top = (qr.height - height) // 2
    canvas.paste(photo, (left, top))
    ImageDraw.Draw(canvas).rectangle([left, top, left + width - 1, top + height - 1], outline=0, width=2)
    canvas.paste(qr, (room, 0))
    return canvas


def badge_pass(data: TicketData, *, width_dots: int) -> TicketDocument:
    """The compact pass to wear: photo beside the QR, the name large, the rest in the small font.

    Free texts are capped so that even a reprint for a long name, host and purpose stays within
    `BADGE_MAX_MM`: office 1 line, host and purpose 1 value line each (cut with "..."), the name at
    triple height when it fits the lines the paper affords (1 on 80 mm, 2 on 58 mm), else double, at
    most 2 lines; a reprint's notice takes the footer's place (`extra` lines are for the receipt only).
    """
    b = _Builder(width_dots)
    b.text(data.office_name, bold=True, align="center", font="b", max_lines=1)
    b.fixed(" TAMU / VISITOR ", bold=True, width=2, height=2, align="center", invert=True)
    if data.reprint:
        b.fixed(" CETAK ULANG / REPRINT ", bold=True, align="center", font="b", invert=True)
    b.add(Image(badge_picture(data, width_dots)))
    b.text(f"Kode / Code {_short_code(data.pass_id)}", bold=True, align="center", font="b")
    name = data.guest_name or "-"
    lines = len(wrap(name, columns(width_dots, "a", 2)))
    if lines <= BADGE_NAME_TALL_LINES.get(width_dots, 1):
        b.text(name, bold=True, width=2, height=3, align="center")
    else:  # longer: double height, and double width while 2 lines hold it
        b.text(name, bold=True, width=2 if lines <= 2 else 1, height=2, align="center", max_lines=2)
    b.pair("Bertemu / Host", data.host_name)
    b.pair("Keperluan / Purpose", data.purpose)
    b.pair("NIK", mask_nik(data.nik))
    b.pair("Terdaftar / Registered", format_local(data.issued_at))
    b.pair("Berlaku s/d / Valid until", format_local(data.expires_at), bold=True)
    if data.locker_door is not None:
        b.text(f"Loker / Locker {data.locker_door}", bold=True, width=2, height=2, align="center", max_lines=1)
    if not data.reprint:
        b.either("Kembalikan saat keluar / Return it when leaving",
                 ("Kembalikan saat keluar.", "Return it when leaving."), align="center", font="b")
    b.add(Cut(feed=False))
    return TicketDocument(width_dots=width_dots, blocks=tuple(b.blocks), title="gate-pass", line_dots=BADGE_LINE_DOTS)


# --- a generic receipt ------------------------------------------------------------------------


def receipt(
    title: str,
    lines: Iterable[str | tuple[str, str]],
    *,
    width_dots: int = 576,
    subtitle: str = "",
    footer: Sequence[str] = (),
    at: datetime | None = None,
) -> TicketDocument:
    """A titled list on paper (for example the "inside now" evacuation list).

    Each line is a string (wrapped) or a pair (left, right): the right part is flushed right on the
    same line when both fit, else it goes on its own line, indented.
    """
    b = _Builder(width_dots)
    cols = columns(width_dots)
    b.headline(title)
    if subtitle:
        b.text(subtitle, align="center")
    if at is not None:
        b.text(format_local(at), align="center", font="b")
    b.rule("=")
    for line in lines:
        if isinstance(line, tuple):
            left, right = line
            if len(left) + 1 + len(right) <= cols:
                b.add(Text(left + " " * (cols - len(left) - len(right)) + right))
            else:
                b.text(left)
                b.text(right, align="right")
        else:
            b.text(line)
    b.rule("=")
    for line in footer:
        b.text(line, align="center", font="b")
    b.add(Cut())
    return TicketDocument(width_dots=width_dots, blocks=tuple(b.blocks), title=title)
