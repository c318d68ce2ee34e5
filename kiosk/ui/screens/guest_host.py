"""Step 4: whom to meet, from the host directory, searched by name or section on the on-screen keyboard."""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.ui.keyboard import OnScreenKeyboard  # noqa: F401  (used in the .kv)
from kiosk.ui.screens.flow_base import FlowScreen
from kiosk.ui.widgets import KioskButton

MAX_SHOWN = 6


class HostScreen(FlowScreen):
    message = StringProperty("")

    def refresh(self) -> None:
        self.ids.search.text = ""
        self.ids.search.focus = True
        self.search("")

    def search(self, text: str) -> None:
        box = self.ids.results
        box.clear_widgets()
        hosts = self.flow.find_hosts(text)
        self.message = "" if hosts else self.app.tr("host.none_found")
        for host in hosts[:MAX_SHOWN]:
            button = KioskButton(filled=host.id == self.draft.host_id, halign="left")
            button.host_id = host.id
            button.markup = True
            button.text = f"{host.name}\n[size={int(self.app.theme.font_small)}]{host.position} - {host.section}[/size]"
            button.bind(on_release=lambda b: self.choose(b.host_id))
            box.add_widget(button)

    def buttons(self) -> dict[str, KioskButton]:
        return {b.host_id: b for b in self.ids.results.children}

    def choose(self, host_id: str) -> None:
        self.flow.choose_host(self.draft, host_id)
        self.go_next("photo")
