"""Step 2 (typed): the NIK on a big numeric keypad, judged part by part while it is typed: a wrong part says
which digits to look at ("digit 7-12 (tanggal lahir)"), a complete NIK names its region."""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.domain.errors import KioskError
from kiosk.ui.keyboard import OnScreenKeyboard  # noqa: F401  (used in the .kv)
from kiosk.ui.screens.flow_base import FlowScreen
from kiosk.ui.screens.wedge import ENTER_KEYS, WedgeScannerMixin


class NikEntryScreen(WedgeScannerMixin, FlowScreen):
    """The keypad on screen; a hardware keyboard (or a scanner reading a NIK barcode) typing digits and Enter
    fills the field and goes on, as the keypad's "Lanjut" does."""

    message = StringProperty("")
    tone = StringProperty("muted")  # muted | ok | warning | danger

    def on_kv_post(self, base_widget) -> None:
        super().on_kv_post(base_widget)
        self.app.bind(lang=lambda *_: self.judge(self.ids.nik.text))

    def refresh(self) -> None:
        self.ids.nik.text = self.draft.nik
        self.judge(self.draft.nik)

    def on_enter(self, *args) -> None:
        self.start_wedge(device=False)

    def on_leave(self, *args) -> None:
        self.stop_wedge()

    def _wedge_char(self, _window, text: str) -> None:
        """A digit typed on a hardware keyboard (or by a scanner reading a NIK barcode) goes into the field as
        the keypad's would; anything else is not part of a NIK."""
        digits = "".join(c for c in text if c.isdigit())
        if digits:
            self.ids.nik.text = (self.ids.nik.text + digits)[:16]

    def _wedge_key(self, _window, key: int, *_args) -> bool:
        if key == 8:  # Backspace
            self.ids.nik.text = self.ids.nik.text[:-1]
            return True
        if key in ENTER_KEYS:
            self.go_forward()
            return True
        return False

    def on_nik_text(self, field, text: str) -> None:
        if len(text) > 16:
            field.text = text[:16]
            return
        self.judge(text)

    def judge(self, digits: str) -> None:
        """What the digits typed so far mean: the error in words, the progress, or the region."""
        identity, lang = self.services.identity, self.app.lang
        error = identity.check_typing(digits)
        if error is not None:
            self.message, self.tone = error.text(lang), "danger"
        elif len(digits) < 16:
            self.message, self.tone = self.app.tr("entry.progress", typed=len(digits)), "muted"
        else:
            info = identity.parse_nik(digits)
            where = ", ".join(p for p in (info.district, info.regency, info.province) if p)
            if info.warnings:
                self.message, self.tone = f"{where}. {self.app.tr('entry.unknown_district')}", "warning"
            else:
                self.message, self.tone = where, "ok"

    def go_forward(self) -> None:
        try:
            needs_proof = self.flow.set_nik(self.draft, self.ids.nik.text, source="manual")
        except KioskError as exc:
            self.message, self.tone = exc.text(self.app.lang), "danger"
            return
        self.go_next("proof" if needs_proof else "confirm")
