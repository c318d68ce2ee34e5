"""Step 1: the UU PDP notice (what is recorded, why, who receives it, for how long, whom to ask), BEFORE the
kiosk captures anything: no camera, no NIK, no photo until the guest agrees."""
from __future__ import annotations

from kivy.properties import NumericProperty, StringProperty

from kiosk.ui.screens.flow_base import FlowScreen


class ConsentScreen(FlowScreen):
    retention_days = NumericProperty(30)
    version = StringProperty("")
    office_phone = StringProperty("")

    def refresh(self) -> None:
        self.retention_days = self.flow.retention_days()
        self.version = self.flow.consent_version()
        self.office_phone = self.app.office_phone or "PTSP"
        self.ids.scroll.scroll_y = 1

    def agree(self) -> None:
        """An explicit, affirmative tap: the guest agrees, and only now does the kiosk start capturing."""
        self.flow.give_consent(self.draft)
        self.go_next("scan")

    def go_forward(self) -> None:
        self.agree()
