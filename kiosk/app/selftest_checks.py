"""The built-in self-test checks: printer(s), scanner, camera, each locker board, central API, notifier.

Each check prefers its device module's own driver when that module is installed (kiosk.devices.camera,
kiosk.app tickets service) and otherwise checks what it can from the config, so that a check never claims
"ok" for something it could not look at.
"""
from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.app.selftest import CheckResult, fail, ok, selftest_check, skip

if TYPE_CHECKING:
    from kiosk.app.context import AppContext

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp"}


def optional_module(name: str):
    """The module, or None when it has not been installed (a feature still being built)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None
        raise


def optional_service(ctx: AppContext, name: str):
    """`ctx.<name>` when AppContext has that service and its module imports; else None."""
    if not hasattr(type(ctx), name):
        return None
    try:
        return getattr(ctx, name)
    except ModuleNotFoundError:
        return None


# --- printers ---------------------------------------------------------------------------------


def _printer(ctx: AppContext, name: str, pcfg, role: str) -> CheckResult:
    if pcfg.kind == "none":
        return skip(name, "not configured")
    printer_mod = optional_module("kiosk.devices.printer")
    if printer_mod is not None and hasattr(printer_mod, "open_printer"):
        printer = printer_mod.open_printer(pcfg, name=name)
        try:
            status = printer.status()
        finally:
            close = getattr(printer, "close", None)
            if close is not None:
                close()
        if status.problem:
            return fail(name, f"{pcfg.kind}: {status.problem}")
        if status.unknown:
            # python-escpos answers "paper OK" when nothing answers: unknown is not a pass (HARDWARE-NOTES).
            return fail(name, f"{pcfg.kind}: no status answer")
        return ok(name, f"{pcfg.kind}: online" + (", paper near end" if status.paper_near_end else ""))
    # No printing service yet: only the simulator's scripted state can be read.
    if pcfg.kind == "simulated":
        if pcfg.simulate_fault in ("offline", "paper_out", "cover_open"):
            return fail(name, f"simulated printer reports {pcfg.simulate_fault}")
        return ok(name, "simulated" + (f" ({pcfg.simulate_fault})" if pcfg.simulate_fault else ""))
    return fail(name, f"{pcfg.kind} printer: printing service not installed, status unknown")


@selftest_check("printer", order=10)
def check_printer(ctx: AppContext) -> CheckResult:
    return _printer(ctx, "printer", ctx.config.devices.printer, "main")


@selftest_check("backup_printer", order=11)
def check_backup_printer(ctx: AppContext) -> CheckResult:
    return _printer(ctx, "backup_printer", ctx.config.devices.backup_printer, "backup")


# --- camera and scanner -----------------------------------------------------------------------


def _frame_from_files(source: Path):
    import cv2

    if source.is_dir():
        images = sorted(p for p in source.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        return cv2.imread(str(images[0])) if images else None
    if source.suffix.lower() in IMAGE_SUFFIXES:
        return cv2.imread(str(source))
    cap = cv2.VideoCapture(str(source))
    try:
        good, frame = cap.read()
        return frame if good else None
    finally:
        cap.release()


def _grab_frame(ctx: AppContext, ccfg):
    if ccfg.kind == "simulated" and not ccfg.source:  # the built-in scenes the simulated kiosk shows
        from kiosk.app.camera_feed import open_frame_source

        cam = open_frame_source(ctx.config, simulate=True, step="scan")
        try:
            return cam.read()
        finally:
            cam.close()
    camera_mod = optional_module("kiosk.devices.camera")
    if camera_mod is not None and hasattr(camera_mod, "open_camera"):
        cam = camera_mod.open_camera(ccfg, ctx.config.path)
        try:
            for _ in range(10):  # a real camera may need a few frames to start streaming
                frame = cam.read()
                if frame is not None:
                    return frame
            return None
        finally:
            cam.close()
    if ccfg.kind == "simulated":
        source = ctx.config.path(ccfg.source)
        if not source.exists():
            raise FileNotFoundError(f"camera source {ccfg.source} does not exist")
        return _frame_from_files(source)
    import cv2

    cap = cv2.VideoCapture(ccfg.index)
    try:
        if not cap.isOpened():
            raise OSError(f"/dev/video{ccfg.index} cannot be opened")
        good, frame = cap.read()
        return frame if good else None
    finally:
        cap.release()


@selftest_check("camera", order=20)
def check_camera(ctx: AppContext) -> CheckResult:
    ccfg = ctx.config.devices.camera
    if ccfg.kind == "none":
        return skip("camera", "not configured")
    frame = _grab_frame(ctx, ccfg)
    if frame is None:
        return fail("camera", "no frame")
    h, w = frame.shape[:2]
    return ok("camera", f"{ccfg.kind}: frame {w}x{h}")


@selftest_check("scanner", order=30)
def check_scanner(ctx: AppContext) -> CheckResult:
    s = ctx.config.devices.scanner
    if s.kind == "none":
        return skip("scanner", "not configured")
    if s.kind == "camera":
        return check_camera(ctx) if ctx.config.devices.camera.kind != "none" else fail("scanner", "camera scanner without a camera")
    if s.kind == "simulated":
        if s.source and not ctx.config.path(s.source).exists():
            return fail("scanner", f"simulated scanner source {s.source} does not exist")
        return ok("scanner", "simulated" + (f" ({s.source})" if s.source else ""))
    if s.kind == "hid":
        if not s.hid_device:
            return fail("scanner", "devices.scanner.hid_device is empty")
        if not os.path.exists(s.hid_device):
            return fail("scanner", f"{s.hid_device} not present")
        if not os.access(s.hid_device, os.R_OK):
            return fail("scanner", f"{s.hid_device} not readable (is the kiosk user in group input?)")
        return ok("scanner", f"HID {s.hid_device}")
    import serial

    try:
        port = serial.serial_for_url(s.serial_port, baudrate=s.serial_baudrate, timeout=0.2)
    except (serial.SerialException, OSError) as exc:
        return fail("scanner", f"{s.serial_port}: {exc}")
    port.close()
    return ok("scanner", f"serial {s.serial_port} opens")


# --- lockers ----------------------------------------------------------------------------------


@selftest_check("lockers", order=40)
def check_lockers(ctx: AppContext) -> list[CheckResult]:
    lcfg = ctx.config.devices.lockers
    if lcfg.kind == "none":
        return [skip("lockers", "not configured")]
    lockers = ctx.lockers
    try:
        board = lockers.board
    except Exception as exc:
        text = getattr(exc, "text_en", None) or f"{type(exc).__name__}: {exc}"
        return [fail(f"locker board {b.address}", text) for b in lcfg.boards]
    results = []
    for b in lcfg.boards:
        name = f"locker board {b.address}"
        try:
            board.read_board(b.address)
        except Exception as exc:
            results.append(fail(name, getattr(exc, "text_en", None) or f"{type(exc).__name__}: {exc}"))
        else:
            results.append(ok(name, f"{b.doors} doors answer ({lcfg.kind})"))
    return results


# --- central API and notifier -----------------------------------------------------------------


@selftest_check("central", order=50)
def check_central(ctx: AppContext) -> CheckResult:
    if not ctx.config.central.url:
        return skip("central", "central.url is empty (local only)")
    from kiosk.sync.probe import probe_central

    return ok("central", probe_central(ctx.sync.client))


@selftest_check("notifier", order=60)
def check_notifier(ctx: AppContext) -> CheckResult:
    if ctx.config.notifier.kind == "none":
        return skip("notifier", "not configured")
    from kiosk.sync.probe import probe_notifier

    good, detail = probe_notifier(ctx.config)
    return ok("notifier", detail) if good else fail("notifier", detail)
