"""Starting the configured HID or serial code scanner for a screen, whatever the role (guest, gate, survey)."""
from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.config import Config
from kiosk.devices.barcode import Decoder, make_decoder
from kiosk.devices.code_scanners import open_scanner

log = logging.getLogger(__name__)


def code_decoder(config: Config, name: str | None = None) -> Decoder:
    """The decoder for codes in still images: `name`, or the configured one, with the configured symbologies."""
    scanner = config.devices.scanner
    return make_decoder(name or scanner.decoder, scanner.symbologies)


def start_code_scanner(config: Config, on_code: Callable[[str], None]):
    """Start the HID/serial scanner of `devices.scanner` (kiosk.devices.scanner's drivers), calling `on_code(text)` from its
    thread; None when there is none to start. Kind "camera" is left to the screen that shows the preview;
    a keyboard-wedge scanner needs nothing here (it types into the window)."""
    if config.devices.scanner.kind in ("none", "camera"):
        return None
    try:
        scanner = open_scanner(config.devices.scanner, config.path)
        scanner.start(lambda code: on_code(code.text))
    except Exception as exc:  # the screen still works without it: the wedge and typing remain
        log.warning("code scanner unavailable", extra={"error": type(exc).__name__})
        return None
    return scanner
