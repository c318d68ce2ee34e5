"""Step 2: the guest checks name, phone, institution and address (editable); the NIK is shown masked."""
from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.domain.masking import mask_nik
from kiosk.ui.keyboard import OnScreenKeyboard  # noqa: F401  (used in the .kv)
from kiosk.ui.screens.flow_base import FlowScreen

FIELDS = ("name", "phone", "institution", "address")


class ConfirmScreen(FlowScreen):
    masked_nik = StringProperty("")
    returning = BooleanProperty(False)
    message = StringProperty("")

    def refresh(self) -> None:
        draft = self.draft
        self.masked_nik = mask_nik(draft.nik)
        self.returning = draft.returning
        self.message = ""
        for name in FIELDS:
            self.ids[name].text = getattr(draft, name)
        self.focus_field(self.ids.name if not draft.name else self.ids.phone)

    def focus_field(self, field) -> None:
        for name in FIELDS:
            if self.ids[name] is not field:
                self.ids[name].focus = False
        self.ids.keyboard.target = field
        self.ids.keyboard.layout = "phone" if field is self.ids.phone else "alpha"
        field.focus = True

    def store(self) -> None:
        for name in FIELDS:
            setattr(self.draft, name, self.ids[name].text.strip())

    def go_back(self) -> None:
        self.store()
        super().go_back()

    def go_forward(self) -> None:
        self.store()
        name, phone = self.draft.name, self.draft.phone.replace(" ", "")
        if len(name) < 2:
            self.message = self.app.tr("confirm.need_name")
            self.focus_field(self.ids.name)
            return
        if phone and not (phone.lstrip("+").isdigit() and 8 <= len(phone.lstrip("+")) <= 15):
            self.message = self.app.tr("confirm.bad_phone")
            self.focus_field(self.ids.phone)
            return
        self.go_next("purpose")
