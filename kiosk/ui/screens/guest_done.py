"""The end: the pass is printed (or where to get it), the locker number, where to wait. Back home by itself."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from kiosk.ui.screens.base import KioskScreen

HOME_AFTER_S = 30


class DoneScreen(KioskScreen):
    needs_desk = BooleanProperty(False)
    locker_text = StringProperty("")
    notices = StringProperty("")
    host_name = StringProperty("")
    pass_text = StringProperty("")

    def on_pre_enter(self, *args) -> None:
        outcome = getattr(self.app, "flow_outcome", None)
        if outcome is None:
            return
        lang = self.app.lang
        self.needs_desk = outcome.needs_desk
        self.host_name = outcome.visit.host_name
        self.locker_text = self.app.tr("done.locker", door=outcome.locker_door) if outcome.locker_door else ""
        self.pass_text = outcome.visit.id[:8].upper()
        lines = [r.text(lang) for r in (outcome.printed, outcome.locker, outcome.notified) if not r.ok and r.text(lang)]
        self.notices = "\n".join(lines)
        self._home = Clock.schedule_once(lambda _dt: self.finish(), HOME_AFTER_S)

    def on_leave(self, *args) -> None:
        if getattr(self, "_home", None) is not None:
            self._home.cancel()

    def finish(self) -> None:
        if self.app is None or self.app.screens.current_screen is not self:  # not showing (a stopped app): nothing to do
            return
        self.app.flow_outcome = None
        self.app.go_home()
