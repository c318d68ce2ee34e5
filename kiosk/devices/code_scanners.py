"""Opening the code scanner the config names: a camera, a serial or HID (keyboard-wedge) scanner, or the simulator.

Apart from kiosk/devices/scanner.py so that the HID driver (a subclass of its ThreadedScanner) and the factory
that picks it import in one direction only.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.devices.barcode import make_decoder
from kiosk.devices.camera import FileCamera, FrameSource, open_camera
from kiosk.devices.scan_framing import Framing
from kiosk.devices.scanner import CameraScanner, CodeScanner, IdleScanner, ScannerUnavailable, SerialScanner
from kiosk.devices.scanner_hid import HidScanner

if TYPE_CHECKING:
    from kiosk.config import CameraConfig, ScannerConfig


def open_scanner(
    cfg: ScannerConfig,
    resolve_path: Callable[[str], Path],
    *,
    camera: FrameSource | CameraConfig | None = None,
) -> CodeScanner:
    """The scanner the config asks for (not started). `camera`: a shared FrameSource (kept open on stop),
    or the CameraConfig to open one from for kind "camera"."""
    if cfg.kind == "camera":
        decoder = make_decoder(cfg.decoder, cfg.symbologies)
        if camera is None:
            raise ScannerUnavailable("camera", "no camera configured")
        if hasattr(camera, "read"):
            return CameraScanner(camera, decoder, cfg.debounce_s, owns_camera=False)
        return CameraScanner(lambda: open_camera(camera, resolve_path), decoder, cfg.debounce_s)
    if cfg.kind == "serial":
        return SerialScanner(cfg.serial_port, cfg.serial_baudrate, cfg.debounce_s, framing=Framing.from_config(cfg))
    if cfg.kind == "hid":
        if not cfg.hid_device:
            raise ScannerUnavailable("hid", "devices.scanner.hid_device is empty")
        return HidScanner.for_device(cfg.hid_device, cfg.debounce_s, framing=Framing.from_config(cfg))
    if cfg.kind == "simulated":
        if not cfg.source:
            return IdleScanner(cfg.debounce_s)
        path = resolve_path(cfg.source)
        scanner = CameraScanner(lambda: FileCamera(path, 15), make_decoder(cfg.decoder, cfg.symbologies), cfg.debounce_s)
        scanner.source = "simulated"
        return scanner
    raise ScannerUnavailable("(none)", "switched off in the config")
