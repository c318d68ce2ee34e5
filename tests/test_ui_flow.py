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
    # A machine shared by many test runs can be slow; only the idle test itself should meet the idle timeout.
    harness.app.idle.timeout_s = 900
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
    if ui.artifacts is not None:  # what the screen showed when the wait gave up
        ui.screenshot(f"timeout-{ui.app.screens.current}")
    raise AssertionError(f"timed out on screen {ui.app.screens.current!r}")


def on(ui, name: str) -> None:
    wait_for(ui, lambda: ui.app.screens.current == name and ui.app.screens.transition.is_active is False)


def tap_keys(ui, keyboard, text: str) -> None:
    keys = keyboard.keys()
    for ch in text:
        ui.tap(keys["_" if ch == " " else ch])


def agree_to_the_notice(ui) -> None:
    """Welcome -> the UU PDP notice -> agree: the first two taps of every registration."""
    ui.tap(ui.find("start"))
    on(ui, "consent")
    ui.tap(ui.find("agree"))
    on(ui, "scan")


def test_a_guest_registers_with_touches_from_welcome_to_the_printed_pass(kiosk, context):
    ui = kiosk
    ui.tap(ui.find("start"))
    on(ui, "consent")
    # Consent first: no camera is open and nothing is in the draft before the guest agrees.
    assert not ui.app.screens.get_screen("scan").ids.camera.running
    assert ui.app.flow_draft.nik == "" and not ui.app.flow_draft.consent
    notice = ui.find("notice").text
    assert "WhatsApp" in notice and "server buku tamu pusat" in notice and "30 hari" in notice and "PTSP" in notice
    ui.screenshot("flow-0-consent")
    ui.tap(ui.find("agree"))
    on(ui, "scan")
    assert ui.app.flow_draft.consent_version
    wait_for(ui, lambda: ui.find("camera").frames_shown > 0)
    ui.screenshot("flow-1-scan")
    ui.tap(ui.find("type_nik"))
    on(ui, "entry")
    tap_keys(ui, ui.find("keyboard"), NIK)
    assert ui.find("nik").text == NIK
    assert "Klungkung" in ui.find("nik_message").text  # a whole NIK names its region
    ui.screenshot("flow-2-nik-entry")
    ui.tap(ui.find("next"))
    on(ui, "proof")  # every typed NIK gets the same question; a first-time guest fills in the form
    ui.screenshot("flow-2b-proof")
    ui.tap(ui.find("skip"))
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
    # The countdown starts as soon as the camera finds the face: a longer one than the fixture's, and no
    # settling on arrival, so a loaded machine cannot let it run out before the test looks at it.
    ui.app.screens.get_screen("photo").countdown_s = 3
    ui.tap(ui.screen.buttons()["kasi-pidum"])
    wait_for(ui, lambda: ui.app.screens.current == "photo", settle=False)
    wait_for(ui, lambda: ui.screen.countdown > 0, timeout=30, settle=False)
    ui.screenshot("flow-6-photo-countdown")
    wait_for(ui, lambda: ui.screen.captured, timeout=20)
    ui.screenshot("flow-7-photo-taken")
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
    events = context.visits.events(visit.id)
    steps = {e.data["step"] for e in events if e.kind == "step"}
    assert {"consent", "scan", "entry", "proof", "confirm", "purpose", "host", "photo", "data_capture"} <= steps
    consent = next(e for e in events if e.kind == "consent")
    assert consent.data["notice"] and consent.data["first_given_at"] is None
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


def register_siti(context, photo: bool = False):
    """A guest who came before (and agreed to the notice then)."""
    from kiosk.app.faces import portrait_jpeg

    flow = context.flow
    draft = flow.start()
    flow.give_consent(draft)
    flow.set_nik(draft, NIK)
    flow.skip_proof(draft)
    draft.name, draft.phone, draft.institution = "SITI AMINAH", "081300001111", "KANTOR POS"
    flow.choose_purpose(draft, "meet_employee")
    flow.choose_host(draft, "kajari")
    if photo:
        draft.photo = portrait_jpeg(face_frame(), None)
    context.flow.complete(draft)
    context.clock.advance(days=2)


def shown_texts(ui) -> str:
    """Every text on the current screen (labels, buttons, fields), as a stranger would read it."""
    stack, texts = [ui.screen], []
    while stack:
        w = stack.pop()
        texts.append(str(getattr(w, "text", "")))
        stack.extend(w.children)
    return "\n".join(texts)


def test_a_known_nik_typed_on_the_keypad_shows_nothing_stored_until_the_phone_digits_prove_it(kiosk, context):
    register_siti(context)
    ui = kiosk
    agree_to_the_notice(ui)
    ui.tap(ui.find("type_nik"))
    on(ui, "entry")
    tap_keys(ui, ui.find("keyboard"), NIK)
    ui.tap(ui.find("next"))
    on(ui, "proof")
    for stored in ("SITI", "AMINAH", "1111", "KANTOR POS", "Kajari"):
        assert stored not in shown_texts(ui)
    assert ui.app.flow_draft.name == "" and not ui.screen.locked
    tap_keys(ui, ui.find("keyboard"), "1112")
    ui.tap(ui.find("next"))
    assert ui.app.screens.current == "proof" and "2" in ui.screen.message and "SITI" not in shown_texts(ui)
    ui.screenshot("flow-2c-proof-wrong")
    tap_keys(ui, ui.find("keyboard"), "1111")
    ui.tap(ui.find("next"))
    on(ui, "confirm")
    assert (ui.find("name").text, ui.find("phone").text, ui.find("institution").text) == (
        "SITI AMINAH", "081300001111", "KANTOR POS")
    assert ui.screen.returning and "23-11-2026" in ui.screen.ids.notice.text  # the date the notice was agreed to
    ui.screenshot("flow-3b-confirm-returning")


def test_wrong_phone_digits_are_limited_and_then_the_guest_fills_in_the_form(kiosk, context):
    register_siti(context)
    ui = kiosk
    agree_to_the_notice(ui)
    ui.tap(ui.find("type_nik"))
    on(ui, "entry")
    tap_keys(ui, ui.find("keyboard"), NIK)
    ui.tap(ui.find("next"))
    on(ui, "proof")
    for wrong in ("0000", "1234", "4321"):
        tap_keys(ui, ui.find("keyboard"), wrong)
        ui.tap(ui.find("next"))
    assert ui.screen.locked and ui.find("digits").disabled and "PTSP" in ui.screen.message
    ui.screenshot("flow-2d-proof-locked")
    ui.tap(ui.find("skip"))
    on(ui, "confirm")
    assert (ui.find("name").text, ui.find("phone").text) == ("", "") and not ui.screen.returning


def test_a_qr_shown_to_the_camera_fills_the_nik_and_a_returning_guest_is_asked_for_proof(kiosk, context, tmp_path):
    register_siti(context)
    context.flow.camera_sources["scan"] = str(write_frames(tmp_path / "cam-qr", qr_frame(NIK)))
    ui = kiosk
    ui.tap(ui.find("start"))
    on(ui, "consent")
    ui.tap(ui.find("agree"))
    on(ui, "proof")
    assert ui.app.flow_draft.identity_source == "scan" and "SITI" not in shown_texts(ui)


def test_a_returning_guest_goes_from_confirm_to_done_in_three_taps_reusing_the_last_photo(kiosk, context):
    register_siti(context, photo=True)
    ui = kiosk
    agree_to_the_notice(ui)
    ui.tap(ui.find("type_nik"))
    on(ui, "entry")
    tap_keys(ui, ui.find("keyboard"), NIK)
    ui.tap(ui.find("next"))
    on(ui, "proof")
    tap_keys(ui, ui.find("keyboard"), "1111")
    ui.tap(ui.find("next"))
    on(ui, "confirm")
    taps = 0

    def tap(widget):
        nonlocal taps
        taps += 1
        ui.tap(widget)

    tap(ui.find("next"))  # 1: the details are right
    on(ui, "host")
    assert "Bertemu pegawai" in ui.find("purpose_text").text  # the last purpose, kept; "change" is there
    assert list(ui.screen.buttons())[-1] == "kajari"  # the last host first (children are in reverse order)
    ui.screenshot("flow-5b-host-fast-lane")
    tap(ui.screen.buttons()["kajari"])  # 2: whom to meet
    on(ui, "photo")
    assert ui.screen.offer and ui.screen.captured and not ui.find("camera").running
    ui.screenshot("flow-6b-photo-reuse")
    tap(ui.find("use_photo"))  # 3: keep the recent photo
    on(ui, "done")
    assert taps <= 3
    ui.tap(ui.find("finish"))
    on(ui, "welcome")
    visits = context.visits.list_in_states(list(__import__("kiosk.domain.visit", fromlist=["VisitState"]).VisitState))
    visit = max(visits, key=lambda v: v.created_at)
    assert (visit.purpose, visit.host_id) == ("meet_employee", "kajari")
    assert (context.config.data_dir / visit.photo_path).stat().st_size > 1000
    consent = next(e for e in context.visits.events(visit.id) if e.kind == "consent")
    assert consent.data["photo_reused"] and consent.data["returning"] == "phone" and consent.data["first_given_at"]


def test_an_invitation_qr_fills_purpose_and_host_and_the_guest_only_confirms_who_they_are(kiosk, context, tmp_path):
    from datetime import timedelta

    now = context.clock.now()
    _record, token = context.invitations.issue(purpose="ptsp_service", host_id="ptsp", nik=NIK,
                                               valid_from=now - timedelta(hours=1), valid_until=now + timedelta(hours=8))
    context.flow.camera_sources["scan"] = str(write_frames(tmp_path / "cam-invite", qr_frame(token)))
    ui = kiosk
    agree_to_the_notice(ui)
    wait_for(ui, lambda: "Undangan diterima" in ui.screen.message)
    draft = ui.app.flow_draft
    assert (draft.purpose, draft.host_id) == ("ptsp_service", "ptsp") and draft.nik == ""
    ui.screenshot("flow-1c-invitation")
    ui.tap(ui.find("type_nik"))
    on(ui, "entry")
    tap_keys(ui, ui.find("keyboard"), "3201015708850123")  # not the invited guest's NIK
    ui.tap(ui.find("next"))
    assert ui.app.screens.current == "entry" and "undangan" in ui.find("nik_message").text
    for _ in range(16):
        ui.tap(ui.find("keyboard").keys()["<"])
    assert ui.find("nik").text == ""
    tap_keys(ui, ui.find("keyboard"), NIK)
    ui.tap(ui.find("next"))
    on(ui, "proof")
    ui.tap(ui.find("skip"))
    on(ui, "confirm")
    tap_keys(ui, ui.find("keyboard"), "RINA")
    ui.tap(ui.find("next"))
    on(ui, "photo")  # purpose and host came with the invitation
    assert (draft.purpose, draft.host_id, draft.invitation_id) == ("ptsp_service", "ptsp", _record.id)


def test_an_invited_guest_who_shows_the_ktp_reaches_the_printed_pass_in_four_taps(kiosk, context, tmp_path):
    """Issue 14's fast path: invitation QR, then the KTP (the invited NIK), the photo, the pass. Purpose and host
    are never shown; the guest taps Mulai, Saya setuju, Data benar and Lanjut (bench/invitation times it)."""
    from datetime import timedelta

    from kiosk.devices.ktp_synth import demo_identity, scan_sequence

    now = context.clock.now()
    record, token = context.invitations.issue(purpose="meet_employee", host_id="kasi-pidum", nik=demo_identity().nik,
                                              valid_from=now - timedelta(hours=1), valid_until=now + timedelta(hours=8))
    held = dict(scan_sequence())["held"]
    context.flow.camera_sources["scan"] = str(write_frames(tmp_path / "cam-invite-ktp", *([qr_frame(token)] * 4 + [held] * 30)))
    ui = kiosk
    taps: list[str] = []
    screens: list[str] = []
    ui.app.screens.bind(current=lambda _sm, name: screens.append(name))
    real_tap = ui.tap

    def tap(widget) -> None:
        taps.append(ui.app.screens.current)
        real_tap(widget)

    ui.tap = tap
    agree_to_the_notice(ui)
    wait_for(ui, lambda: "Undangan diterima" in ui.screen.message)
    wait_for(ui, lambda: ui.app.screens.current == "confirm", timeout=60)  # the card read, its NIK the invited one
    draft = ui.app.flow_draft
    assert (draft.nik, draft.invitation_id) == (demo_identity().nik, record.id) and draft.name
    ui.screenshot("flow-1d-invitation-ktp-confirm")
    ui.tap(ui.find("next"))
    on(ui, "photo")
    wait_for(ui, lambda: ui.screen.captured, timeout=20)
    ui.tap(ui.find("next"))
    wait_for(ui, lambda: ui.app.screens.current == "done", timeout=30)
    assert screens == ["consent", "scan", "confirm", "photo", "finish", "done"]  # no purpose, no host, no typing
    assert taps == ["welcome", "consent", "confirm", "photo"]
    from kiosk.app.invitations import InvalidInvitation
    from kiosk.domain.visit import VisitState

    visit = max(context.visits.list_in_states(list(VisitState)), key=lambda v: v.created_at)
    assert (visit.purpose, visit.host_id) == ("meet_employee", "kasi-pidum") and visit.pass_id
    with pytest.raises(InvalidInvitation) as used:  # single use: the kiosk marked it
        context.invitations.open(token)
    assert used.value.reason == "used"


def test_a_complaint_tells_the_guest_to_write_it_down_and_goes_to_the_head_of_intelligence(kiosk, context):
    ui = kiosk
    flow = context.flow
    ui.app.flow_draft = draft = flow.start()
    ui.app.flow_history = ["welcome"]
    flow.give_consent(draft)
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
    agree_to_the_notice(ui)
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
    agree_to_the_notice(ui)
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
    agree_to_the_notice(ui)
    ui.tap(ui.find("type_nik"))
    on(ui, "entry")
    tap_keys(ui, ui.find("keyboard"), "123")
    ui.tap(ui.find("cancel"))
    assert ui.app.screens.current == "entry"  # Batal asks first
    confirm = ui.screen._confirm
    ui.tap(confirm.ids.no)
    assert ui.app.screens.current == "entry" and ui.find("nik").text == "123"
    ui.tap(ui.find("cancel"))
    ui.screenshot("flow-cancel-confirm")
    ui.tap(ui.screen._confirm.ids.yes)
    on(ui, "welcome")
    assert ui.app.flow_draft is None


@pytest.mark.parametrize("large,contrast", [(True, True)])
def test_large_text_and_high_contrast_apply_to_the_registration_screens(kiosk, large, contrast):
    ui = kiosk
    ui.tap(ui.header("large_text"))
    ui.tap(ui.header("contrast"))
    agree_to_the_notice(ui)
    ui.tap(ui.find("type_nik"))
    on(ui, "entry")
    tap_keys(ui, ui.find("keyboard"), NIK)
    ui.tap(ui.find("next"))
    on(ui, "proof")
    ui.tap(ui.find("skip"))
    on(ui, "confirm")
    assert ui.find("name").font_size > 26 and ui.app.theme.background[:3] == (0.0, 0.0, 0.0)
    ui.screenshot("flow-3c-confirm-large-contrast")


def test_before_the_idle_timeout_wipes_the_form_the_guest_is_asked_still_there_with_a_countdown(kiosk, context):
    ui = kiosk
    agree_to_the_notice(ui)
    ui.tap(ui.find("type_nik"))
    on(ui, "entry")
    tap_keys(ui, ui.find("keyboard"), "5105")
    idle = ui.app.idle
    idle._last -= idle.timeout_s - 12
    wait_for(ui, lambda: ui.app._idle_warning is not None and ui.app._idle_warning.parent is not None)
    warning = ui.app._idle_warning
    assert "Masih di sini?" in [w.text for w in warning.walk() if hasattr(w, "text")]
    assert 1 <= warning.seconds <= 12
    assert f"{warning.seconds} detik" in warning.ids.idle_countdown.text
    ui.screenshot("flow-idle-warning")
    ui.tap(warning.ids.still_here)
    assert warning.parent is None and idle.idle_for() < 5
    assert ui.app.screens.current == "entry" and ui.find("nik").text == "5105"
    idle._last -= idle.timeout_s + 1
    on(ui, "welcome")
    assert warning.parent is None and ui.app.flow_draft is None


def test_the_notice_and_the_proof_question_fit_the_7_inch_panel(kiosk):
    """800x480: the whole notice can be scrolled to, its button is on screen, the proof keys are tappable."""
    from kivy.core.window import Window

    ui = kiosk
    size = Window.size
    Window.size = (800, 480)
    try:
        ui.pump(10)
        ui.tap(ui.find("start"))
        on(ui, "consent")
        scroll, notice, agree = ui.find("scroll"), ui.find("notice"), ui.find("agree")
        assert notice.height > scroll.height  # longer than the panel: it scrolls rather than hides
        assert agree.to_window(*agree.pos)[1] >= 0 and agree.top <= Window.height
        ui.screenshot("flow-0-consent-800x480")
        scroll.scroll_y = 0
        ui.pump(5)
        ui.screenshot("flow-0-consent-800x480-end")
        ui.tap(agree)
        on(ui, "scan")
        ui.tap(ui.find("type_nik"))
        on(ui, "entry")
        tap_keys(ui, ui.find("keyboard"), "3201013104900001")
        assert "digit 7-12 (tanggal lahir)" in ui.find("nik_message").text
        ui.screenshot("flow-2-nik-entry-800x480-wrong-date")
        for _ in range(4):
            ui.tap(ui.find("keyboard").keys()["<"])
        tap_keys(ui, ui.find("keyboard"), "0001")
        ui.tap(ui.find("next"))
        ui.pump(5)
        assert ui.app.screens.current == "entry"  # still a wrong date: 31 April
        for _ in range(16):
            ui.tap(ui.find("keyboard").keys()["<"])
        tap_keys(ui, ui.find("keyboard"), NIK)
        ui.tap(ui.find("next"))
        on(ui, "proof")
        keys = ui.find("keyboard").keys()
        touch = ui.app.theme.touch
        assert min(k.height for k in keys.values()) >= 0.8 * touch and ui.find("skip").height >= touch
        ui.screenshot("flow-2b-proof-800x480")
        ui.find("body").scroll_y = 0  # the lower keys are reached by scrolling
        ui.pump(5)
        ui.screenshot("flow-2b-proof-800x480-end")
        tap_keys(ui, ui.find("keyboard"), "0000")
        assert ui.find("digits").text == "0000"
    finally:
        Window.size = size
        ui.pump(5)


def test_a_search_that_finds_nobody_offers_the_ptsp_officer_and_clearing_it_brings_the_whole_list_back(kiosk, context):
    ui = kiosk
    ui.tap(ui.find("start"))
    on(ui, "consent")
    ui.app.go("host")
    on(ui, "host")
    everyone = set(ui.screen.buttons())
    assert "ptsp" in everyone and len(everyone) == len(context.config.hosts)  # the whole directory: it scrolls
    assert f"{len(everyone)} nama" in ui.find("count").text
    ui.find("results_scroll").scroll_y = 0  # scrolled to the end before searching
    tap_keys(ui, ui.find("keyboard"), "ZZZZ")
    assert list(ui.screen.buttons()) == ["ptsp"]  # nobody found: the PTSP officer, as the message says
    assert "Tidak ditemukan" in ui.find("count").text and "Petugas PTSP" in ui.find("count").text
    ui.screenshot("flow-5c-host-none-found")
    for _ in range(4):
        ui.tap(ui.find("keyboard").keys()["<"])
    ui.pump(3)
    assert set(ui.screen.buttons()) == everyone and ui.find("results_scroll").scroll_y == 1  # from the top
    tap_keys(ui, ui.find("keyboard"), "ZZ")
    ui.tap(ui.screen.buttons()["ptsp"])  # the offered button takes the guest on
    on(ui, "photo")
    assert ui.app.flow_draft.host_id == "ptsp"


def test_a_wedge_scanner_that_types_the_code_and_enter_is_read_at_the_camera_step(kiosk, context):
    """A USB scanner that types the code and Enter (the X keyboard, not the configured serial scanner)."""
    ui = kiosk
    agree_to_the_notice(ui)
    assert ui.app.screens.current == "scan"
    ui.type_text("12345")
    ui.press_key(13)  # not a NIK: the guest is told, the step stays
    assert ui.app.screens.current == "scan" and ui.screen.message
    ui.type_text(NIK)
    ui.press_key(13)
    on(ui, "proof")  # a typed or scanned NIK asks whether the guest has been here before
    assert ui.app.flow_draft.nik == NIK


def test_digits_typed_on_a_hardware_keyboard_fill_the_nik_keypads_field(kiosk, context):
    ui = kiosk
    agree_to_the_notice(ui)
    ui.tap(ui.find("type_nik"))
    on(ui, "entry")
    ui.type_text(NIK[:-1] + "9")
    ui.press_key(8)  # Backspace takes the wrong last digit back
    assert ui.find("nik").text == NIK[:-1]
    ui.type_text(NIK[-1] + "77")  # a 17th digit is not taken
    assert ui.find("nik").text == NIK
    ui.press_key(13)
    on(ui, "proof")
    assert ui.app.flow_draft.nik == NIK
