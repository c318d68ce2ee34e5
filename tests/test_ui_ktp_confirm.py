"""The KTP confirm screen: what the camera read, low-confidence and flagged fields highlighted for the guest."""
from __future__ import annotations

import pytest

from kiosk.domain.ktp import parse_ktp

pytestmark = pytest.mark.ui

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


@pytest.fixture
def ui(context, artifacts):
    from tests.ui_harness import UiHarness

    harness = UiHarness(context, role="guest", artifacts=artifacts)
    yield harness
    harness.close()


def _show(ui, reading):
    screen = ui.app.screens.get_screen("ktp_confirm")
    screen.show(reading)
    ui.app.go("ktp_confirm")
    ui.settle()
    return screen


def test_the_confirm_screen_fills_every_field_and_highlights_the_low_confidence_one(ui):
    screen = _show(ui, parse_ktp(LINES))
    rows = screen.rows()
    assert rows["name"].ids.field.text == "PUTRI LESTARI"
    assert rows["nik"].ids.field.text == "5105034101900001"
    assert rows["address"].highlighted and not rows["name"].highlighted
    assert rows["address"].ids.field.background_color != rows["name"].ids.field.background_color
    png = ui.screenshot("ktp-confirm-low-confidence-address")
    assert png.stat().st_size > 10_000


def test_a_nik_flag_is_shown_in_words_and_the_guest_can_correct_the_field(ui):
    lines = [(t, c) for t, c in LINES if not t.startswith("NIK")] + [("NIK : 5105 0341", 0.9)]
    screen = _show(ui, parse_ktp(lines))
    assert "NIK tidak terbaca" in screen.flags_text
    assert screen.rows()["nik"].highlighted
    field = screen.rows()["nik"].ids.field
    ui.tap(field)
    field.text = ""
    ui.type_text("5105034101900001")
    ui.screenshot("ktp-confirm-nik-flag")
    field.focus = False  # the docked keyboard goes away, uncovering the buttons
    ui.pump(5)
    ui.tap(screen.ids.confirm)
    assert screen.confirmed["nik"] == "5105034101900001"
    assert screen.confirmed["name"] == "PUTRI LESTARI"
