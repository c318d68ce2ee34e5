"""A screen's use of the code scanner: subscribe to the long-lived scanner service while shown, never open the device."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk.config import Config
from kiosk.devices.barcode import Decoder, make_decoder

log = logging.getLogger(__name__)


def code_decoder(config: Config, name: str | None = None) -> Decoder:
    """The decoder for codes in still images: `name`, or the configured one, with the configured symbologies."""
    scanner = config.devices.scanner
    return make_decoder(name or scanner.decoder, scanner.symbologies)


class ScannerSubscription:
    """What a screen holds while it listens; `stop()` ends the listening (the device stays open)."""

    def __init__(self, unsubscribe: Callable[[], None]) -> None:
        self._unsubscribe: Callable[[], None] | None = unsubscribe

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None


def start_code_scanner(scanner: Any, on_code: Callable[[str], None]) -> ScannerSubscription | None:
    """Hand each code of the scanner service to `on_code(text)` (on the scanner's thread) until stop();
    None when this kiosk has no HID/serial scanner (a keyboard wedge in keyboard mode types into the window)."""
    subscribe = getattr(scanner, "subscribe_codes", None)
    if subscribe is None:
        return None
    if not scanner.started_checks():
        scanner.start()  # a CLI or test context that never started its devices: start this one on first use
    return ScannerSubscription(subscribe(lambda code: on_code(code.text)))
