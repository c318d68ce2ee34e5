"""Device services: state, last error, subscribe/unsubscribe, reconnect with backoff, staff alerts, and screens
that subscribe instead of opening devices."""
from __future__ import annotations

import json

from kiosk.devices.printer import EscposPrinter
from kiosk.devices.printer_service import PrinterService
from kiosk.devices.printer_simulator import SimulatedPrinterTransport
from kiosk.devices.service import DeviceService
from tests.fixtures_scanner import Collector, pty_pair, wait_until  # noqa: F401  (pty_pair: fixture)


class _Flaky(DeviceService):
    def __init__(self, **kw) -> None:
        super().__init__("flaky", **kw)
        self.up = True

    def check(self):
        if not self.up:
            raise OSError(5, "Input/output error")
        return "ok", ""


def test_subscribers_get_the_state_now_and_on_every_change_until_they_unsubscribe():
    service = _Flaky()
    seen: list[tuple[str, str]] = []
    unsubscribe = service.subscribe(lambda s: seen.append((s.state, s.last_error)))
    service.check_now()
    service.up = False
    service.check_now()
    unsubscribe()
    service.up = True
    service.check_now()
    assert seen == [("unknown", ""), ("ok", ""), ("offline", "OSError: [Errno 5] Input/output error")]
    assert service.state == "ok" and service.last_error == ""


def test_a_lost_device_is_checked_again_with_backoff_until_it_is_back():
    alerts: list[tuple[str, dict]] = []
    service = _Flaky(poll_s=60, backoff_s=0.02, backoff_max_s=0.1, alert=lambda c, d: alerts.append((c, d)))
    service.up = False
    service.start()
    try:
        assert wait_until(lambda: service.checks >= 4, 5)  # retried quickly, not at the 60 s poll
        service.up = True
        assert wait_until(lambda: service.state == "ok", 5)
    finally:
        service.stop()
    assert [c for c, _ in alerts] == ["device_offline", "device_ok"]


def test_a_printer_unplugged_and_replugged_is_seen_offline_then_ok_without_a_restart():
    sim = SimulatedPrinterTransport()
    service = PrinterService(EscposPrinter(sim, status_timeout_s=0.05), poll_s=0.05, backoff_s=0.02)
    service.start()
    try:
        assert wait_until(lambda: service.state == "ok", 5)
        sim.fault = "offline"
        assert wait_until(lambda: service.state == "offline", 5)
        sim.fault = ""
        assert wait_until(lambda: service.state == "ok", 5)
        sim.fault = "paper_near_end"
        assert wait_until(lambda: service.state == "degraded", 5)
        assert service.snapshot.detail == "kertas hampir habis / paper near end"
    finally:
        service.stop()


def test_a_change_of_device_state_is_queued_for_staff_in_the_outbox(context):
    printer = context.devices.printer
    printer.check_now()
    printer.transport.fault = "offline"
    printer.check_now()
    rows = context.db.conn.execute("SELECT payload FROM outbox WHERE topic='staff.alert'").fetchall()
    payloads = [json.loads(r[0]) for r in rows]
    assert [(p["code"], p["device"]) for p in payloads] == [("device_offline", "printer")]


def test_screens_share_one_open_scanner_across_entries(make_config, pty_pair):  # noqa: F811
    import os

    from kiosk.app.context import AppContext

    master, port = pty_pair
    ctx = AppContext(make_config({"devices": {"scanner": {"kind": "serial", "serial_port": port, "debounce_s": 0}}}))
    try:
        texts: list[str] = []
        first = ctx.flow.start_scanner(texts.append)
        assert wait_until(lambda: ctx.devices.scanner.state == "ok", 5)
        opened = ctx.devices.scanner.scanner._serial
        first.stop()  # the screen leaves
        second = ctx.flow.start_scanner(texts.append)  # the next screen (or the same one again) is entered
        os.write(master, b"KODE-1\r")
        assert wait_until(lambda: texts == ["KODE-1"], 5)
        assert ctx.devices.scanner.scanner._serial is opened  # not reopened per screen
        second.stop()
    finally:
        ctx.close()


def test_the_camera_is_opened_once_for_every_step(make_config, tmp_path):
    import cv2
    import numpy as np

    from kiosk.app.context import AppContext

    frame = np.full((120, 160, 3), 128, np.uint8)
    cv2.imwrite(str(tmp_path / "frame.png"), frame)
    ctx = AppContext(make_config({"devices": {"camera": {"kind": "simulated", "source": str(tmp_path / "frame.png")}}}))
    try:
        scan = ctx.flow.open_camera("scan")
        assert scan.read() is not None
        scan.close()
        camera = ctx.devices.camera._camera
        photo = ctx.flow.open_camera("photo")
        assert photo.read() is not None and ctx.devices.camera._camera is camera  # the same open camera
        photo.close()
    finally:
        ctx.close()


def test_a_camera_pulled_goes_offline_and_comes_back_when_plugged_in_again(tmp_path):
    import shutil

    import cv2
    import numpy as np

    from kiosk.devices.camera import FileCamera
    from kiosk.devices.camera_service import CameraService

    folder = tmp_path / "video0"  # the simulated device: its frames vanish with it, like /dev/video0
    folder.mkdir()
    cv2.imwrite(str(folder / "f.png"), np.full((48, 64, 3), 90, np.uint8))
    service = CameraService(lambda: FileCamera(folder, 60), poll_s=0.1, backoff_s=0.05, misses_offline=5)
    service.start()
    try:
        assert wait_until(lambda: service.state == "ok", 5)
        view = service.frames("scan")
        saved = tmp_path / "saved"
        shutil.move(str(folder), str(saved))  # pulled
        for _ in range(5):
            view.read()
        assert wait_until(lambda: service.state == "offline", 5)
        shutil.move(str(saved), str(folder))  # plugged back in
        assert wait_until(lambda: service.state == "ok", 5)
        assert service.frames("photo").read() is not None
    finally:
        service.stop()
