"""Confirm what the camera read from the KTP: every field editable, low-confidence and flagged fields highlighted."""
from __future__ import annotations

from kivy.properties import ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.ui.screens.base import KioskScreen

# Fields in the card's own order; the label keys are in assets/i18n/strings.toml [ktp_field].
FIELD_ORDER = ("nik", "name", "birth_place", "birth_date", "sex", "address", "rt_rw", "village", "district",
               "religion", "marital_status", "occupation", "nationality")


class KtpFieldRow(BoxLayout):
    key = StringProperty("")
    value = StringProperty("")
    highlighted = ListProperty([])  # non-empty when the guest should check this field


class KtpConfirmScreen(KioskScreen):
    flags_text = StringProperty("")
    reading = None
    confirmed: dict[str, str] | None = None

    def show(self, reading) -> None:
        """Fill the form from a `kiosk.domain.ktp.KtpReading` (called on the Kivy thread)."""
        self.reading = reading
        low = set(reading.low_confidence())
        form = self.ids.form
        form.clear_widgets()
        for key in FIELD_ORDER:
            row = KtpFieldRow(key=key, value=reading.value(key), highlighted=[1] if key in low else [])
            row.ids.field.bind(text=lambda _w, text, row=row: setattr(row, "value", text))
            form.add_widget(row)
        lang = self.app.lang
        self.flags_text = "\n".join(f.text_id if lang == "id" else f.text_en for f in reading.flags)

    def rows(self) -> dict[str, KtpFieldRow]:
        return {row.key: row for row in self.ids.form.children}

    def confirmed_values(self) -> dict[str, str]:
        """What the guest accepted or typed: this, not the OCR reading, goes into the registration."""
        return {key: row.value.strip() for key, row in self.rows().items()}

    def confirm(self) -> None:
        self.confirmed = self.confirmed_values()
        # The next step of the registration flow, when the role has it.
        if self.manager.has_screen("purpose"):
            self.app.go("purpose")

    def rescan(self) -> None:
        self.reset()
        if self.manager.has_screen("scan"):
            self.app.go("scan", direction="right")

    def reset(self) -> None:
        self.confirmed = None
        self.ids.form.clear_widgets()
        self.flags_text = ""
        self.reading = None
