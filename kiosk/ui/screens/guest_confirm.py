"""Step 3: the guest checks name, phone, institution and address (editable); the NIK is shown masked.

After a KTP read by the camera, the fields read with doubt are highlighted, and a NIK in doubt is shown
in full and editable. The rules (names, phone numbers, a card that disagrees with its NIK confirmed by a
second tap, where to go next) are the flow's (kiosk.domain.registration); this screen shows and asks.
A returning guest who proved it is them sees the date they first agreed to the data notice.
"""
from __future__ import annotations

from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.domain.errors import KioskError
from kiosk.domain.masking import mask_nik
from kiosk.ui.keyboard import OnScreenKeyboard  # noqa: F401  (used in the .kv)
from kiosk.ui.screens.flow_base import FlowScreen

FIELDS = ("name", "phone", "institution", "address")


class ConfirmScreen(FlowScreen):
    masked_nik = StringProperty("")
    returning = BooleanProperty(False)
    message = StringProperty("")
    from_card = BooleanProperty(False)  # the identity was read from the KTP by the camera
    born = StringProperty("")  # place, date of birth and sex as printed on the card
    checks = ListProperty([])  # fields to highlight: nik, name, address, born
    nik_editable = BooleanProperty(False)
    confirming = BooleanProperty(False)  # the guest was shown a disagreement; the next tap confirms it
    consent_date = StringProperty("")  # a proven returning guest: when they first agreed to the notice
    narrow = BooleanProperty(False)  # a small landscape panel (set in the .kv): the keyboard shows on a touch
    typing = BooleanProperty(False)  # a field has the keyboard

    def refresh(self) -> None:
        draft = self.draft
        self.returning = draft.returning
        self.message = ""
        self.confirming = False
        first = draft.consent_first_given
        self.consent_date = f"{first.astimezone(self.app._tz):%d-%m-%Y}" if first else ""
        self.from_card = draft.ktp is not None
        self.born = self.flow.born_text(draft)
        self.checks = sorted(self.flow.ktp_checks(draft))
        self.nik_editable = "nik" in self.checks
        self.masked_nik = draft.nik if self.nik_editable else mask_nik(draft.nik)
        self.ids.nik.text = self.masked_nik
        for name in FIELDS:
            self.ids[name].text = getattr(draft, name)
            self.ids[name].cursor = (0, 0)  # a long card address shows its start, not its end
        first = next((self.ids[f] for f in ("nik", "name", "address") if f in self.checks), None)
        self.typing = False
        if self.narrow and first is None and draft.name:
            # A small landscape panel: the details are read at full width; touching a field opens the keyboard.
            for name in ("nik", *FIELDS):
                self.ids[name].focus = False
            return
        self.focus_field(first or (self.ids.name if not draft.name else self.ids.phone))

    def focus_field(self, field) -> None:
        for name in ("nik", *FIELDS):
            if self.ids[name] is not field:
                self.ids[name].focus = False
        self.typing = True
        self.ids.keyboard.target = field
        self.ids.keyboard.layout = "phone" if field in (self.ids.phone, self.ids.nik) else "alpha"
        field.focus = True

    def store(self) -> None:
        for name in FIELDS:
            setattr(self.draft, name, self.ids[name].text.strip())

    def go_back(self) -> None:
        self.store()
        super().go_back()

    def go_forward(self) -> None:
        self.store()
        draft, lang = self.draft, self.app.lang
        if self.nik_editable:
            try:
                self.flow.correct_nik(draft, self.ids.nik.text)
            except KioskError as exc:
                self.message = exc.text(lang)
                self.focus_field(self.ids.nik)
                return
        try:
            flags = self.flow.confirm_details(draft, asked=self.confirming)
        except KioskError as exc:
            self.message = exc.text(lang)
            self.focus_field(self.ids.phone if exc.code == "invalid_phone" else self.ids.name)
            return
        if flags:
            self.confirming = True
            said = " ".join(f"{f.text_id if lang == 'id' else f.text_en}." for f in flags)
            self.message = f"{said} {self.app.tr('confirm.confirm_again')}"
            return
        for name in FIELDS:  # as stored: normalised spaces
            self.ids[name].text = getattr(draft, name)
        self.go_next(self.flow.next_after_confirm(draft))
