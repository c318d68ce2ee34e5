"""The guest's whole registration on the touchscreen, driven with touches under Xvfb with simulated devices."""
from __future__ import annotations

import time

import pytest

from tests.fixtures_flow import face_frame, qr_frame, write_frames

pytestmark = pytest.mark.ui

NIK = "5105011508850001"


@pytest.fixture
def kiosk(context, artifacts, tmp_path):
    from tests.ui_harness import UiHarness

    context.flow.camera_sources = {
        "scan": str(write_frames(tmp_path / "cam-face", face_frame())),
        "photo": str(write_frames(tmp_path / "cam-face", face_frame())),
    }
    harness = UiHarness(context, role="guest", artifacts=artifacts)
    harness.app.screens.get_screen("photo").countdown_s = 1
    yield harness
    harness.close()


def wait_for(ui, cond, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ui.pump(1)
        if cond():
            ui.settle(5)
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out on screen {ui.app.screens.current!r}")


def on(ui, name: str) -> None:
    wait_for(ui, lambda: ui.app.screens.current == name and ui.app.screens.transition.is_active is False)


def tap_keys(ui, keyboard, text: str) -> None:
    keys = keyboard.keys()
    for ch in text:
        ui.tap(keys["_" if ch == " " else ch])


def test_a_guest_registers_with_touches_from_welcome_to_the_printed_pass(kiosk, context):
    ui = kiosk
    ui.tap(ui.find("start"))
    on(ui, "scan")
    wait_for(ui, lambda: ui.find("camera").frames_shown > 0)
    ui.screenshot("flow-1-scan")
    ui.tap(ui.find("type_nik"))
    on(ui, "entry")
    tap_keys(ui, ui.find("keyboard"), NIK)
    assert ui.find("nik").text == NIK
    ui.screenshot("flow-2-nik-entry")
    ui.tap(ui.find("next"))
    on(ui, "confirm")
    assert ui.find("nik").text == "************0001"
    tap_keys(ui, ui.find("keyboard"), "BUDI SANTOSO")
    ui.tap(ui.find("phone"))
    tap_keys(ui, ui.find("keyboard"), "081234567890")
    ui.tap(ui.find("institution"))
    tap_keys(ui, ui.find("keyboard"), "CV MAJU")
    ui.screenshot("flow-3-confirm")
    ui.tap(ui.find("next"))
    on(ui, "purpose")
    ui.screenshot("flow-4-purpose")
    ui.tap(ui.screen.buttons()["meet_employee"])
    on(ui, "host")
    tap_keys(ui, ui.find("keyboard"), "PIDANA UMUM")
    assert list(ui.screen.buttons()) == ["kasi-pidum"]
    ui.screenshot("flow-5-host")
    ui.tap(ui.screen.buttons()["kasi-pidum"])
    on(ui, "photo")
    wait_for(ui, lambda: ui.screen.countdown > 0, timeout=20)
    ui.screenshot("flow-6-photo-countdown")
    wait_for(ui, lambda: ui.screen.captured, timeout=20)
    ui.screenshot("flow-7-photo-taken")
    ui.tap(ui.find("next"))
    on(ui, "consent")
    assert ui.find("next").disabled
    ui.tap(ui.find("agree"))
    ui.screenshot("flow-8-consent")
    ui.tap(ui.find("next"))
    on(ui, "done")
    ui.screenshot("flow-9-done")

    visits = context.visits.list_in_states(list(__import__("kiosk.domain.visit", fromlist=["VisitState"]).VisitState))
    assert len(visits) == 1
    visit = visits[0]
    guest = context.guests.get(visit.guest_id)
    assert (guest.nik, guest.name, guest.phone, guest.institution) == (NIK, "BUDI SANTOSO", "081234567890", "CV MAJU")
    assert (visit.purpose, visit.host_id) == ("meet_employee", "kasi-pidum")
    assert (context.config.data_dir / visit.photo_path).stat().st_size > 1000
    outbox = context.db.conn.execute("SELECT topic, payload FROM outbox WHERE aggregate_id=?", (visit.id,)).fetchall()
    assert "visit.registered" in [t for t, _ in outbox]
    assert NIK not in "".join(p for _, p in outbox)
    steps = {e.data["step"] for e in context.visits.events(visit.id) if e.kind == "step"}
    assert {"scan", "entry", "confirm", "purpose", "host", "photo", "consent", "data_capture"} <= steps
    # The locker emulator on the other end of the pty opened the door shown to the guest.
    assert visit.locker_door is not None
    assert context.lockers.emulator.open_doors() == [visit.locker_door]
    assert str(visit.locker_door) in ui.screen.locker_text
    ui.tap(ui.find("finish"))
    on(ui, "welcome")
    assert getattr(ui.app, "flow_draft", None) is None
