"""Code scanners: one CodeScanner interface over a camera, a USB HID keyboard wedge or a serial (CDC-ACM) scanner.

Each scanner runs on its own worker thread and calls `callback(ScannedCode)` there, once per code within
the debounce window; a UI hands the result to its own thread (Kivy: `Clock.schedule_once`). A scanner
exposes `state` ("stopped", "running", "error") and `last_error` for status screens; a device that
disappears is reopened every `reconnect_s` until it comes back or the scanner is stopped.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from kiosk.devices.barcode import Debouncer, Decoder
from kiosk.devices.camera import FrameSource
from kiosk.devices.scan_framing import CodeFramer, Framing
from kiosk.domain.errors import KioskError

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScannedCode:
    data: bytes  # the payload as the device delivered it; parse with kiosk.domain.identity
    symbology: str  # "QRCODE", "PDF417", ... for cameras; "KEYBOARD" / "SERIAL" when the device does not say
    source: str  # "camera", "hid", "serial", "simulated"
    at: float  # time.monotonic() when decoded

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


Callback = Callable[[ScannedCode], None]


class ScannerUnavailable(KioskError):
    code = "scanner_unavailable"

    def __init__(self, what: str, why: str) -> None:
        super().__init__(scanner=what, what=what, why=why)


class CodeScanner(Protocol):
    state: str
    last_error: str

    def start(self, callback: Callback) -> None: ...

    def stop(self) -> None: ...


class ThreadedScanner:
    """The worker thread, debouncing, state and reconnection shared by every scanner. Subclasses define
    `_open()`, `_poll()` (a list of (data, symbology) read within about 0.1 s) and `_close()`."""

    source = "device"

    def __init__(self, debounce_s: float, *, reconnect_s: float = 2.0, clock: Callable[[], float] = time.monotonic,
                 on_state: Callable[[str, str], None] | None = None):
        self.on_state = on_state  # told (state, last_error) on every change, from the worker thread
        self.debounce = Debouncer(debounce_s, clock)
        self.reconnect_s = reconnect_s
        self.state = "stopped"
        self.last_error = ""
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._callback: Callback | None = None

    def start(self, callback: Callback) -> None:
        if self._thread is not None:
            raise RuntimeError("scanner already started")
        self._callback = callback
        self._stop.clear()
        self._open()  # the first open fails loudly: a wrong port is a config error, not a retry loop
        self._set_state("running", "")
        self._thread = threading.Thread(target=self._run, name=f"scanner-{self.source}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._safe_close()
        self.state = "stopped"

    def _safe_close(self) -> None:
        try:
            self._close()
        except Exception:  # closing a vanished device may fail; nothing left to do
            log.debug("scanner close failed", exc_info=True)

    def _emit(self, data: bytes, symbology: str) -> None:
        if not data or not self.debounce.admit(data):
            return
        code = ScannedCode(data, symbology, self.source, self._clock())
        try:
            self._callback(code)
        except Exception:
            log.exception("scanner callback failed", extra={"scanner": self.source})

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for data, symbology in self._poll():
                    self._emit(data, symbology)
            except Exception as exc:
                self._set_state("error", f"{type(exc).__name__}: {exc}")
                log.warning("scanner failed; reopening", extra={"scanner": self.source, "error": self.last_error})
                self._safe_close()
                wait = min(0.25, self.reconnect_s)
                while not self._stop.wait(wait):
                    wait = min(wait * 2, self.reconnect_s)  # backoff: quick for a re-plug, gentle for a dead port
                    try:
                        self._open()
                    except Exception as again:
                        self._set_state("error", f"{type(again).__name__}: {again}")
                        continue
                    self._set_state("running", "")
                    break

    def _set_state(self, state: str, error: str) -> None:
        changed = (state, error) != (self.state, self.last_error)
        self.state, self.last_error = state, error
        if changed and self.on_state is not None:
            try:
                self.on_state(state, error)
            except Exception:
                log.exception("scanner state listener failed")

    def _open(self) -> None:
        raise NotImplementedError

    def _poll(self) -> list[tuple[bytes, str]]:
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError


class CameraScanner(ThreadedScanner):
    """Decodes codes in camera frames on the worker thread (pyzbar or zxing-cpp)."""

    source = "camera"

    def __init__(self, camera: FrameSource | Callable[[], FrameSource], decoder: Decoder, debounce_s: float = 2.0,
                 *, owns_camera: bool = True, idle_s: float = 0.02, **kwargs) -> None:
        super().__init__(debounce_s, **kwargs)
        self._factory = camera if callable(camera) and not hasattr(camera, "read") else None
        self._camera: FrameSource | None = None if self._factory else camera
        self._owns_camera = owns_camera
        self.decoder = decoder
        self.idle_s = idle_s
        self.frames_decoded = 0

    def _open(self) -> None:
        if self._camera is None:
            if self._factory is None:
                raise ScannerUnavailable("camera", "the camera was closed")
            self._camera = self._factory()

    def _poll(self) -> list[tuple[bytes, str]]:
        frame = self._camera.read()
        if frame is None:
            self._stop.wait(self.idle_s)
            return []
        symbols = self.decoder.decode(frame)
        self.frames_decoded += 1
        return [(s.data, s.symbology) for s in symbols]

    def _close(self) -> None:
        # A shared camera (owns_camera=False) stays open for its other users.
        if self._camera is not None and self._owns_camera:
            camera, self._camera = self._camera, None
            camera.close()


class SerialScanner(ThreadedScanner):
    """A CDC-ACM (or RS232) scanner through pyserial, its framing taken off by a `CodeFramer` (CR/LF ends,
    STX/ETX, AIM identifier, programmed prefix/suffix, and silence ending an unterminated code)."""

    source = "serial"

    def __init__(self, port: str, baudrate: int = 9600, debounce_s: float = 2.0, *, framing: Framing | None = None,
                 **kwargs) -> None:
        super().__init__(debounce_s, **kwargs)
        self.port, self.baudrate = port, baudrate
        self._serial = None
        self.framer = CodeFramer(framing)

    def _open(self) -> None:
        import serial

        try:
            self._serial = serial.serial_for_url(self.port, baudrate=self.baudrate, timeout=0.1)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise ScannerUnavailable(self.port, str(exc)) from None
        self.framer.reset()

    def _poll(self) -> list[tuple[bytes, str]]:
        # While a code is half read, wake often enough to end it on time if its terminator never comes.
        wait = min(0.1, self.framer.framing.inter_char_timeout_s / 2) if self.framer.pending() else 0.1
        if self._serial.timeout != wait:
            self._serial.timeout = wait
        chunk = self._serial.read(max(1, self._serial.in_waiting))
        now = self._clock()
        codes = self.framer.feed(chunk, now) if chunk else self.framer.expire(now)
        return [(code, symbology or "SERIAL") for code, symbology in codes]

    def _close(self) -> None:
        if self._serial is not None:
            self._serial.close()
            self._serial = None


class IdleScanner:
    """The simulated scanner with no source: scans only what `inject()` is given (demo buttons, tests)."""

    source = "simulated"

    def __init__(self, debounce_s: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.debounce = Debouncer(debounce_s, clock)
        self.state, self.last_error = "stopped", ""
        self._callback: Callback | None = None
        self._clock = clock

    def start(self, callback: Callback) -> None:
        self._callback, self.state = callback, "running"

    def stop(self) -> None:
        self._callback, self.state = None, "stopped"

    def inject(self, data: bytes | str, symbology: str = "QRCODE") -> bool:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        if self._callback is None or not self.debounce.admit(raw):
            return False
        self._callback(ScannedCode(raw, symbology, self.source, self._clock()))
        return True
