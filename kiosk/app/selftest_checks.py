"""The built-in self-test checks: printer(s), scanner, camera, each locker board, central API, notifier.

Each check drives its device module's own driver (kiosk.devices.printer, kiosk.devices.camera, the locker
service's bus), so that a check never claims "ok" for something it could not look at.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

import serial

from kiosk.app.camera_feed import open_frame_source
from kiosk.app.selftest import CheckResult, fail, ok, selftest_check, skip
from kiosk.devices.camera import open_camera
from kiosk.devices.printer import open_printer
from kiosk.sync.probe import probe_central, probe_notifier

if TYPE_CHECKING:
    from kiosk.app.selftest import SelfTest


# --- printers ---------------------------------------------------------------------------------


def _printer(subjects: SelfTest, name: str, pcfg, role: str) -> CheckResult:
    if pcfg.kind == "none":
        return skip(name, "not configured")
    printer = open_printer(pcfg, name=name)
    try:
        status = printer.status()
    finally:
        printer.close()
    if status.problem:
        return fail(name, f"{pcfg.kind}: {status.problem}")
    if status.unknown:
        # python-escpos answers "paper OK" when nothing answers: unknown is not a pass (HARDWARE-NOTES).
        return fail(name, f"{pcfg.kind}: no status answer")
    return ok(name, f"{pcfg.kind}: online" + (", paper near end" if status.paper_near_end else ""))


@selftest_check("printer", order=10)
def check_printer(subjects: SelfTest) -> CheckResult:
    return _printer(subjects, "printer", subjects.config.devices.printer, "main")


@selftest_check("backup_printer", order=11)
def check_backup_printer(subjects: SelfTest) -> CheckResult:
    return _printer(subjects, "backup_printer", subjects.config.devices.backup_printer, "backup")


# --- camera and scanner -----------------------------------------------------------------------


def _grab_frame(subjects: SelfTest, ccfg):
    if ccfg.kind == "simulated" and not ccfg.source:  # the built-in scenes the simulated kiosk shows
        cam = open_frame_source(subjects.config, simulate=True, step="scan")
        try:
            return cam.read()
        finally:
            cam.close()
    cam = open_camera(ccfg, subjects.config.path)
    try:
        for _ in range(10):  # a real camera may need a few frames to start streaming
            frame = cam.read()
            if frame is not None:
                return frame
        return None
    finally:
        cam.close()


@selftest_check("camera", order=20)
def check_camera(subjects: SelfTest) -> CheckResult:
    ccfg = subjects.config.devices.camera
    if ccfg.kind == "none":
        return skip("camera", "not configured")
    frame = _grab_frame(subjects, ccfg)
    if frame is None:
        return fail("camera", "no frame")
    h, w = frame.shape[:2]
    return ok("camera", f"{ccfg.kind}: frame {w}x{h}")


@selftest_check("scanner", order=30)
def check_scanner(subjects: SelfTest) -> CheckResult:
    s = subjects.config.devices.scanner
    if s.kind == "none":
        return skip("scanner", "not configured")
    if s.kind == "camera":
        return check_camera(subjects) if subjects.config.devices.camera.kind != "none" else fail("scanner", "camera scanner without a camera")
    if s.kind == "simulated":
        if s.source and not subjects.config.path(s.source).exists():
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
    try:
        port = serial.serial_for_url(s.serial_port, baudrate=s.serial_baudrate, timeout=0.2)
    except (serial.SerialException, OSError) as exc:
        return fail("scanner", f"{s.serial_port}: {exc}")
    port.close()
    return ok("scanner", f"serial {s.serial_port} opens")


# --- lockers ----------------------------------------------------------------------------------


@selftest_check("lockers", order=40)
def check_lockers(subjects: SelfTest) -> list[CheckResult]:
    lcfg = subjects.config.devices.lockers
    if lcfg.kind == "none":
        return [skip("lockers", "not configured")]
    lockers = subjects.lockers
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
def check_central(subjects: SelfTest) -> CheckResult:
    if not subjects.config.central.url:
        return skip("central", "central.url is empty (local only)")
    return ok("central", probe_central(subjects.sync.client))


@selftest_check("notifier", order=60)
def check_notifier(subjects: SelfTest) -> CheckResult:
    if subjects.config.notifier.kind == "none":
        return skip("notifier", "not configured")
    good, detail = probe_notifier(subjects.config)
    return ok("notifier", detail) if good else fail("notifier", detail)
