"""The security and survey screens, tapped like a finger: verdicts at the gate, the SKM survey end to end."""
from __future__ import annotations

import io

import pytest

from kiosk.domain.visit import VisitState as S
from tests.fixtures_gate import ACCEPTED, gate_for, token_for, visit_with_pass
from tests.fixtures_scanner import pty_pair  # noqa: F401  (fixture)

pytestmark = pytest.mark.ui


@pytest.fixture
def security(context, artifacts):
    from tests.ui_harness import UiHarness

    gate_for(context)
    harness = UiHarness(context, role="security", artifacts=artifacts)
    harness.settle()
    yield harness
    harness.close()


@pytest.fixture
def survey(context, artifacts):
    from tests.ui_harness import UiHarness

    harness = UiHarness(context, role="survey", artifacts=artifacts)
    yield harness
    harness.close()


def scan(ui, token: str) -> None:
    """What a keyboard-wedge scanner does: type the code and press Enter (no field has the focus)."""
    ui.type_text(token)
    ui.press_key(13)
    ui.pump(3)


def test_guard_scans_an_accepted_pass_and_sees_a_green_enter_with_name_photo_host_and_locker(security, tmp_path):
    from dataclasses import replace

    from PIL import Image, ImageDraw

    ctx = security.app.services
    visit = visit_with_pass(ctx, *ACCEPTED, locker=3, name="Budi Santoso")
    img = Image.new("RGB", (240, 320), (90, 120, 160))
    ImageDraw.Draw(img).ellipse((60, 60, 180, 200), fill=(230, 200, 170))
    jpeg = io.BytesIO()
    img.save(jpeg, "JPEG")
    visit = replace(visit, photo_path=ctx.photos.save(visit.id, jpeg.getvalue()))
    with ctx.db.transaction() as conn:
        ctx.visits.update(conn, visit)
    assert security.app.screens.current == "gate"
    assert security.find("verdict_text").text == "Siap memindai"
    scan(security, token_for(visit))
    assert security.find("verdict_text").text == "SILAKAN MASUK"
    assert security.find("guest_name").text == "Budi Santoso"
    assert security.find("locker").text == "Loker 3"
    assert tuple(security.find("photo").texture.size) == (240, 320)
    assert security.screen.green
    assert ctx.visits.get(visit.id).state is S.INSIDE
    assert security.find("inside_button").text == "Di dalam sekarang (1)"
    security.screenshot("security-verdict-enter")


def test_guard_sees_exit_with_the_id_card_reminder_then_a_red_already_checked_out(security):
    ctx = security.app.services
    visit = visit_with_pass(ctx, *ACCEPTED, S.INSIDE, name="Siti Aminah")
    scan(security, token_for(visit))
    assert security.find("verdict_text").text == "SILAKAN KELUAR"
    assert "Kembalikan KTP" in security.find("reminder").text
    security.screenshot("security-verdict-exit")
    scan(security, token_for(visit))
    assert security.find("verdict_text").text == "SUDAH KELUAR"
    assert not security.screen.green
    security.screenshot("security-verdict-already-out")


def test_a_forged_pass_turns_the_screen_red(security):
    visit = visit_with_pass(security.app.services, *ACCEPTED)
    scan(security, token_for(visit, forged=True))
    assert security.find("verdict_text").text == "PASS TIDAK SAH / TIDAK TERBACA"
    assert security.find("guest_name").text == ""
    security.screenshot("security-verdict-forged")


def test_inside_now_list_is_one_tap_away(security):
    ctx = security.app.services
    for name in ("Budi Santoso", "Siti Aminah"):
        visit_with_pass(ctx, *ACCEPTED, S.INSIDE, name=name)
    security.screen.refresh_count()
    security.pump(3)
    security.tap(security.find("inside_button"))
    security.settle()
    assert security.app.screens.current == "inside"
    names = [w.name_text for w in security.find("list_box").children]
    assert sorted(names) == ["Budi Santoso", "Siti Aminah"]
    security.tap(security.find("print_button"))
    assert security.screen.status == "Daftar dikirim ke printer"  # the simulated thermal printer
    security.screenshot("security-inside-now")


def test_respondent_answers_nine_questions_with_one_tap_each_and_the_ikm_counts_them(survey):
    ctx = survey.app.services
    survey.tap(survey.find("start"))
    survey.settle()
    assert survey.app.screens.current == "survey"
    assert survey.find("progress").text.startswith("Pertanyaan 1 dari 9")
    assert survey.find("a4").text == "Sangat sesuai"
    survey.screenshot("survey-question-1")
    for i, value in enumerate((4, 3, 3, 4, 3, 4, 4, 3, 4)):
        if i == 3:
            assert survey.find("a4").text == "Gratis" and survey.find("a1").text == "Sangat mahal"
            survey.screenshot("survey-question-4-cost")
        survey.tap(survey.find(f"a{value}"))
    survey.settle()
    assert survey.app.screens.current == "survey_profile"
    age = next(b for b in survey.find("age_group_options").children if b.value == "30-39")
    survey.tap(age)
    sex = next(b for b in survey.find("sex_options").children if b.value == "P")
    survey.tap(sex)
    assert sex.filled and sex.text == "Perempuan"
    survey.screenshot("survey-profile")
    survey.tap(survey.find("submit"))
    survey.settle()
    assert survey.app.screens.current == "survey_thanks"
    survey.screenshot("survey-thanks")
    (stored,) = ctx.surveys.repo.list_between(ctx.clock.now().replace(hour=0), ctx.clock.now().replace(hour=23))
    assert stored.answers == (4, 3, 3, 4, 3, 4, 4, 3, 4)
    assert (stored.age_group, stored.sex, stored.visit_id) == ("30-39", "P", None)


def test_scanning_the_pass_at_the_survey_desk_links_the_answers_and_checks_the_guest_out(survey):
    ctx = survey.app.services
    gate_for(ctx)
    visit = visit_with_pass(ctx, *ACCEPTED, S.INSIDE)
    survey.app.go("survey")
    survey.settle()
    for _ in range(9):
        survey.tap(survey.find("a3"))
    survey.settle()
    scan(survey, token_for(visit))
    assert survey.screen.linked
    survey.tap(survey.find("submit"))
    assert ctx.surveys.repo.for_visit(visit.id)[0].answers == (3,) * 9
    assert ctx.visits.get(visit.id).state is S.CHECKED_OUT


def test_a_serial_scanner_at_the_gate_lets_the_guest_in_like_the_wedge_does(make_config, artifacts, pty_pair):  # noqa: F811
    """The guard's scanner on a serial port (a pty here): its line reaches the gate screen's verdict."""
    import os
    import time
    from datetime import UTC, datetime

    from kiosk.app.context import AppContext
    from kiosk.domain.clock import FixedClock
    from tests.ui_harness import UiHarness

    master, port = pty_pair
    cfg = make_config({"devices": {"scanner": {"kind": "serial", "serial_port": port, "debounce_s": 5}}})
    ctx = AppContext(cfg, clock=FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC)))
    gate_for(ctx)
    ui = UiHarness(ctx, role="security", artifacts=artifacts)
    try:
        ui.settle()
        visit = visit_with_pass(ctx, *ACCEPTED, locker=4, name="Made Sukerta")
        os.write(master, token_for(visit).encode() + b"\r\n")
        deadline = time.monotonic() + 20
        while ui.find("verdict_text").text != "SILAKAN MASUK" and time.monotonic() < deadline:
            ui.pump(2)
        assert ui.find("verdict_text").text == "SILAKAN MASUK"
        assert ui.find("guest_name").text == "Made Sukerta"
        assert ctx.visits.get(visit.id).state is S.INSIDE
    finally:
        ui.close()
        ctx.close()
    assert ui.screen._device_scanner is None  # stopped with the app: no reader thread left on the port


def test_the_verdict_shows_the_photo_stored_under_the_data_folder_whatever_the_working_directory(
    security, tmp_path, monkeypatch
):
    """As under systemd: the visit keeps its photo relative to the data folder; the process runs elsewhere."""
    from dataclasses import replace

    from PIL import Image

    ctx = security.app.services
    visit = visit_with_pass(ctx, *ACCEPTED, name="Budi Santoso")
    jpeg = io.BytesIO()
    Image.new("RGB", (240, 320), (90, 120, 160)).save(jpeg, "JPEG")
    rel = ctx.photos.save(visit.id, jpeg.getvalue())  # encrypted: only the gate service opens it
    with ctx.db.transaction() as conn:
        ctx.visits.update(conn, replace(visit, photo_path=rel))
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    scan(security, token_for(visit))
    assert security.find("verdict_text").text == "SILAKAN MASUK"
    texture = security.find("photo").texture
    assert security.screen.photo and texture is not None and tuple(texture.size) == (240, 320)
    security.app.go("inside")
    security.settle()
    (row,) = security.find("list_box").children
    assert row.photo and tuple(row.photo_texture.size) == (240, 320)


def test_the_short_code_printed_under_the_qr_is_typed_on_the_on_screen_keyboard_and_lets_the_guest_in(security):
    from kiosk.domain.gatepass import display_pass_id

    ctx = security.app.services
    visit = visit_with_pass(ctx, *ACCEPTED, name="Budi Santoso")
    security.tap(security.find("type_code"))
    assert security.screen.typing
    security.settle()  # the keyboard slides into the verdict's place
    keys = security.find("keyboard").keys()
    for ch in display_pass_id(visit.pass_id):
        security.tap(keys[ch])
    security.screenshot("security-typing-code")
    security.tap(security.find("type_code"))  # "Periksa kode"
    assert security.find("verdict_text").text == "SILAKAN MASUK"
    assert ctx.visits.get(visit.id).state is S.INSIDE
    scan(security, "ZZZZZ-ZZZZZ")
    assert security.find("verdict_text").text == "PASS TIDAK SAH / TIDAK TERBACA"


def test_a_guest_whose_host_has_not_answered_gives_the_guard_the_host_to_call(security):
    ctx = security.app.services
    visit = visit_with_pass(ctx, S.WAITING_HOST, name="Budi Santoso")
    scan(security, token_for(visit))
    assert security.find("verdict_text").text == "TUNGGU JAWABAN PEGAWAI"
    host = next(h for h in ctx.config.hosts if h.id == visit.host_id)
    assert host.phone and host.phone in security.find("next_step").text
    assert "PTSP" in security.find("next_step").text
    security.screenshot("security-verdict-waiting-host")


def test_a_pass_scanned_after_a_typed_comment_checks_the_guest_out_and_names_the_locker(survey):
    ctx = survey.app.services
    gate_for(ctx)
    visit = visit_with_pass(ctx, *ACCEPTED, S.INSIDE, locker=7)
    survey.app.go("survey")
    survey.settle()
    for _ in range(9):
        survey.tap(survey.find("a4"))
    survey.settle()
    survey.tap(survey.find("comment"))
    assert survey.screen.typing  # the kiosk's own keyboard, never Kivy's
    survey.settle()
    keys = survey.find("keyboard").keys()
    for ch in "BAGUS":
        survey.tap(keys[ch])
    assert survey.find("comment").text == "BAGUS"
    assert survey.find("comment").focus
    scan(survey, token_for(visit))
    assert survey.find("comment").text == "BAGUS"  # the scan did not go into the comment
    assert ctx.visits.get(visit.id).state is S.CHECKED_OUT
    assert survey.find("scan_status").text == "Anda sudah keluar — ambil barang di loker 7"
    assert not survey.screen.typing  # the keyboard closed: the message is seen in full
    survey.settle()
    survey.screenshot("survey-checked-out-after-comment")
    survey.tap(survey.find("submit"))
    (stored,) = ctx.surveys.repo.for_visit(visit.id)
    assert stored.comment == "BAGUS"


def test_letters_typed_on_a_hardware_keyboard_before_a_scan_do_not_spoil_the_pass(survey):
    """A guest types "BAGUS" on a USB keyboard (it goes nowhere: the comment is typed on the screen's keys),
    then scans: the scanner's burst after the pause is the whole code, the guest is checked out."""
    ctx = survey.app.services
    gate_for(ctx)
    visit = visit_with_pass(ctx, *ACCEPTED, S.INSIDE, locker=3)
    survey.app.go("survey")
    survey.settle()
    for _ in range(9):
        survey.tap(survey.find("a4"))
    survey.settle()
    now = [100.0]
    survey.screen._wedge_clock = lambda: now[0]
    survey.type_text("BAGUS")
    now[0] += 5.0  # the guest stops typing and reaches for the pass
    scan(survey, token_for(visit))
    assert ctx.visits.get(visit.id).state is S.CHECKED_OUT
    assert survey.find("scan_status").text == "Anda sudah keluar — ambil barang di loker 3"


def test_a_pass_the_survey_desk_cannot_read_says_so_with_the_keyboard_closed(survey):
    survey.app.go("survey")
    survey.settle()
    for _ in range(9):
        survey.tap(survey.find("a4"))
    survey.settle()
    survey.tap(survey.find("comment"))
    assert survey.screen.typing
    scan(survey, "NOT-A-PASS")
    assert not survey.screen.typing  # on a small panel the message shows only without the keyboard
    assert survey.find("scan_status").text == survey.app.tr("survey.pass_unknown")
