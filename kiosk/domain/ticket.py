"""Ticket layout, pure: the gate pass and a generic receipt as a list of printable blocks for 58 or 80 mm paper.

No printer here. A `TicketDocument` says what goes on the paper, line by line (text already wrapped
to the paper's columns), and the driver (`kiosk/devices/printer.py`) turns it into ESC/POS bytes.
Widths follow the printers: 384 dots on 58 mm paper, 576 on 80 mm; font A is 12 x 24 dots (32 or
48 columns), font B 9 x 17 (42 or 64 columns). The QR's module size is chosen to fill about 2/3 of
the paper width and never above 8 dots (1 mm), the size gate scanners read best.
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
PAPER_DOTS = {58: 384, 80: 576}
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


Block = Text | Rule | QR | Image | Feed | Cut


@dataclass(frozen=True)
class TicketDocument:
    width_dots: int
    blocks: tuple[Block, ...]
    title: str = ""

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

    def text(self, text: str, **style: Any) -> None:
        font, width = style.get("font", "a"), style.get("width", 1)
        cols = columns(self.width_dots, font, width)
        for line in textwrap.wrap(text, cols, break_long_words=True, break_on_hyphens=False) or [""]:
            self.blocks.append(Text(line, **style))

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


def gate_pass_ticket(data: TicketData, *, width_dots: int) -> TicketDocument:
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
        b.text(" CETAK ULANG / REPRINT ", bold=True, align="center", invert=True)
    b.rule()
    b.field("Nama / Name", data.guest_name, height=2)
    b.field("NIK (4 digit terakhir / last 4 digits)", mask_nik(data.nik))
    b.field("Bertemu / Host", data.host_name)
    b.field("Keperluan / Purpose", data.purpose)
    b.field("Masuk / In", format_local(data.issued_at))
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
    b.text(f"{data.pass_id[:5]}-{data.pass_id[5:]}", bold=True, align="center")
    b.rule()
    b.text("Tunjukkan kode QR kepada petugas keamanan saat masuk dan keluar.", align="center", font="b")
    b.text("Show the QR code to security when entering and leaving.", align="center", font="b")
    b.text("Kembalikan tanda ini saat keluar.", bold=True, align="center")
    b.text("Return this pass when you leave.", align="center")
    b.add(Cut())
    return TicketDocument(width_dots=width_dots, blocks=tuple(b.blocks), title="gate-pass")


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
