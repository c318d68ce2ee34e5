"""The base of the registration screens: the shared draft, step timing, back/cancel, and the idle reset."""
from __future__ import annotations

import logging

from kiosk.ui.screens.base import KioskScreen

log = logging.getLogger(__name__)


class FlowScreen(KioskScreen):
    """A step of the guest registration. The draft lives on the app while the guest is registering."""

    @property
    def flow(self):
        return self.services.flow

    @property
    def draft(self):
        draft = getattr(self.app, "flow_draft", None)
        if draft is None:
            draft = self.flow.start()
            self.app.flow_draft = draft
            self.app.flow_history = []
        return draft

    def on_kv_post(self, base_widget) -> None:
        # The app may stop on any screen: cameras and scanners must not outlive it.
        self.app.fbind("on_stop", lambda *_: self.stop_devices())

    def stop_devices(self) -> None:
        """Stop this screen's camera or scanner (screens that have one override this)."""

    def on_pre_enter(self, *args) -> None:
        self.flow.enter_step(self.draft, self.name)
        self.refresh()

    def refresh(self) -> None:
        """Show what the draft holds (called each time the screen is entered)."""

    def go_next(self, name: str) -> None:
        self.app.flow_history.append(self.name)
        self.app.go(name)

    def go_back(self) -> None:
        history = getattr(self.app, "flow_history", None)
        if history:
            self.app.go(history.pop(), direction="right")
        else:
            self.cancel()

    def cancel(self) -> None:
        """Batal asks first: everything entered so far is deleted."""
        from kiosk.ui.dialogs import ConfirmCancel

        self._confirm = ConfirmCancel(on_yes=self.app.go_home)
        self._confirm.open(animation=False)

    def reset(self) -> None:
        draft = getattr(self.app, "flow_draft", None)
        if draft is not None:
            self.flow.cancel(draft, reason="home")
            self.app.flow_draft = None
            self.app.flow_history = []
