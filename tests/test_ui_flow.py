"""The guest's whole registration on the touchscreen, driven with touches under Xvfb with simulated devices."""
from __future__ import annotations

import time

import pytest

from tests.fixtures_flow import face_frame, qr_frame, write_frames

pytestmark = pytest.mark.ui

NIK = "5105011508850001"


@pytest.fixture
def kiosk(context, artifacts, tmp_path):
    from kiosk.app.passes import init_keys
    from tests.ui_harness import UiHarness

    init_keys(context.config)  # the office's pass-signing key, as `kiosk passes init` makes it
    context.flow.camera_sources = {
        "scan": str(write_frames(tmp_path / "cam-face", face_frame())),
        "photo": str(write_frames(tmp_path / "cam-face", face_frame())),
    }
    harness = UiHarness(context, role="guest", artifacts=artifacts)
    harness.app.screens.get_screen("photo").countdown_s = 1
    # Slides take 0.4 s of wall time each; the flow under test is the same without them.
    from kivy.uix.screenmanager import NoTransition

    harness.app.screens.transition = NoTransition()
    yield harness
    harness.close()


def wait_for(ui, cond, timeout: float = 10.0, settle: bool = True) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ui.pump(1)
        if cond():
            if settle:
                ui.pump(4)
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
    tap_keys(ui, ui.find("keyboard"), "BUDI S")
    ui.tap(ui.find("phone"))
    tap_keys(ui, ui.find("keyboard"), "081234567890")
    ui.tap(ui.find("institution"))
    tap_keys(ui, ui.find("keyboard"), "CV")
    ui.screenshot("flow-3-confirm")
    ui.tap(ui.find("next"))
    on(ui, "purpose")
    ui.screenshot("flow-4-purpose")
    ui.tap(ui.screen.buttons()["meet_employee"])
    on(ui, "host")
    tap_keys(ui, ui.find("keyboard"), "UMUM")
    assert list(ui.screen.buttons()) == ["kasi-pidum"]
    ui.screenshot("flow-5-host")
    ui.tap(ui.screen.buttons()["kasi-pidum"])
    on(ui, "photo")
    wait_for(ui, lambda: ui.screen.countdown > 0, timeout=20, settle=False)
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
    visit = context.visits.get(visits[0].id)
    guest = context.guests.get(visit.guest_id)
    assert (guest.nik, guest.name, guest.phone, guest.institution) == (NIK, "BUDI S", "081234567890", "CV")
    assert (visit.purpose, visit.host_id) == ("meet_employee", "kasi-pidum")
    assert (context.config.data_dir / visit.photo_path).stat().st_size > 1000
    outbox = context.db.conn.execute("SELECT topic, payload FROM outbox WHERE aggregate_id=?", (visit.id,)).fetchall()
    assert "visit.registered" in [t for t, _ in outbox]
    assert NIK not in "".join(p for _, p in outbox)
    # The host was told through the outbox: the visit now waits for the host.
    assert context.visits.get(visit.id).state.value == "waiting_host"
    assert "notify.host" in [r[0] for r in context.db.conn.execute("SELECT topic FROM outbox")]
    steps = {e.data["step"] for e in context.visits.events(visit.id) if e.kind == "step"}
    assert {"scan", "entry", "confirm", "purpose", "host", "photo", "consent", "data_capture"} <= steps
    # The locker emulator on the other end of the pty opened the door shown to the guest.
    assert visit.locker_door is not None
    assert context.lockers.emulator.open_doors() == [visit.locker_door]
    assert str(visit.locker_door) in ui.screen.locker_text
    # The simulated printer got a ticket whose QR the gate accepts.
    from kiosk.devices.escpos_render import render
    from tests.fixtures_printing import decode_both

    assert ui.screen.needs_desk is False
    printed_visit = context.visits.get(visit.id)
    jobs = context.tickets.printers[0].transport.jobs
    assert len(jobs) == 1 and printed_visit.pass_id
    tokens, _ = decode_both(render(jobs[0]).image)
    assert len(tokens) == 1 and context.passes.verify(tokens[0]).reason == "ok"
    ui.tap(ui.find("finish"))
    on(ui, "welcome")
    assert getattr(ui.app, "flow_draft", None) is None


def test_a_qr_shown_to_the_camera_fills_the_nik_and_a_returning_guest_is_recognised(kiosk, context, tmp_path):
    from kiosk.app.registration import GuestIdentity

    context.registration.register(GuestIdentity(NIK, "SITI AMINAH", "081300001111", "KANTOR POS"),
                                  purpose="meet_employee", host_id="kajari", host_name="Kajari", consent=True)
    context.flow.camera_sources["scan"] = str(write_frames(tmp_path / "cam-qr", qr_frame(NIK)))
    ui = kiosk
    ui.tap(ui.find("start"))
    on(ui, "confirm")
    assert ui.find("nik").text.endswith("0001")
    assert (ui.find("name").text, ui.find("phone").text, ui.find("institution").text) == (
        "SITI AMINAH", "081300001111", "KANTOR POS")
    assert ui.screen.returning
    ui.screenshot("flow-3b-confirm-returning")


def test_a_complaint_tells_the_guest_to_write_it_down_and_goes_to_the_head_of_intelligence(kiosk, context):
    ui = kiosk
    flow = context.flow
    ui.app.flow_draft = draft = flow.start()
    ui.app.flow_history = ["welcome"]
    flow.set_nik(draft, NIK)
    draft.name = "BUDI"
    ui.app.go("purpose")
    on(ui, "purpose")
    ui.tap(ui.screen.buttons()["complaint"])
    ui.pump(5)
    assert ui.screen.complaint
    ui.screenshot("flow-4b-complaint-in-writing")
    ui.tap(ui.find("next"))
    on(ui, "photo")  # no host to choose: the Head of Intelligence receives complaints
    assert draft.host_id == context.config.notifier.intel_head_host_id
    ui.tap(ui.find("back"))
    on(ui, "purpose")


def test_without_a_camera_the_guest_types_the_nik_and_staff_take_the_photo(kiosk, context, tmp_path):
    ui = kiosk
    context.flow.camera_sources = {"scan": str(tmp_path / "no-such-camera"), "photo": str(tmp_path / "no-such-camera")}
    ui.tap(ui.find("start"))
    on(ui, "scan")
    assert "PTSP" in ui.screen.message
    ui.screenshot("flow-fault-no-camera")
    ui.app.go("photo")
    on(ui, "photo")
    assert not ui.screen.camera_ok and not ui.find("next").disabled
    ui.screenshot("flow-fault-no-camera-photo")
    alerts = context.db.conn.execute("SELECT payload FROM outbox WHERE topic='staff.alert'").fetchall()
    assert any("no_camera" in p for (p,) in alerts)


def test_the_guest_can_take_the_photo_with_a_tap_and_retake_it(kiosk, context, tmp_path):
    import numpy as np

    ui = kiosk
    context.flow.camera_sources["photo"] = str(write_frames(tmp_path / "cam-wall", np.full((480, 640, 3), 200, np.uint8)))
    ui.app.flow_draft = context.flow.start()
    ui.app.flow_history = []
    ui.app.go("photo")
    on(ui, "photo")
    wait_for(ui, lambda: ui.find("camera").frames_shown > 0)
    ui.tap(ui.find("capture"))
    assert ui.screen.captured and ui.app.flow_draft.photo[:2] == b"\xff\xd8"
    ui.tap(ui.find("retake"))
    assert not ui.screen.captured and ui.app.flow_draft.photo is None
    ui.tap(ui.find("capture"))
    assert ui.screen.captured


def test_idle_timeout_forgets_an_unfinished_registration_and_its_photo(kiosk, context):
    ui = kiosk
    ui.tap(ui.find("start"))
    on(ui, "scan")
    ui.tap(ui.find("type_nik"))
    on(ui, "entry")
    draft = ui.app.flow_draft
    draft.photo = b"\xff\xd8not-yet-saved"
    ui.app.idle._last -= ui.app.idle.timeout_s + 1
    on(ui, "welcome")
    assert ui.app.flow_draft is None and draft.photo is None and draft.nik == ""
    assert context.db.conn.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 0


def test_cancel_on_a_step_goes_home_and_keeps_nothing(kiosk, context):
    ui = kiosk
    ui.tap(ui.find("start"))
    on(ui, "scan")
    ui.tap(ui.find("type_nik"))
    on(ui, "entry")
    tap_keys(ui, ui.find("keyboard"), "123")
    ui.tap(ui.find("cancel"))
    on(ui, "welcome")
    assert ui.app.flow_draft is None


@pytest.mark.parametrize("large,contrast", [(True, True)])
def test_large_text_and_high_contrast_apply_to_the_registration_screens(kiosk, large, contrast):
    ui = kiosk
    ui.tap(ui.header("large_text"))
    ui.tap(ui.header("contrast"))
    ui.tap(ui.find("start"))
    on(ui, "scan")
    ui.tap(ui.find("type_nik"))
    on(ui, "entry")
    tap_keys(ui, ui.find("keyboard"), NIK)
    ui.tap(ui.find("next"))
    on(ui, "confirm")
    assert ui.find("name").font_size > 26 and ui.app.theme.background[:3] == (0.0, 0.0, 0.0)
    ui.screenshot("flow-3c-confirm-large-contrast")
