"""Step 3: the purpose of the visit, from the config; a complaint is told it must also be put in writing (seed 002)."""
from __future__ import annotations

from kivy.properties import BooleanProperty

from kiosk.ui.screens.flow_base import FlowScreen
from kiosk.ui.widgets import KioskButton, discard_children


class PurposeScreen(FlowScreen):
    complaint = BooleanProperty(False)  # the written-complaint notice is showing

    def refresh(self) -> None:
        self.complaint = False
        self._build_buttons()

    def _build_buttons(self) -> None:
        box = self.ids.purposes
        discard_children(box)
        for entry in self.flow.purposes():
            button = KioskButton(filled=entry.id == self.draft.purpose)
            button.purpose_id = entry.id
            button.text = entry.label_id if self.app.lang == "id" else entry.label_en
            button.bind(on_release=lambda b: self.choose(b.purpose_id))
            box.add_widget(button)

    def on_kv_post(self, base_widget) -> None:
        super().on_kv_post(base_widget)
        # A new language relabels the buttons; the complaint notice, if showing, stays with its button.
        self.app.bind(lang=lambda *_: self._build_buttons() if self.manager and self.manager.current == self.name else None)

    def buttons(self) -> dict[str, KioskButton]:
        return {b.purpose_id: b for b in self.ids.purposes.children}

    def choose(self, purpose_id: str) -> None:
        if self.flow.choose_purpose(self.draft, purpose_id):
            self.complaint = True  # read the notice, then go on
            return
        self.go_next("host")

    def go_forward(self) -> None:
        if self.complaint:
            self.go_next("photo")
