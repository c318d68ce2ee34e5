"""Step 1 (typed): the NIK on a big numeric keypad."""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.domain.errors import KioskError
from kiosk.ui.keyboard import OnScreenKeyboard  # noqa: F401  (used in the .kv)
from kiosk.ui.screens.flow_base import FlowScreen


class NikEntryScreen(FlowScreen):
    message = StringProperty("")

    def refresh(self) -> None:
        self.message = ""
        self.ids.nik.text = self.draft.nik

    def on_nik_text(self, field, text: str) -> None:
        if len(text) > 16:
            field.text = text[:16]
        self.message = ""

    def go_forward(self) -> None:
        try:
            self.flow.set_nik(self.draft, self.ids.nik.text, source="manual")
        except KioskError as exc:
            self.message = exc.text(self.app.lang)
            return
        self.go_next("confirm")
