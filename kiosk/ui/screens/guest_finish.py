"""Step 7: the visit is committed, then the locker opens, the pass prints and the host is told (off the Kivy thread)."""
from __future__ import annotations

import logging

from kivy.properties import StringProperty

from kiosk.domain.errors import KioskError
from kiosk.ui.background import run_in_background
from kiosk.ui.screens.flow_base import FlowScreen

log = logging.getLogger(__name__)


class FinishScreen(FlowScreen):
    message = StringProperty("")

    def on_enter(self, *args) -> None:
        self.message = ""
        draft = self.draft
        self._busy = True
        run_in_background(lambda: self.flow.complete(draft), self._done, self._failed)

    def _done(self, outcome) -> None:
        self._busy = False
        self.app.flow_outcome = outcome
        # The visit is stored: nothing is left to forget on the way home.
        self.app.flow_draft = None
        self.app.flow_history = []
        self.app.go("done")

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        if isinstance(exc, KioskError):
            self.message = exc.text(self.app.lang)
        else:
            log.error("registration failed", exc_info=exc)
            self.message = self.app.tr("finish.failed")
        self.flow.alert_staff("registration_failed")

    def go_back(self) -> None:
        if not getattr(self, "_busy", False):
            super().go_back()

    def cancel(self) -> None:
        if not getattr(self, "_busy", False):
            super().cancel()
