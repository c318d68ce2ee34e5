"""Step 5: whom to meet, from the host directory, searched by name or section on the on-screen keyboard.

A proven returning guest comes here straight from the confirm step (the fast lane: the last purpose is
kept and shown, with a button to change it) and finds the host of the last visit first."""
from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.ui.keyboard import OnScreenKeyboard  # noqa: F401  (used in the .kv)
from kiosk.ui.screens.flow_base import FlowScreen
from kiosk.ui.widgets import KioskButton, discard_children

# The whole directory scrolls; a longer list than this asks the guest to type instead of scrolling on.
MAX_SHOWN = 40
PTSP_HOST = "ptsp"  # the PTSP desk's officer: whom a guest who finds nobody can choose


class HostScreen(FlowScreen):
    message = StringProperty("")
    count_text = StringProperty("")  # how many hosts the list holds (it scrolls: the guest knows there are more)
    purpose_id = StringProperty("")  # shown when the purpose was kept from the last visit (fast lane)
    narrow = BooleanProperty(False)  # a small landscape panel (set in the .kv): the keyboard shows on a touch
    typing = BooleanProperty(False)  # the search field was touched: the keyboard is shown

    def on_kv_post(self, base_widget) -> None:
        super().on_kv_post(base_widget)
        # The list's words (the count, "last time") and its small text follow the language and the text size.
        self.app.bind(lang=self._again, theme=self._again)
        self.bind(typing=self._again)

    def _again(self, *_args) -> None:
        if self.manager and self.manager.current == self.name:
            self.search(self.ids.search.text)

    def refresh(self) -> None:
        previous = self.app.flow_history[-1] if getattr(self.app, "flow_history", None) else ""
        self.purpose_id = self.draft.purpose if previous == "confirm" else ""
        self.ids.search.text = ""
        self.typing = False
        # The focus takes a hardware keyboard's typing; on a small landscape panel it would open the on-screen
        # keyboard over half the list, so there the guest touches the field first.
        self.ids.search.focus = not self.narrow
        self.search("")

    def search(self, text: str) -> None:
        box = self.ids.results
        discard_children(box)
        hosts = self.flow.find_hosts(text, self.draft)
        last = self.draft.suggested_host()
        ptsp = self.flow.hosts.get(PTSP_HOST) if not hosts else None
        # Beside the keyboard on a small panel the column is narrow: the short message, the button under it.
        short = self.narrow and self.typing and ptsp is not None
        self.message = "" if hosts else self.app.tr("host.none_found_short" if short else "host.none_found" if ptsp
                                                    else "host.none_found_desk")
        shown = hosts[:MAX_SHOWN]
        if hosts:
            key = "host.count_more" if len(hosts) > len(shown) else "host.count"
            self.count_text = self.app.tr(key, n=len(hosts), shown=len(shown))
        else:
            self.count_text = ""
        for host in shown or ([ptsp] if ptsp else []):
            button = KioskButton(filled=host.id == self.draft.host_id, halign="left")
            button.host_id = host.id
            button.markup = True
            mark = f" ({self.app.tr('host.last_time')})" if host.id == last else ""
            # Beside the keyboard on a small panel the list is narrow: the names only.
            detail = "" if self.narrow and self.typing else " - ".join(v for v in (host.position, host.section) if v)
            small = f"\n[size={int(self.app.theme.font_small)}]{detail}[/size]" if detail else ""
            button.text = f"{host.name}{mark}{small}"
            button.bind(on_release=lambda b: self.choose(b.host_id))
            box.add_widget(button)
        # A new list starts at its top (a list scrolled down before the search must not look empty).
        self.ids.results_scroll.scroll_y = 1

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
