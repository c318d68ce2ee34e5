"""The Kivy application: one app, three roles (guest, security, survey), screens from kiosk/ui/screens.

Import `kiosk.ui.setup.configure_window` and call it before importing this module: Kivy reads the
window configuration when `kivy.core.window` is first imported.
"""
from __future__ import annotations

import importlib
import json
import logging
import os
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from kiosk.domain.errors import KioskError
from kiosk.ui import (
    keyboard,  # noqa: F401  (registers the on-screen keyboard widgets)
    recover,
    widgets,  # noqa: F401  (registers widget classes before the .kv files use them)
)
from kiosk.ui.i18n import tr
from kiosk.ui.idle import IdleWatcher
from kiosk.ui.screens import ROLE_SCREENS
from kiosk.ui.theme import Theme, make_theme
from kiosk.ui.watchdog import UiWatchdog

if TYPE_CHECKING:
    from kiosk.app.context import AppContext

log = logging.getLogger(__name__)
# The last seconds of the idle timeout ask "Masih di sini?" with a countdown before the form is wiped.
IDLE_WARNING_S = 20
KV_DIR = Path(__file__).parent / "kv"


def _load_screen_class(spec: str):
    module_name, _, class_name = spec.partition(":")
    module = importlib.import_module(f"kiosk.ui.screens.{module_name}")
    return module_name, getattr(module, class_name)


class KioskApp(App):
    lang = StringProperty("id")
    # rebind: .kv rules read `app.theme.<size>`; a new Theme object must re-evaluate them.
    theme = ObjectProperty(Theme(), rebind=True)
    large_text = BooleanProperty(False)
    high_contrast = BooleanProperty(False)
    role = StringProperty("guest")
    office_name = StringProperty("")
    office_phone = StringProperty("")
    clock_text = StringProperty("")

    # Lockdown: no Kivy settings panel (F1 opened it, and what was changed there persisted).
    use_kivy_settings = False

    def __init__(self, services: AppContext, role: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.services = services
        cfg = services.config
        self.role = role or cfg.kiosk.role
        self.lang = cfg.ui.language
        self.large_text = cfg.ui.large_text
        self.high_contrast = cfg.ui.high_contrast
        self.office_name = cfg.office.name
        self.office_phone = cfg.office.phone
        self.display = None  # kiosk.ui.display.Display, known once the window is
        self.theme = make_theme(large_text=self.large_text, high_contrast=self.high_contrast)
        self.title = f"Buku Tamu - {cfg.office.name}"
        self._tz = ZoneInfo(cfg.office.timezone)
        self.idle = IdleWatcher(cfg.ui.idle_timeout_s, self.on_idle, warn_s=IDLE_WARNING_S,
                                on_warn=self.on_idle_warning, on_active=self._touched_during_warning)
        self._idle_warning = None
        self.first_frame_at: float | None = None

    # --- building ---

    def build(self):
        self._measure_display()
        Window.bind(size=self._window_resized)
        kv_files = sorted(KV_DIR.glob("*.kv"))
        screens = [_load_screen_class(spec) for spec in ROLE_SCREENS[self.role]]
        for path in kv_files:
            if str(path) not in Builder.files:
                Builder.load_file(str(path))
        root = widgets.KioskRoot()
        manager = root.ids.screens
        for _module, cls in screens:
            manager.add_widget(cls())
        return root

    @property
    def screens(self):
        return self.root.ids.screens

    # --- words and looks ---

    def tr(self, key: str, lang: str | None = None, **values: object) -> str:
        """Look a UI string up; .kv files pass `app.lang` so that the text follows the toggle."""
        return tr(key, lang or self.lang, **values)

    def toggle_language(self) -> None:
        self.lang = "en" if self.lang == "id" else "id"

    def toggle_large_text(self) -> None:
        self.large_text = not self.large_text
        self._retheme()

    def toggle_high_contrast(self) -> None:
        self.high_contrast = not self.high_contrast
        self._retheme()

    def _retheme(self) -> None:
        self.theme = make_theme(large_text=self.large_text, high_contrast=self.high_contrast, display=self.display)

    def _measure_display(self) -> None:
        """Sizes in millimetres on this panel: the theme's pixels and Kivy's dp (1/160 inch) follow it."""
        from kivy.metrics import Metrics

        from kiosk.ui.display import resolve

        width, height = (int(v) for v in Window.size)
        self.display = resolve(self.services.config.ui.display, width, height)
        Metrics.density = self.display.dpi / 160.0
        self._retheme()

    def _window_resized(self, _window, size) -> None:
        if self.display is None or (self.display.width, self.display.height) != tuple(int(v) for v in size):
            self._measure_display()

    # --- navigation ---

    def go(self, name: str, direction: str = "left") -> None:
        self.screens.transition.direction = direction
        self.screens.current = name

    def go_home(self) -> None:
        """Back to the welcome screen, forgetting everything unfinished on every screen."""
        for screen in self.screens.screens:
            screen.reset()
        self.go(self.screens.screen_names[0], direction="right")
        self.lang = self.services.config.ui.language

    def on_idle_warning(self, seconds_left: float) -> None:
        if self.screens.current == self.screens.screen_names[0]:
            return  # nothing to lose on the welcome screen
        from kiosk.ui.dialogs import IdleWarning

        if self._idle_warning is None:
            self._idle_warning = IdleWarning()
        self._idle_warning.seconds = max(1, int(seconds_left + 0.5))
        if self._idle_warning.parent is None:
            self._idle_warning.open(animation=False)

    def _touched_during_warning(self) -> None:
        # Closed on the next frame: the touch that closes it lands on the warning, not on the screen under it.
        Clock.schedule_once(lambda _dt: self._hide_idle_warning(), 0)

    def _hide_idle_warning(self) -> None:
        if self._idle_warning is not None and self._idle_warning.parent is not None:
            self._idle_warning.dismiss(animation=False)

    def on_idle(self) -> None:
        self._hide_idle_warning()
        if self.screens.current != self.screens.screen_names[0]:
            log.info("idle timeout", extra={"screen": self.screens.current})
            self.go_home()

    # --- lifecycle ---

    def open_settings(self, *largs) -> bool:
        """F1 (or anything else) never opens Kivy's settings panel over the kiosk."""
        log.warning("settings panel refused")
        return False

    def refuse_close(self, *largs, **kwargs) -> bool:
        """Alt-F4, a window manager's close or an SDL quit event: refused in production (fullscreen); systemd
        stops the kiosk with SIGTERM, not through the window."""
        if self.services.config.ui.fullscreen:
            log.warning("window close refused", extra={"source": str(kwargs.get("source", "window"))})
            return True
        return False

    def on_start(self) -> None:
        Window.bind(on_request_close=self.refuse_close)
        self._recover = recover.install(self)
        if self.services.config.ui.fullscreen:
            Window.show_cursor = False
        self.idle.start()
        self.watchdog = UiWatchdog()
        self.watchdog.start(status=f"role {self.role}")
        self._start_sync()
        self._start_devices()
        self._tick_clock(0)
        self._clock_event = Clock.schedule_interval(self._tick_clock, 1)
        Clock.schedule_once(self._first_frame, 0)
        log.info("kiosk started", extra={"role": self.role, "device_id": self.services.config.kiosk.device_id})

    def on_stop(self) -> None:
        Window.unbind(on_request_close=self.refuse_close)
        recover.uninstall(getattr(self, "_recover", None))
        Window.unbind(size=self._window_resized)
        if getattr(self, "_clock_event", None) is not None:
            self._clock_event.cancel()
        self.idle.stop()
        self._hide_idle_warning()
        if getattr(self, "watchdog", None) is not None:
            self.watchdog.stop()
        self.services.close()

    def _start_devices(self) -> None:
        """Every peripheral's service checks and reconnects in the background from now on; screens subscribe."""
        try:
            self.services.devices.start()
        except Exception:  # a device that cannot even be set up shows as offline; the kiosk still runs
            log.exception("device services not started")

    def _start_sync(self) -> None:
        """The outbox worker runs beside the UI in its own thread; a sync problem never stops the kiosk."""
        try:
            self.services.sync.start()
        except KioskError as exc:
            log.warning("sync not started", extra={"code": exc.code})

    def _tick_clock(self, _dt: float) -> None:
        self.clock_text = datetime.now(self._tz).strftime("%H:%M")

    def _first_frame(self, _dt: float) -> None:
        self.first_frame_at = time.time()
        probe = os.environ.get("KIOSK_PROBE")
        if probe:
            # bench/startup.py: the time of the first frame, then the resident memory after idling.
            Clock.schedule_once(lambda _dt: self._write_probe(probe), float(os.environ.get("KIOSK_PROBE_IDLE_S", "3")))

    def _write_probe(self, path: str) -> None:
        rss_kb = 0
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    rss_kb = int(line.split()[1])
        Path(path).write_text(json.dumps({"first_frame_at": self.first_frame_at, "rss_idle_kb": rss_kb}))
        self.stop()
