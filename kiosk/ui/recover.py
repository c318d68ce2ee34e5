"""A bug in a screen must not leave a blank kiosk in the lobby: log it, tell staff, go back to welcome.

Kivy's ExceptionManager lets a handler keep the main loop running. Ours does so a few times; when errors
come faster than that (something is broken for good) it lets the exception end the app, and systemd
restarts it (`Restart=always` in systemd/kiosk@.service).
"""
from __future__ import annotations

import logging
import time

from kivy.base import ExceptionHandler, ExceptionManager
from kivy.clock import Clock

log = logging.getLogger(__name__)

MAX_ERRORS = 5  # within WINDOW_S: then restart instead of recovering again
WINDOW_S = 60.0


class RecoverToWelcome(ExceptionHandler):
    def __init__(self, app) -> None:
        super().__init__()
        self.app = app
        self.recent: list[float] = []

    def handle_exception(self, inst):
        if isinstance(inst, (KeyboardInterrupt, SystemExit)):
            return ExceptionManager.RAISE
        now = time.monotonic()
        self.recent = [t for t in self.recent if now - t < WINDOW_S] + [now]
        screen = getattr(getattr(self.app, "screens", None), "current", "")
        log.error("unexpected error in the UI", exc_info=inst, extra={"screen": screen, "recent": len(self.recent)})
        if len(self.recent) > MAX_ERRORS:
            log.critical("too many UI errors: stopping so that systemd restarts the kiosk")
            return ExceptionManager.RAISE
        Clock.schedule_once(lambda _dt: self._recover(), 0)
        return ExceptionManager.PASS

    def _recover(self) -> None:
        try:
            self.app.go_home()  # as on idle: each screen's reset cancels an unfinished registration and its photo
            self.app.services.flow.alert_staff("ui_error")
        except Exception:  # recovering must never raise into the handler again
            log.exception("recovery after a UI error failed")


def install(app) -> RecoverToWelcome:
    handler = RecoverToWelcome(app)
    ExceptionManager.add_handler(handler)
    return handler


def uninstall(handler: RecoverToWelcome | None) -> None:
    if handler is not None and handler in ExceptionManager.handlers:
        ExceptionManager.remove_handler(handler)
