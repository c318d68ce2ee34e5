"""The Kivy shell: welcome screens per role, language toggle, accessibility modes and the idle timeout."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui


@pytest.fixture
def ui(context, artifacts):
    from tests.ui_harness import UiHarness

    harness = UiHarness(context, role="guest", artifacts=artifacts)
    yield harness
    harness.close()


def test_guest_sees_the_office_and_a_start_button_in_indonesian(ui):
    assert ui.app.screens.current == "welcome"
    start = ui.find("start")
    assert start.text == "Mulai Pendaftaran"
    assert start.height >= 60
    assert ui.app.office_name == "Kejaksaan Negeri Klungkung"
    png = ui.screenshot("shell-guest-welcome-id")
    assert png.stat().st_size > 10_000


def test_language_toggle_switches_every_text_to_english_and_back(ui):
    ui.tap(ui.header("language"))
    assert ui.find("start").text == "Start registration"
    assert ui.header("language").text == "Bahasa"
    ui.screenshot("shell-guest-welcome-en")
    ui.tap(ui.header("language"))
    assert ui.find("start").text == "Mulai Pendaftaran"


def test_large_text_and_high_contrast_change_the_theme(ui):
    before = ui.find("start").font_size
    ui.tap(ui.header("large_text"))
    ui.tap(ui.header("contrast"))
    ui.pump(3)
    assert ui.find("start").font_size > before
    assert ui.app.theme.background[:3] == (0.0, 0.0, 0.0)
    ui.screenshot("shell-guest-welcome-large-contrast")


def test_help_is_reachable_with_a_tap_and_idle_timeout_brings_the_guest_back(ui):
    ui.tap(ui.find("help"))
    ui.settle()
    assert ui.app.screens.current == "help"
    ui.screenshot("shell-guest-help")
    ui.app.idle._last -= ui.app.idle.timeout_s + 1  # as if nobody touched the screen for the whole timeout
    ui.settle()
    assert ui.app.screens.current == "welcome"


def test_a_touch_restarts_the_idle_countdown(ui):
    ui.app.idle._last -= ui.app.idle.timeout_s - 5
    ui.tap(ui.find("help"))
    assert ui.app.idle.idle_for() < 5


@pytest.mark.parametrize("role,title", [("security", "Pos Keamanan"), ("survey", "Survei Kepuasan Masyarakat")])
def test_each_role_has_its_own_welcome_screen(context, artifacts, role, title):
    from tests.ui_harness import UiHarness

    harness = UiHarness(context, role=role, artifacts=artifacts)
    try:
        texts = [w.text for w in harness.screen.walk() if hasattr(w, "text")]
        assert title in texts
        harness.screenshot(f"shell-{role}-welcome")
    finally:
        harness.close()
