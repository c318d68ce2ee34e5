"""The code scanner as a long-lived device service: started once, its codes handed to whoever subscribed.

Screens call `subscribe_codes(callback)` when they are shown and the returned unsubscribe when they
leave; the device stays open between screens (a serial port or an evdev grab is not reopened per
screen). The scanner's own worker reopens a lost device with backoff; this service turns its state
into ok / offline, and retries a scanner that could not even start.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from kiosk.devices.scanner import ScannedCode
from kiosk.devices.service import OFFLINE, OK, DeviceService, error_text

log = logging.getLogger(__name__)

CodeListener = Callable[[ScannedCode], None]


class ScannerService(DeviceService):
    kind = "scanner"

    def __init__(self, scanner: Any, *, name: str = "scanner", **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.scanner = scanner
        self._started = False
        self._code_listeners: list[CodeListener] = []
        self._codes_lock = threading.Lock()
        if hasattr(scanner, "on_state"):
            scanner.on_state = self._scanner_state

    def subscribe_codes(self, listener: CodeListener) -> Callable[[], None]:
        """`listener(ScannedCode)` for every code (on the scanner's thread) until the returned function is called."""
        with self._codes_lock:
            self._code_listeners.append(listener)

        def unsubscribe() -> None:
            with self._codes_lock:
                if listener in self._code_listeners:
                    self._code_listeners.remove(listener)

        return unsubscribe

    def inject(self, data: bytes | str, symbology: str = "QRCODE") -> bool:
        """A code from the demo buttons or a test (the simulated scanner without a source)."""
        inject = getattr(self.scanner, "inject", None)
        return bool(inject and inject(data, symbology))

    def _dispatch(self, code: ScannedCode) -> None:
        with self._codes_lock:
            listeners = list(self._code_listeners)
        for listener in listeners:
            try:
                listener(code)
            except Exception:
                log.exception("scanner listener failed", extra={"scanner": self.name})

    def _scanner_state(self, state: str, error: str) -> None:
        if state == "running":
            self.report(OK)
        elif state == "error":
            self.report(OFFLINE, error)

    def check(self) -> tuple[str, str]:
        if not self._started:
            try:
                self.scanner.start(self._dispatch)
            except Exception as exc:
                return OFFLINE, error_text(exc)
            self._started = True
        state = getattr(self.scanner, "state", "running")
        if state == "running":
            return OK, ""
        return OFFLINE, getattr(self.scanner, "last_error", "") or "not reading"

    def release(self) -> None:
        if self._started:
            self.scanner.stop()
            self._started = False
