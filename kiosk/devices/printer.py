"""Thermal printer: the `Printer` interface, the ESC/POS codec for a `TicketDocument`, and the python-escpos driver.

Layout of the module follows python-escpos itself: WHAT to print becomes bytes in one place
(`encode_document`, run on escpos' `Dummy` with the configured printer profile) and HOW bytes travel
is an escpos connection (`Usb`, `Serial`, `Network`, `File`, or our `SimulatedPrinterTransport` in
`kiosk/devices/printer_simulator.py`), used only through its public `device`, `open()` and `close()`
(`_Link`). A whole ticket goes out in ONE write, followed by one status query.

Traps handled here (see /work/shared/HARDWARE-NOTES.md):
- `qr(native=True)` sends `GS ( k` even to printers without native QR; we ask the profile first and
  otherwise send the QR as a raster image we draw ourselves (centred, quiet zone included).
- Paper-out is never raised by the library and `paper_status()` says "paper OK" when the printer does
  not answer (and `query_status()` waits the connection's full timeout); we send `DLE EOT n` ourselves
  with a short timeout and treat silence or a malformed byte as UNKNOWN, never as OK.
- The code page is set explicitly (`ESC t`), never guessed.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import socket
import termios
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from kiosk.domain.errors import KioskError
from kiosk.domain.ticket import QR, Cut, Feed, Image, Rule, Text, TicketDocument, columns, qr_bitmap

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
    from PIL import Image as PILImage  # Pillow: only a ticket with an image QR needs it

    big = qr_bitmap(data, module_dots, error)
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
    if doc.line_dots:
        p.line_spacing(doc.line_dots, divisor=180)  # ESC 3 n
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
            if doc.line_dots:
                p.line_spacing()  # ESC 2: the next job starts at the default pitch
            p.cut(mode="PART" if block.partial else "FULL", feed=block.feed)
    return p.output


# --- the driver ---------------------------------------------------------------------------------


class NotTaken(PrinterOffline):
    """The connection is up but the printer did not take the job (never reads, or stopped reading)."""

    code = "printer_not_taken"

    def __init__(self, printer: str, detail: str = "the printer did not take the job") -> None:
        super().__init__(printer, detail)


class _Link:
    """Bytes to and from a python-escpos connection through its PUBLIC interface only: the `device`
    property (opened lazily by escpos, and reset to `False` so that the next use reopens it), `open()`
    and `close()`. `device` is a socket (Network), a pyserial port (Serial), a pyusb device (Usb), a file
    (File) or any object with write/read (our simulator); each is driven with a timeout of our choosing."""

    def __init__(self, connection: Any, name: str) -> None:
        self.connection = connection
        self.name = name

    def device(self) -> Any:
        try:
            dev = self.connection.device
        except Exception as exc:  # noqa: BLE001 - escpos raises DeviceNotFoundError, USB and socket errors
            self.reset()
            raise PrinterOffline(self.name, _why(exc)) from None
        if dev is None or dev is False:
            self.reset()
            raise PrinterOffline(self.name, "not connected")
        return dev

    def reset(self) -> None:
        """After a failure escpos keeps a dead (or None) device: close it and let the next use reconnect."""
        with contextlib.suppress(Exception):  # closing a dead connection may fail in any way
            self.connection.close()
        with contextlib.suppress(Exception):
            self.connection.device = False

    def write(self, data: bytes, timeout_s: float) -> None:
        dev = self.device()
        try:
            if isinstance(dev, socket.socket):
                dev.settimeout(timeout_s)
                dev.sendall(data)
            elif _is_usb(dev):
                dev.write(self.connection.out_ep, data, max(1, int(timeout_s * 1000)))
            else:
                if hasattr(dev, "write_timeout"):
                    dev.write_timeout = timeout_s
                dev.write(data)
                if not hasattr(dev, "out_waiting") and hasattr(dev, "flush"):
                    dev.flush()
        except Exception as exc:  # noqa: BLE001 - socket, serial, USB and file errors all mean "not printed"
            self.reset()
            raise PrinterOffline(self.name, _why(exc)) from None

    def read(self, size: int, timeout_s: float) -> bytes | None:
        """Up to `size` bytes within `timeout_s`; b"" for silence; None when this connection cannot read."""
        dev = self.device()
        try:
            if isinstance(dev, socket.socket):
                dev.settimeout(max(timeout_s, 0.001))
                try:
                    data = dev.recv(size)
                except (TimeoutError, BlockingIOError):
                    return b""
                if not data:  # the printer closed the connection
                    self.reset()
                    raise PrinterOffline(self.name, "connection closed by the printer")
                return data
            if _is_usb(dev):
                try:
                    return bytes(dev.read(self.connection.in_ep, size, max(1, int(timeout_s * 1000))))
                except Exception as exc:  # noqa: BLE001 - pyusb raises USBTimeoutError on silence
                    if "timeout" in type(exc).__name__.lower() or "timed out" in str(exc).lower():
                        return b""
                    raise
            if hasattr(dev, "timeout") and hasattr(dev, "in_waiting"):  # pyserial
                dev.timeout = timeout_s
                return dev.read(size)
            if hasattr(dev, "read_reply"):  # the in-process simulator
                return dev.read_reply(size, timeout_s)
            return None  # a file or spooler: nothing ever answers
        except PrinterOffline:
            raise
        except Exception as exc:  # noqa: BLE001
            self.reset()
            raise PrinterOffline(self.name, _why(exc)) from None

    def unsent(self) -> int | None:
        """Bytes written but not yet taken by the printer (None: this connection cannot tell)."""
        try:
            dev = self.connection.device
        except Exception:  # noqa: BLE001
            return None
        try:
            if isinstance(dev, socket.socket):
                buf = fcntl.ioctl(dev.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")  # SIOCOUTQ: not yet acknowledged
                return int.from_bytes(buf, "little")
            if hasattr(dev, "out_waiting"):
                return int(dev.out_waiting)
            if hasattr(dev, "unsent"):
                return int(dev.unsent())
        except Exception:  # noqa: BLE001 - a dead socket or port: the write path reports it
            return None
        return None


def _is_usb(dev: Any) -> bool:
    return type(dev).__module__.startswith("usb.")


def _why(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _status_byte(reply: bytes | None) -> int | None:
    if not reply:
        return None
    byte = reply[-1]  # the newest answer: an old one may precede it
    return byte if byte & _REPLY_MASK == _REPLY_FIXED else None


class EscposPrinter:
    """A `Printer` on any python-escpos connection (Usb, Serial, Network, File, simulator).

    A pass counts as printed only when the printer confirms it: it answers the DLE EOT 2 status query
    sent right behind the job (it has read the whole job, and says paper and cover are fine), or, for a
    printer that never answers status, every byte of the job was taken within `drain_timeout_s`.
    Whether the printer answers status is learnt once and kept (`status_support`), so a printer that
    ignores DLE EOT costs one short wait per connection, not one per pass.
    """

    def __init__(
        self,
        transport: Any,
        *,
        name: str = "printer",
        profile: str = "TM-T20II",
        code_page: str = "CP858",
        native_qr: bool = False,
        width_dots: int = 576,
        status_timeout_s: float = 0.5,
        write_timeout_s: float = 5.0,
        drain_timeout_s: float = 5.0,
    ) -> None:
        self.transport = transport
        self.name = name
        self.profile = profile
        self.code_page = code_page
        self.native_qr = native_qr
        self.width_dots = width_dots
        self.status_timeout_s = status_timeout_s
        self.write_timeout_s = write_timeout_s
        self.drain_timeout_s = drain_timeout_s
        self.status_support: bool | None = None  # None until the printer has answered (or been seen not to)
        self.last_job = b""
        self.last_warnings: tuple[str, ...] = ()
        self.stats = {"status_waits": 0}
        self._link = _Link(transport, name)
        self._lock = threading.RLock()

    # --- status ---

    def _query(self, n: int) -> int | None:
        """One DLE EOT n exchange: the status byte, or None (no or malformed answer). Raises PrinterOffline."""
        self._drop_pending()
        self._link.write(DLE_EOT + bytes([n]), self.write_timeout_s)
        self.stats["status_waits"] += 1
        byte = _status_byte(self._link.read(1, self.status_timeout_s))
        if byte is not None:
            self.status_support = True
        return byte

    def _drop_pending(self) -> None:
        """A late answer to an earlier query must not be read as the answer to the next one."""
        if self.status_support is False:
            return
        with contextlib.suppress(PrinterOffline):
            while self._link.read(16, 0.0):
                pass

    def status(self) -> PrinterStatus:
        """DLE EOT 1, 2 and 4 (one short wait if the printer does not answer at all)."""
        with self._lock:
            try:
                s1 = self._query(1)
                if s1 is None:
                    return self._silent_status()
                s2, s4 = self._query(2), self._query(4)
            except PrinterOffline:
                return PrinterStatus(online=False, unknown=False)
        return PrinterStatus(
            online=not s1 & 0x08,
            cover_open=None if s2 is None else bool(s2 & 0x04),
            paper_ok=None if s4 is None else not s4 & 0x60,
            paper_near_end=None if s4 is None else bool(s4 & 0x0C),
            unknown=s2 is None or s4 is None,
        )

    def _silent_status(self) -> PrinterStatus:
        unsent = self._link.unsent()
        if unsent:  # even our 3-byte query is still queued: the printer is not reading at all
            self._link.reset()
            return PrinterStatus(online=False, unknown=False)
        return UNKNOWN_STATUS

    # --- printing ---

    def print_document(self, doc: TicketDocument) -> None:
        job = encode_document(doc, profile=self.profile, code_page=self.code_page, native_qr=self.native_qr)
        self.print_bytes(job)

    def print_bytes(self, job: bytes) -> None:
        """Send one job and wait for the printer's confirmation; raise a PrinterError if it did not print."""
        with self._lock:
            self.last_warnings = ()
            ask = self.status_support is not False
            if ask:
                self._drop_pending()
            self._link.write(job + (DLE_EOT + b"\x02" if ask else b""), self.write_timeout_s)
            byte = None
            answered = False
            if ask:
                self.stats["status_waits"] += 1
                reply = self._link.read(1, self.status_timeout_s)
                answered = bool(reply)
                byte = _status_byte(reply)
            if byte is not None:
                self.status_support = True
                self.last_job = job
                if byte & 0x20:  # paper-end stop: ran out during the ticket, what came out is not a whole pass
                    raise PaperOut(self.name)
                if byte & 0x04:
                    raise CoverOpen(self.name)
                return
            if not self._drained():
                self._link.reset()  # a connection the printer does not read is worthless: start afresh
                raise NotTaken(self.name)
            if ask and not answered and self.status_support is None:
                self.status_support = False
                log.info("printer does not answer status; confirming by drained bytes", extra={"printer": self.name})
            self.last_job = job
            self.last_warnings = ("status_unknown",)

    def _drained(self) -> bool:
        deadline = time.monotonic() + self.drain_timeout_s
        while True:
            unsent = self._link.unsent()
            if unsent is None or unsent == 0:
                return True  # None: a connection that cannot tell (a file, a spooler) took the write
            if time.monotonic() >= deadline:
                log.warning("printer did not take the job", extra={"printer": self.name, "unsent": unsent})
                return False
            time.sleep(0.02)

    def close(self) -> None:
        with self._lock:
            with contextlib.suppress(Exception):  # closing a dead connection may fail in any way
                self.transport.close()
            with contextlib.suppress(Exception):
                self.transport.device = False


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
        status_timeout_s=cfg.status_timeout_s,
        write_timeout_s=cfg.timeout_s,
        drain_timeout_s=cfg.drain_timeout_s,
    )
