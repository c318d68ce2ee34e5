"""Step 2 (after a typed or scanned NIK): "registered here before?" The guest proves it is them with the last
4 digits of the phone number they gave; only then are their stored details shown. Every NIK gets this same
question, so the screen tells a stranger nothing about who has been here."""
from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.domain.errors import KioskError
from kiosk.ui.keyboard import OnScreenKeyboard  # noqa: F401  (used in the .kv)
from kiosk.ui.screens.flow_base import FlowScreen


class ProofScreen(FlowScreen):
    message = StringProperty("")
    locked = BooleanProperty(False)

    def refresh(self) -> None:
        self.message = ""
        self.locked = False
        self.ids.digits.text = ""
        self.ids.digits.focus = True

    def on_digits(self, field, text: str) -> None:
        if len(text) > 4:
            field.text = text[:4]
        elif text:
            self.message = "" if not self.locked else self.message

    def check(self) -> None:
        if self.locked or len(self.ids.digits.text) != 4:
            return
        try:
            self.flow.prove_by_phone(self.draft, self.ids.digits.text)
        except KioskError as exc:
            self.message = exc.text(self.app.lang)
            self.ids.digits.text = ""
            self.locked = exc.code == "proof_locked"
            return
        self.go_next("confirm")

    def skip(self) -> None:
        """First visit, or the guest would rather type: the confirm step starts empty."""
        self.flow.skip_proof(self.draft)
        self.go_next("confirm")

    def go_forward(self) -> None:
        self.skip() if self.locked else self.check()
