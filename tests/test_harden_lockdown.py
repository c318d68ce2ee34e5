"""Kiosk lockdown: a USB keyboard or mouse in the lobby cannot open Kivy's settings or inspector, leave the app
(Escape, Alt-F4, the close button) or leave multitouch-emulation dots, each tried with real window events."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui

F1, ESCAPE, F4, E = 282, 27, 285, 101


@pytest.fixture
def kiosk_ui(make_config, artifacts):
    from datetime import UTC, datetime

    from kiosk.app.context import AppContext
    from kiosk.domain.clock import FixedClock
    from tests.ui_harness import UiHarness

    ctx = AppContext(make_config({"ui": {"fullscreen": True}}), clock=FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC)))
    harness = UiHarness(ctx, role="guest", artifacts=artifacts)
    yield harness
    harness.close()


def _running(h) -> bool:
    from kivy.base import EventLoop
    from kivy.core.window import Window

    return EventLoop.status != "stopped" and h.app.root in Window.children


def test_f1_opens_no_settings_panel_and_nothing_is_written_to_kivy_config(kiosk_ui):
    from kivy.config import Config
    from kivy.core.window import Window
    from kivy.uix.settings import Settings

    before = {s: dict(Config.items(s)) for s in Config.sections()}
    kiosk_ui.keyboard(F1)
    kiosk_ui.keyboard(F1)
    kiosk_ui.settle()
    assert not [w for top in Window.children for w in top.walk() if isinstance(w, Settings)]
    assert kiosk_ui.app._app_settings is None
    assert Config.write() is False
    assert {s: dict(Config.items(s)) for s in Config.sections()} == before
    kiosk_ui.screenshot("lockdown-after-f1")
    assert kiosk_ui.app.screens.current == "welcome"


def test_escape_does_not_end_the_kiosk(kiosk_ui):
    for _ in range(3):
        kiosk_ui.keyboard(ESCAPE)
    assert _running(kiosk_ui)


def test_alt_f4_and_the_close_button_are_refused_in_production(kiosk_ui):
    kiosk_ui.keyboard(F4, ("alt",))
    assert kiosk_ui.window_close() is True  # SDL2's quit event: a True answer keeps the window
    assert _running(kiosk_ui)


def test_the_close_button_still_works_on_a_developer_window(make_config, artifacts):
    from kiosk.app.context import AppContext
    from tests.ui_harness import UiHarness

    h = UiHarness(AppContext(make_config({"ui": {"fullscreen": False}})), role="guest", artifacts=artifacts)
    try:
        assert h.window_close() is False
    finally:
        h.close()


def test_no_inspector_or_other_kivy_module_is_active(kiosk_ui):
    from kivy.config import Config
    from kivy.core.window import Window
    from kivy.modules import Modules

    assert Config.options("modules") == []
    assert not [m for m, v in Modules.mods.items() if v.get("activated")]
    children = len(Window.children)
    kiosk_ui.keyboard(E, ("ctrl",))  # the inspector's key
    assert len(Window.children) == children


def test_right_and_middle_clicks_leave_no_multitouch_dots(kiosk_ui):
    from kivy.config import Config
    from kivy.input import MotionEventFactory

    # The mouse provider as the app's event loop builds it from the [input] config.
    kind, _, args = Config.get("input", "mouse").partition(",")
    mouse = MotionEventFactory.get(kind)("mouse", args)
    mouse.start()
    try:
        assert mouse.disable_multitouch
        for button in ("right", "middle"):
            kiosk_ui.mouse_click(300, 300, button)
        assert mouse.touches == {}  # an emulated touch stays (a red dot) after its release; none does
    finally:
        mouse.stop()
    assert _running(kiosk_ui)
