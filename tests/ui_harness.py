"""Drives the real Kivy app headless: real touch and key events through the event loop, PNG screenshots.

Kivy has one window per process, so every UI test shares it; `UiHarness` builds the app's root into
that window, and `close()` takes it out again.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from kiosk.ui.setup import configure_window

# One window per process: tests/layout_walk.py runs each panel size in a process of its own.
_W, _H = (int(v) for v in os.environ.get("KIOSK_TEST_WINDOW", "1280x800").split("x"))
configure_window(width=_W, height=_H, fullscreen=False)

from kivy.app import App  # noqa: E402
from kivy.base import EventLoop  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.tests.common import UnitTestTouch  # noqa: E402

from kiosk.ui.app import KioskApp  # noqa: E402

EventLoop.ensure_window()


class UiHarness:
    def __init__(self, services, role: str | None = None, artifacts: Path | None = None) -> None:
        self.app = KioskApp(services, role=role)
        self.artifacts = artifacts
        App._running_app = self.app
        self.app._run_prepare()
        self.pump(5)

    # --- the event loop ---

    def pump(self, frames: int = 3) -> None:
        for _ in range(frames):
            EventLoop.idle()

    def lay_out(self, frames: int = 3) -> None:
        """Run the clock and lay out without drawing the window: every binding, trigger and layout of a frame
        (Kivy runs the triggers a frame makes until none is left), but no draw and no buffer swap, which is
        most of a frame's time under a software-rendered X server. Screenshots render on their own."""
        from kivy.clock import Clock
        from kivy.lang import Builder

        for _ in range(frames):
            Clock.tick()
            EventLoop.dispatch_input()
            Builder.sync()
            Clock.tick_draw()
            Builder.sync()

    def settle(self, frames: int = 30) -> None:
        """Let screen transitions (about 0.4 s of clock time) finish."""
        import time

        end = time.monotonic() + 0.6
        while time.monotonic() < end:
            EventLoop.idle()
        self.pump(frames)

    # --- finding widgets ---

    @property
    def screen(self):
        return self.app.screens.current_screen

    def find(self, widget_id: str, root=None):
        """A widget by its kv id on the current screen (or in `root`)."""
        root = root or self.screen
        stack = [root]
        while stack:
            w = stack.pop()
            if widget_id in getattr(w, "ids", {}):
                return w.ids[widget_id]
            stack.extend(w.children)
        raise LookupError(f"no widget with id {widget_id!r} on screen {self.app.screens.current!r}")

    def header(self, widget_id: str):
        """A widget of the header: the office name, the clock, or a toggle (at the bottom in portrait)."""
        root = self.app.root
        if widget_id in root.ids.header.ids:
            return root.ids.header.ids[widget_id]
        bar = root.ids.access if self.app.theme.portrait else root.ids.header
        return bar.ids.toggles.ids[widget_id]

    # --- a finger and a keyboard ---

    def tap(self, widget) -> None:
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(2)
        touch.touch_up()
        self.pump(3)

    def tap_at(self, x: float, y: float) -> None:
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(2)
        touch.touch_up()
        self.pump(3)

    def type_text(self, text: str) -> None:
        for ch in text:
            Window.dispatch("on_key_down", ord(ch), 0, ch, [])
            Window.dispatch("on_textinput", ch)
            Window.dispatch("on_key_up", ord(ch), 0)
        self.pump(2)

    def press_key(self, keycode: int) -> None:
        Window.dispatch("on_key_down", keycode, 0, None, [])
        Window.dispatch("on_key_up", keycode, 0)
        self.pump(2)

    def keyboard(self, keycode: int, modifiers: tuple[str, ...] = ()) -> None:
        """A key as SDL2 delivers it: on_key_down, then on_keyboard unless a handler took the key down."""
        mods = list(modifiers)
        if not Window.dispatch("on_key_down", keycode, 0, None, mods):
            Window.dispatch("on_keyboard", keycode, 0, None, mods)
        Window.dispatch("on_key_up", keycode, 0)
        self.pump(2)

    def window_close(self) -> bool:
        """What SDL2 does on Alt-F4 or the close button: True means the window stays open."""
        return bool(Window.dispatch("on_request_close"))

    def mouse_click(self, x: float, y: float, button: str) -> None:
        Window.dispatch("on_mouse_down", x, y, button, [])
        self.pump(2)
        Window.dispatch("on_mouse_up", x, y, button, [])
        self.pump(3)

    # --- pictures ---

    def screenshot(self, name: str) -> Path:
        assert self.artifacts is not None, "pass artifacts= to save screenshots"
        self.pump(3)
        safe = re.sub(r"[^a-z0-9_-]+", "-", name.lower())
        path = self.artifacts / f"{safe}.png"
        self.app.root.export_to_png(str(path))
        return path

    def close(self) -> None:
        # Let pending transitions and callbacks finish while this app is still the running one;
        # after `_running_app` is cleared nothing may run, or kv's `app` proxy would find no app.
        # A test may close the app itself before the fixture does: the second close does nothing.
        if App._running_app is not self.app:
            return
        self.settle(frames=3)
        self.app.dispatch("on_stop")
        for child in Window.children[:]:
            Window.remove_widget(child)
        App._running_app = None
