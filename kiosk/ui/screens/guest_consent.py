"""Step 6: the UU PDP notice (what is kept, why, for how long); the guest must agree before registering."""
from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty

from kiosk.ui.screens.flow_base import FlowScreen


class ConsentScreen(FlowScreen):
    agreed = BooleanProperty(False)
    retention_days = NumericProperty(30)

    def refresh(self) -> None:
        self.retention_days = self.flow.retention_days()
        self.agreed = self.draft.consent

    def toggle(self) -> None:
        self.agreed = not self.agreed

    def go_forward(self) -> None:
        if not self.agreed:
            return
        self.flow.give_consent(self.draft)
        self.go_next("finish")
