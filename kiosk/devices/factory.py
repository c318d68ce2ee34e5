"""The one place that turns the devices config into device services: a real driver or its simulator, per peripheral.

Nothing else decides between driver and simulator. Each function returns a service that is not yet
started (the composition root starts them); `alert(code, data)` is how a change of state reaches staff.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.devices.service import StaticService

if TYPE_CHECKING:
    from kiosk.config import CameraConfig, LockersConfig, PrinterConfig, ScannerConfig

log = logging.getLogger(__name__)

Alert = Callable[[str, dict], None]


def locker_bus(cfg: LockersConfig, *, alert: Alert | None = None) -> Any:
    from kiosk.devices.locker import DoorMap, SerialLockerBoard, codec_for
    from kiosk.devices.locker_bus import LockerBusService

    if cfg.kind == "none":
        return StaticService("lockers", detail="not configured", alert=alert)
    door_map = DoorMap.from_config(cfg.boards)
    codec = codec_for(cfg.kind, cfg.hook_closed_bit, cfg.unlock_replies)
    url, emulator = cfg.port, None
    if cfg.kind == "simulated":
        from kiosk.devices.locker_emulator import LockerBoardEmulator

        emulator = LockerBoardEmulator(door_map.boards, faults=cfg.simulate_fault, codec=codec)
        url = emulator.start().port
    board = SerialLockerBoard.open_port(
        url, door_map, codec, baudrate=cfg.baudrate, retries=cfg.retries, timeout_s=cfg.timeout_s,
        unlock_reply_s=cfg.unlock_reply_s, lazy=True,
    )
    return LockerBusService(board, emulator=emulator, alert=alert, poll_s=cfg.poll_s)


def printer_service(cfg: PrinterConfig, name: str, *, alert: Alert | None = None) -> Any:
    from kiosk.devices.printer import open_printer
    from kiosk.devices.printer_service import PrinterService

    printer = open_printer(cfg, name=name)
    if printer is None:
        return StaticService(name, detail="not configured", alert=alert)
    return PrinterService(printer, alert=alert, poll_s=cfg.poll_s)


def scanner_service(cfg: ScannerConfig, resolve_path: Callable[[str], Path], *, camera: Any = None,
                    alert: Alert | None = None) -> Any:
    """The HID / serial / simulated scanner (a camera scanner is the camera screen's own decoder)."""
    from kiosk.devices.code_scanners import open_scanner
    from kiosk.devices.scanner_service import ScannerService

    if cfg.kind in ("none", "camera"):
        return StaticService("scanner", detail="not configured" if cfg.kind == "none" else "reads through the camera",
                             alert=alert)
    try:
        scanner = open_scanner(cfg, resolve_path, camera=camera)
    except Exception as exc:  # a config the scanner cannot use: shown as offline, never a crash
        from kiosk.devices.service import OFFLINE, error_text

        log.warning("scanner unusable", extra={"error": error_text(exc)})
        return StaticService("scanner", OFFLINE, error_text(exc), alert=alert)
    return ScannerService(scanner, alert=alert, poll_s=5.0, backoff_s=0.25)


def camera_service(cfg: CameraConfig, resolve_path: Callable[[str], Path], *, demo_faces: Path | None = None,
                   alert: Alert | None = None) -> Any:
    """`demo_faces`: the folder the simulated camera shows at the photo step when no source is configured."""
    from kiosk.devices.camera import FileCamera, open_camera
    from kiosk.devices.camera_service import CameraService

    if cfg.kind == "none":
        return StaticService("camera", detail="not configured", alert=alert)
    if cfg.kind == "simulated" and not cfg.source:

        def scene(step: str) -> Any:
            if step == "scan":
                from kiosk.devices.ktp_synth import SimulatedKtpCamera

                return SimulatedKtpCamera(cfg.fps)
            if demo_faces is None:
                from kiosk.devices.camera import CameraUnavailable

                raise CameraUnavailable("(simulated)", "tidak ada gambar demo", "no demo pictures")
            return FileCamera(demo_faces, cfg.fps)

        return CameraService(None, scenes=scene, alert=alert, poll_s=30.0)
    return CameraService(lambda: open_camera(cfg, resolve_path), alert=alert, poll_s=10.0, backoff_s=0.5)
