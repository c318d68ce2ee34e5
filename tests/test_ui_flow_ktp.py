"""The guest shows the e-KTP to the scan step's camera: live guidance, then the confirm step filled from the card."""
from __future__ import annotations

import dataclasses
import threading
from datetime import timedelta

import pytest

from kiosk.devices.ktp_synth import SCAN_MOMENTS, demo_identity, scan_sequence
from tests.fixtures_flow import write_frames
from tests.test_ui_flow import agree_to_the_notice, kiosk, on, wait_for  # noqa: F401  (the flow's fixture and helpers)

pytestmark = pytest.mark.ui

OCR_WAIT_S = 90  # a card read is about a second; this machine is shared


def card_camera(tmp_path, ident, name: str = "cam-ktp", held: int = 6) -> str:
    """A folder of camera frames: a guest brings the card in (too far, glare) and then holds it still."""
    moments = dict(scan_sequence(ident))
    counts = {"desk": 1, "far": 3, "glare": 3, "held": held}
    frames = [moments[m] for m, _ in SCAN_MOMENTS for _ in range(counts[m])]
    return str(write_frames(tmp_path / name, *frames))


def watch_guidance(screen) -> list[str]:
    seen: list[str] = []
    screen.bind(guidance=lambda _w, value: seen.append(value))
    return seen


def test_the_simulated_camera_shows_a_generated_ktp_and_the_confirm_step_is_filled_from_it(kiosk, context):  # noqa: F811
    ui = kiosk
    ident = demo_identity()
    context.flow.camera_sources.pop("scan")  # the simulated kiosk's own scan camera (config/simulate.toml)
    agree_to_the_notice(ui)
    seen = watch_guidance(ui.screen)
    wait_for(ui, lambda: ui.screen.guidance == "reading", timeout=60, settle=False)
    assert {"move_closer", "reduce_glare", "hold_still"} <= set(seen)
    assert ui.find("guidance_id").text.startswith("Membaca") and ui.find("guidance_en").text.startswith("Reading")
    ui.screenshot("flow-1b-ktp-guidance")
    on_confirm = ui.app.screens.get_screen("confirm")
    wait_for(ui, lambda: ui.app.screens.current == "confirm", timeout=OCR_WAIT_S)
    draft = ui.app.flow_draft
    assert (draft.nik, draft.name, draft.identity_source) == (ident.nik, ident.name, "ocr")
    assert draft.address.startswith(ident.address) and ident.village in draft.address
    assert ui.find("nik").text == "*" * 12 + ident.nik[-4:]  # read with confidence: masked, nothing to check
    assert ui.find("name").text == ident.name and not on_confirm.checks
    assert f"{ident.birth_date:%d-%m-%Y}" in ui.find("born").text
    ui.tap(ui.find("next"))
    on(ui, "purpose")


def test_a_card_whose_nik_disagrees_with_the_printed_birth_date_is_highlighted_and_must_be_confirmed(
    kiosk, context, tmp_path  # noqa: F811
):
    ui = kiosk
    true = demo_identity(seed=5)
    # The NIK encodes one birth date, the card prints another (a forged or misprinted card, or a misread).
    card = dataclasses.replace(true, birth_date=true.birth_date - timedelta(days=3))
    context.flow.camera_sources["scan"] = card_camera(tmp_path, card)
    agree_to_the_notice(ui)
    wait_for(ui, lambda: ui.app.screens.current == "confirm", timeout=OCR_WAIT_S)
    screen, draft = ui.screen, ui.app.flow_draft
    assert draft.nik == card.nik and draft.name == card.name
    assert {"nik", "born"} <= set(screen.checks)
    nik = ui.find("nik")
    assert nik.text == card.nik and not nik.readonly and nik.check  # shown in full for the guest to check
    assert nik.background_color != ui.find("phone").background_color
    assert "BERBEDA" in screen.ids.notice.text.upper() or "kuning" in screen.ids.notice.text
    ui.tap(ui.find("next"))
    ui.pump(5)
    assert ui.app.screens.current == "confirm"  # never accepted silently
    assert "Tanggal lahir di NIK berbeda" in screen.message and screen.confirming
    ui.screenshot("flow-3d-confirm-ktp")
    ui.tap(ui.find("next"))  # the guest looked at the card and confirms
    on(ui, "purpose")
    assert draft.ktp_flags_confirmed and draft.nik == card.nik


def test_a_code_scanned_while_the_card_is_being_read_wins(kiosk, context, tmp_path):  # noqa: F811
    ui = kiosk
    ident = demo_identity(seed=5)
    other = "5105011508850001"
    context.flow.camera_sources["scan"] = card_camera(tmp_path, ident, held=20)
    agree_to_the_notice(ui)
    wait_for(ui, lambda: ui.screen.guidance == "reading", timeout=60, settle=False)
    scan, worker = ui.screen, ui.screen._card.worker
    assert worker is not None and worker.name == "ktp-read" and worker is not threading.current_thread()
    scan.got_code(other)  # the serial/HID scanner's callback, on the Kivy thread
    on(ui, "proof")  # a scanned NIK asks the returning-guest question; the card read must not jump over it
    worker.join(OCR_WAIT_S)
    ui.pump(10)
    draft = ui.app.flow_draft
    assert ui.app.screens.current == "proof"
    assert (draft.nik, draft.identity_source, draft.ktp) == (other, "scan", None)


# OCR lines of a card (no camera, no OCR engine): the confirm step's highlighting on its own.
LINES = [
    ("PROVINSI BALI", 0.95),
    ("KABUPATEN KLUNGKUNG", 0.95),
    ("NIK : 5105034101900001", 0.95),
    ("Nama : PUTRI LESTARI", 0.95),
    ("Tempat/Tgl Lahir : KLUNGKUNG, 01-01-1990", 0.95),
    ("Jenis Kelamin : PEREMPUAN Gol. Darah : A", 0.95),
    ("Alamat : JL. MAWAR NO. 3", 0.40),  # a smudged line: low confidence
    ("RT/RW : 001/002", 0.95),
    ("Kel/Desa : GELGEL", 0.95),
    ("Kecamatan : KLUNGKUNG", 0.95),
    ("Agama : HINDU", 0.95),
    ("Status Perkawinan : KAWIN", 0.95),
    ("Pekerjaan : GURU", 0.95),
    ("Kewarganegaraan : WNI", 0.95),
]


def confirm_from_lines(ui, context, lines):
    from kiosk.domain.ktp import parse_ktp

    draft = ui.app.flow_draft = context.flow.start()
    context.flow.give_consent(draft)
    ui.app.flow_history = ["scan"]
    context.flow.apply_ktp(draft, parse_ktp(lines, today=context.clock.now().date()))
    ui.app.go("confirm")
    on(ui, "confirm")
    return ui.screen, draft


def test_a_field_read_with_low_confidence_is_highlighted_and_the_rest_is_not(kiosk, context):  # noqa: F811
    ui = kiosk
    screen, draft = confirm_from_lines(ui, context, LINES)
    assert screen.checks == ["address"]
    assert ui.find("address").check and not ui.find("name").check
    assert ui.find("address").background_color != ui.find("name").background_color
    assert ui.find("nik").readonly and ui.find("nik").text == "************0001"
    assert ui.find("address").text == "JL. MAWAR NO. 3, RT/RW 001/002, GELGEL, KLUNGKUNG"
    assert "kuning" in screen.ids.notice.text


def test_a_nik_read_only_in_part_must_be_typed_before_the_guest_goes_on(kiosk, context):  # noqa: F811
    from tests.test_ui_flow import tap_keys

    ui = kiosk
    lines = [(t, c) for t, c in LINES if not t.startswith("NIK")] + [("NIK : 5105 0341", 0.9)]
    screen, draft = confirm_from_lines(ui, context, lines)
    nik = ui.find("nik")
    assert "nik" in screen.checks and not nik.readonly and nik.text == "51050341"
    ui.tap(ui.find("next"))
    assert ui.app.screens.current == "confirm" and "NIK" in screen.message  # an invalid NIK stops here
    ui.tap(nik)
    nik.text = ""
    tap_keys(ui, ui.find("keyboard"), "5105034101900001")
    ui.tap(ui.find("next"))
    on(ui, "purpose")  # the typed NIK agrees with the printed birth date and sex: nothing more to confirm
    assert draft.nik == "5105034101900001" and draft.name == "PUTRI LESTARI"


def test_after_a_card_is_read_and_the_guest_cancels_the_next_guest_can_start_and_be_read(kiosk, context):  # noqa: F811
    """The lobby kiosk serves one guest after another: a finished card read leaves nothing stuck behind."""
    ui = kiosk
    context.flow.camera_sources.pop("scan")  # the simulated kiosk's own scan camera
    for _guest in range(2):
        agree_to_the_notice(ui)
        wait_for(ui, lambda: ui.app.screens.current == "confirm", timeout=OCR_WAIT_S)
        assert ui.app.flow_draft.identity_source == "ocr"
        ui.tap(ui.find("cancel"))
        ui.tap(ui.screen._confirm.ids.yes)  # "Ya, batalkan"
        on(ui, "welcome")
        assert ui.app.flow_draft is None
