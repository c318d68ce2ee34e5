"""Manual NIK entry: the guest taps the NIK on the keypad, types the name, and sees errors in words while typing."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui

NIK = "3201015708850123"


@pytest.fixture
def ui(context, artifacts):
    from tests.ui_harness import UiHarness

    harness = UiHarness(context, role="guest", artifacts=artifacts)
    harness.app.go("manual_entry")
    harness.settle()
    yield harness
    harness.close()


def tap_digits(ui, digits: str) -> None:
    for d in digits:
        ui.tap(ui.find(f"key_{d}"))


def test_guest_types_nik_on_the_keypad_and_name_on_the_keyboard(ui):
    screen = ui.screen
    got = []
    screen.bind(on_identity=lambda _s, identity: got.append(identity))
    assert ui.find("next").disabled
    tap_digits(ui, NIK[:3] + "9")
    ui.tap(ui.find("key_delete"))
    tap_digits(ui, NIK[3:6])
    assert ui.find("nik_display").text == "3201 01"
    assert ui.find("nik_message").text == "6 dari 16 angka"
    ui.type_text(NIK[6:])  # the rest from a keyboard (PTSP desk), key events through the window
    assert ui.find("nik_message").text == "Cibinong, Kabupaten Bogor, Jawa Barat"
    assert ui.find("next").disabled  # no name yet
    ui.tap(ui.find("name_input"))
    ui.type_text("Siti  Aminah")
    assert screen.name_text == "Siti  Aminah" and not ui.find("next").disabled
    ui.screenshot("manual-entry-filled-id")
    ui.find("name_input").focus = False
    ui.pump(3)
    ui.tap(ui.find("next"))
    assert [(i.nik, i.name) for i in got] == [(NIK, "Siti Aminah")]


def test_a_wrong_province_is_explained_as_soon_as_two_digits_are_typed(ui):
    ui.type_text("99")
    assert ui.find("nik_message").text == "NIK salah (provinsi): kode provinsi 99 tidak dikenal"
    ui.tap(ui.header("language"))
    assert ui.find("nik_message").text == "invalid NIK (province): province code 99 does not exist"
    ui.screenshot("manual-entry-wrong-province-en")
    ui.tap(ui.find("key_delete"))
    ui.press_key(8)  # backspace on a keyboard
    assert ui.screen.nik_digits == "" and ui.find("nik_message").text == "0 of 16 digits"
    ui.tap(ui.header("language"))


def test_impossible_dates_serial_0000_and_names_with_digits_are_refused_and_idle_reset_forgets_all(ui):
    ui.type_text("320101310490")
    assert "31-04-1990" in ui.find("nik_message").text and "tanggal lahir" in ui.find("nik_message").text
    ui.tap(ui.find("key_clear"))
    ui.type_text("3201011708850000")
    assert "nomor urut" in ui.find("nik_message").text
    assert ui.find("next").disabled
    ui.tap(ui.find("key_clear"))
    ui.type_text(NIK)
    ui.tap(ui.find("name_input"))
    ui.type_text("Budi 2")
    assert "huruf" in ui.find("name_message").text and ui.find("next").disabled
    ui.app.go_home()
    ui.settle()
    assert ui.app.screens.get_screen("manual_entry").nik_digits == ""
    assert ui.app.screens.get_screen("manual_entry").ids.name_input.text == ""
