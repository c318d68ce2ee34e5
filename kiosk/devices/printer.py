"""Thermal printer: the `Printer` interface, the ESC/POS codec for a `TicketDocument`, and the python-escpos driver.

Layout of the module follows python-escpos itself: WHAT to print becomes bytes in one place
(`encode_document`, run on escpos' `Dummy` with the configured printer profile) and HOW bytes travel
is an escpos connection (`Usb`, `Serial`, `Network`, `File`, or our `SimulatedPrinterTransport` in
`kiosk/devices/printer_simulator.py`) of which we only use `_raw` (write) and `_read`. A whole ticket
goes out in ONE write, so a network printer gets one TCP send and a USB printer one bulk transfer.

Traps handled here (see /work/shared/HARDWARE-NOTES.md):
- `qr(native=True)` sends `GS ( k` even to printers without native QR; we ask the profile first and
  otherwise send the QR as a raster image we draw ourselves (centred, quiet zone included).
- Paper-out is never raised by the library and `paper_status()` says "paper OK" when the printer does
  not answer; we send `DLE EOT 1/2/4` ourselves and treat silence or a malformed byte as UNKNOWN.
- The code page is set explicitly (`ESC t`), never guessed.
"""
from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from kiosk.domain.errors import KioskError
from kiosk.domain.ticket import QR, Cut, Feed, Image, Rule, Text, TicketDocument, columns

if TYPE_CHECKING:
    from kiosk.config import PrinterConfig

log = logging.getLogger(__name__)

DLE_EOT = b"\x10\x04"
# DLE EOT replies always have bits 1 and 4 set and bits 0 and 7 clear.
_REPLY_MASK, _REPLY_FIXED = 0x93, 0x12
_UNREACHABLE = -1


# --- status and errors ------------------------------------------------------------------------


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said. None = it did not say (no answer is NOT "ok")."""

    online: bool | None = None
    paper_ok: bool | None = None
    paper_near_end: bool | None = None
    cover_open: bool | None = None
    unknown: bool = True

    @property
    def problem(self) -> str | None:
        """The reason a ticket cannot print now, or None (which includes "status unknown")."""
        if self.paper_ok is False:
            return "paper_out"
        if self.cover_open:
            return "cover_open"
        if self.online is False:
            return "offline"
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "online": self.online,
            "paper_ok": self.paper_ok,
            "paper_near_end": self.paper_near_end,
            "cover_open": self.cover_open,
            "unknown": self.unknown,
            "problem": self.problem,
        }


UNKNOWN_STATUS = PrinterStatus()


class PrinterError(KioskError):
    """The ticket did not print. `reason`: paper_out | offline | cover_open | config."""

    code = "printer_error"
    reason = "offline"


class PaperOut(PrinterError):
    code = "printer_paper_out"
    reason = "paper_out"

    def __init__(self, printer: str) -> None:
        super().__init__(printer=printer)


class CoverOpen(PrinterError):
    code = "printer_cover_open"
    reason = "cover_open"

    def __init__(self, printer: str) -> None:
        super().__init__(printer=printer)


class PrinterOffline(PrinterError):
    code = "printer_offline"
    reason = "offline"

    def __init__(self, printer: str, detail: str = "") -> None:
        super().__init__(printer=printer, detail=detail, said=f": {detail}" if detail else "")


class PrinterConfigError(PrinterError):
    code = "printer_config"
    reason = "config"

    def __init__(self, printer: str, detail: str) -> None:
        super().__init__(printer=printer, detail=detail)


def _error_for(problem: str, name: str) -> PrinterError:
    return {"paper_out": PaperOut, "cover_open": CoverOpen}.get(problem, PrinterOffline)(name)


# --- the interface ----------------------------------------------------------------------------


class Printer(Protocol):
    name: str
    width_dots: int

    def print_document(self, doc: TicketDocument) -> None:
        """Print, or raise a `PrinterError` saying why not."""

    def status(self) -> PrinterStatus: ...


# --- codec: TicketDocument -> ESC/POS bytes ----------------------------------------------------


def qr_image(data: str, module_dots: int, width_dots: int, error: str = "M") -> Any:
    """The QR as a 1-bit PIL image as wide as the paper, centred, with its 4-module quiet zone."""
    import segno  # QR and Pillow: only a ticket with an image QR needs them
    from PIL import Image as PILImage

    code = segno.make(data, error=error, micro=False, boost_error=False)
    rows = list(code.matrix_iter(scale=1, border=4))
    small = PILImage.new("L", (len(rows[0]), len(rows)))
    small.putdata([0 if dark else 255 for row in rows for dark in row])
    big = small.resize((small.width * module_dots, small.height * module_dots), PILImage.NEAREST).convert("1")
    canvas = PILImage.new("1", (width_dots, big.height), 1)
    canvas.paste(big, ((width_dots - big.width) // 2, 0))
    return canvas


def _padded(image: Any, width_dots: int, align: str) -> Any:
    """Centre or right-align a picture by padding it to the paper width (printers ignore ESC a here)."""
    from PIL import Image as PILImage

    img = image.convert("1")
    if img.width >= width_dots:
        return img.crop((0, 0, width_dots, img.height))
    canvas = PILImage.new("1", (width_dots, img.height), 1)
    x = {"left": 0, "center": (width_dots - img.width) // 2, "right": width_dots - img.width}[align]
    canvas.paste(img, (x, 0))
    return canvas


def encode_document(doc: TicketDocument, *, profile: str, code_page: str, native_qr: bool) -> bytes:
    """The exact bytes for `doc` on a printer of `profile` (escpos-printer-db name)."""
    # python-escpos: only when printing.
    from escpos.constants import QR_ECLEVEL_H, QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q
    from escpos.exceptions import Error as EscposError
    from escpos.printer import Dummy

    levels = {"L": QR_ECLEVEL_L, "M": QR_ECLEVEL_M, "Q": QR_ECLEVEL_Q, "H": QR_ECLEVEL_H}
    try:
        p = Dummy(profile=profile)
        p.hw("INIT")
        p.charcode(code_page)
    except (EscposError, KeyError, ValueError) as exc:
        raise PrinterConfigError(profile, f"profile {profile!r} / code page {code_page!r}: {exc}") from None
    use_native = native_qr and p.profile.supports("qrCode")
    for block in doc.blocks:
        if isinstance(block, Text):
            p.set(
                align=block.align,
                font=block.font,
                bold=block.bold,
                invert=block.invert,
                custom_size=True,
                width=block.width,
                height=block.height,
            )
            p.textln(block.text)
        elif isinstance(block, Rule):
            p.set(align="left", font=block.font, bold=False, invert=False, custom_size=True, width=1, height=1)
            p.textln(block.char * columns(doc.width_dots, block.font))
        elif isinstance(block, QR):
            p.set(align=block.align, bold=False, invert=False, custom_size=True, width=1, height=1)
            if use_native:
                p.qr(block.data, ec=levels[block.error], size=block.module_dots, native=True)
                p.ln()
            else:
                img = qr_image(block.data, block.module_dots, doc.width_dots, block.error)
                p.image(img, impl="bitImageRaster", center=False)
        elif isinstance(block, Image):
            p.image(_padded(block.image, doc.width_dots, block.align), impl="bitImageRaster", center=False)
        elif isinstance(block, Feed):
            p.ln(block.lines)
        elif isinstance(block, Cut):
            p.set(align="left", custom_size=True, width=1, height=1)
            p.cut(mode="PART" if block.partial else "FULL")
    return p.output


# --- the driver -------------------------------------------------------------------------------


class EscposPrinter:
    """A `Printer` on any python-escpos connection (Usb, Serial, Network, File, simulator)."""

    def __init__(
        self,
        transport: Any,
        *,
        name: str = "printer",
        profile: str = "TM-T20II",
        code_page: str = "CP858",
        native_qr: bool = False,
        width_dots: int = 576,
    ) -> None:
        self.transport = transport
        self.name = name
        self.profile = profile
        self.code_page = code_page
        self.native_qr = native_qr
        self.width_dots = width_dots
        self.last_job = b""

    def _query(self, n: int) -> int | None:
        """The status byte; None if no (valid) answer; _UNREACHABLE if the query could not even be sent."""
        try:
            self.transport._raw(DLE_EOT + bytes([n]))
        except Exception as exc:  # noqa: BLE001 - USB, serial and socket errors all mean "not connected"
            log.debug("printer unreachable", extra={"printer": self.name, "error": type(exc).__name__})
            self._reset()
            return _UNREACHABLE
        try:
            reply = self.transport._read()
        except Exception:  # noqa: BLE001 - a read timeout or a transport that cannot read: no answer
            return None
        if not reply:
            return None
        byte = reply[0]
        return byte if byte & _REPLY_MASK == _REPLY_FIXED else None

    def status(self) -> PrinterStatus:
        s1 = self._query(1)
        if s1 == _UNREACHABLE:
            return PrinterStatus(online=False, unknown=False)
        if s1 is None:
            return UNKNOWN_STATUS
        s2, s4 = (s if s != _UNREACHABLE else None for s in (self._query(2), self._query(4)))
        return PrinterStatus(
            online=not s1 & 0x08,
            cover_open=None if s2 is None else bool(s2 & 0x04),
            paper_ok=None if s4 is None else not s4 & 0x60,
            paper_near_end=None if s4 is None else bool(s4 & 0x0C),
            unknown=s2 is None or s4 is None,
        )

    def print_document(self, doc: TicketDocument) -> None:
        before = self.status()
        if before.problem:
            raise _error_for(before.problem, self.name)
        job = encode_document(doc, profile=self.profile, code_page=self.code_page, native_qr=self.native_qr)
        try:
            self.transport._raw(job)
        except Exception as exc:  # noqa: BLE001 - USB, serial and socket errors all mean the same here
            self._reset()
            raise PrinterOffline(self.name, type(exc).__name__) from None
        self.last_job = job
        after = self.status()
        if after.problem == "paper_out":  # ran out mid-ticket: what came out is not a whole pass
            raise PaperOut(self.name)

    def _reset(self) -> None:
        """After a failed open or write, escpos keeps a dead device; make the next use reconnect."""
        self.close()
        self.transport._device = False

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a dead connection may fail in any way
            self.transport.close()


def width_for(cfg: PrinterConfig) -> int:
    """Paper width in dots: the config's paper, narrowed to the profile's printable width if smaller."""
    from escpos.capabilities import get_profile

    dots = {58: 384, 80: 576}[cfg.paper_width_mm]
    try:
        pixels = get_profile(cfg.profile).profile_data["media"]["width"]["pixels"]
    except Exception:  # noqa: BLE001 - unknown profile: encode_document reports it
        return dots
    return min(dots, pixels) if isinstance(pixels, int) else dots


def open_printer(cfg: PrinterConfig, *, name: str = "printer") -> EscposPrinter | None:
    """The printer described by `cfg` (None for kind "none"). Connections open lazily, at first use."""
    if cfg.kind == "none":
        return None
    if cfg.kind == "simulated":
        # python-escpos under it: only a simulated printer.
        from kiosk.devices.printer_simulator import SimulatedPrinterTransport

        transport: Any = SimulatedPrinterTransport(fault=cfg.simulate_fault)
    elif cfg.kind == "usb":
        from escpos.printer import Usb

        transport = Usb(cfg.usb_vendor_id, cfg.usb_product_id, timeout=int(cfg.timeout_s * 1000), profile=cfg.profile)
    elif cfg.kind == "serial":
        from escpos.printer import Serial

        transport = Serial(cfg.serial_port, baudrate=cfg.serial_baudrate, timeout=cfg.timeout_s, profile=cfg.profile)
    elif cfg.kind == "network":
        from escpos.printer import Network

        transport = Network(cfg.host, port=cfg.port, timeout=cfg.timeout_s, profile=cfg.profile)
    else:  # pragma: no cover - the config validates kind
        raise PrinterConfigError(name, f"unknown kind {cfg.kind!r}")
    return EscposPrinter(
        transport,
        name=name,
        profile=cfg.profile,
        code_page=cfg.code_page,
        native_qr=cfg.native_qr,
        width_dots=width_for(cfg),
    )
