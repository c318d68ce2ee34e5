"""Step 5: whom to meet, from the host directory, searched by name or section on the on-screen keyboard.

A proven returning guest comes here straight from the confirm step (the fast lane: the last purpose is
kept and shown, with a button to change it) and finds the host of the last visit first."""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.ui.keyboard import OnScreenKeyboard  # noqa: F401  (used in the .kv)
from kiosk.ui.screens.flow_base import FlowScreen
from kiosk.ui.widgets import KioskButton

MAX_SHOWN = 6


class HostScreen(FlowScreen):
    message = StringProperty("")
    purpose_id = StringProperty("")  # shown when the purpose was kept from the last visit (fast lane)

    def refresh(self) -> None:
        previous = self.app.flow_history[-1] if getattr(self.app, "flow_history", None) else ""
        self.purpose_id = self.draft.purpose if previous == "confirm" else ""
        self.ids.search.text = ""
        self.ids.search.focus = True
        self.search("")

    def search(self, text: str) -> None:
        box = self.ids.results
        box.clear_widgets()
        hosts = self.flow.find_hosts(text, self.draft)
        last = self.draft.suggested_host()
        self.message = "" if hosts else self.app.tr("host.none_found")
        for host in hosts[:MAX_SHOWN]:
            button = KioskButton(filled=host.id == self.draft.host_id, halign="left")
            button.host_id = host.id
            button.markup = True
            mark = f" ({self.app.tr('host.last_time')})" if host.id == last else ""
            button.text = f"{host.name}{mark}\n[size={int(self.app.theme.font_small)}]{host.position} - {host.section}[/size]"
            button.bind(on_release=lambda b: self.choose(b.host_id))
            box.add_widget(button)

    def buttons(self) -> dict[str, KioskButton]:
        return {b.host_id: b for b in self.ids.results.children}

    def purpose_label(self, purpose_id: str, lang: str) -> str:
        entry = self.flow.purpose(purpose_id) if purpose_id else None
        return (entry.label_id if lang == "id" else entry.label_en) if entry else ""

    def change_purpose(self) -> None:
        self.go_next("purpose")

    def choose(self, host_id: str) -> None:
        self.flow.choose_host(self.draft, host_id)
        self.go_next("photo")
