"""The staff menu behind a PIN: device status, outbox, today's visits (reprint, check-out), lockers.

Reached by a long press on the office name in the header, from every role. Slow calls (the device
self-test, locker doors, printing) run on a worker thread and come back through the Kivy clock.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.domain.errors import KioskError
from kiosk.ui.i18n import load_catalog
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.widgets import KioskButton, discard_children


def in_background(work: Callable[[], Any], done: Callable[[Any, KioskError | None], None]) -> threading.Thread:
    """Run `work` off the UI thread; `done(result, error)` runs on the UI thread afterwards."""

    def target() -> None:
        try:
            result, error = work(), None
        except KioskError as exc:
            result, error = None, exc
        Clock.schedule_once(lambda _dt: done(result, error), 0)

    t = threading.Thread(target=target, name="staff-action", daemon=True)
    t.start()
    return t


class StaffPinScreen(KioskScreen):
    pin = StringProperty("")
    message = StringProperty("")
    side = BooleanProperty(False)  # the keypad beside the PIN (a landscape small panel), set in the .kv

    def on_pre_enter(self, *args) -> None:
        self.pin = ""
        self.message = ""

    def press(self, digit: str) -> None:
        if len(self.pin) < 12:
            self.pin += digit

    def clear(self) -> None:
        self.pin = ""

    def submit(self) -> None:
        staff = self.services.staff
        pin, self.pin = self.pin, ""
        try:
            staff.check_pin(pin)
        except KioskError as exc:
            self.message = exc.text(self.app.lang)
            return
        self.app.go("staff")

    def cancel(self) -> None:
        self.app.go_home()

    def reset(self) -> None:
        self.pin = ""
        self.message = ""


class StaffScreen(KioskScreen):
    tab = StringProperty("status")
    message = StringProperty("")
    services_at_enter = None

    def on_kv_post(self, base_widget) -> None:
        super().on_kv_post(base_widget)
        # The rows are built in Python with the theme's colours and sizes and the language of the moment:
        # a toggle builds the shown tab again (grey on black in high contrast otherwise, and the old language).
        self.app.bind(lang=self._again, theme=self._again)

    def _again(self, *_args) -> None:
        if self.manager and self.manager.current == self.name:
            self.show(self.tab)

    def on_pre_enter(self, *args) -> None:
        self.services_at_enter = self.services
        self.message = ""
        self.show(self.tab)
        # A device that changes state while the status tab is shown is redrawn at once.
        self._seen: dict[str, str] = {}
        self._unwatch = self.services.staff.watch_devices(self._device_state)

    def _device_state(self, state) -> None:
        """From a device's thread: redraw only when a state differs from the one already seen."""
        before = self._seen.get(state.device)
        self._seen[state.device] = state.state
        if before is not None and before != state.state:
            Clock.schedule_once(lambda _dt: self._device_changed(), 0)

    def on_leave(self, *args) -> None:
        for unsubscribe in getattr(self, "_unwatch", []):
            unsubscribe()
        self._unwatch = []

    def _device_changed(self) -> None:
        if self._alive() and self.tab == "status" and self.manager.current == self.name:
            self.show("status")

    def reset(self) -> None:
        self.tab = "status"
        self.message = ""
        discard_children(self.ids.content)

    # --- building rows ---

    def _t(self, key: str, **values: Any) -> str:
        return self.app.tr(key, **values)

    def _label(self, text: str, *, muted: bool = False, bold: bool = False, color=None) -> Label:
        theme = self.app.theme
        lbl = Label(text=text, color=color or (theme.text_muted if muted else theme.text), font_size=theme.font_small,
                    bold=bold, halign="left", valign="middle", size_hint_y=None)
        lbl.bind(width=lambda w, v: setattr(w, "text_size", (v, None)),
                 texture_size=lambda w, v: setattr(w, "height", v[1] + round(theme.mm)))
        return lbl

    def _button(self, text: str, on_press: Callable[[], None], *, width: float = 40, filled: bool = True) -> KioskButton:
        """A button `width` millimetres wide on the panel."""
        b = KioskButton(text=text, filled=filled, size_hint_x=None, width=round(self.app.theme.mm * width))
        b.bind(on_release=lambda *_: on_press())
        return b

    def _row(self, *widgets) -> BoxLayout:
        row = BoxLayout(orientation="horizontal", size_hint_y=None, spacing=round(self.app.theme.mm * 2))
        for w in widgets:
            row.add_widget(w)

        def fit(*_args) -> None:
            row.height = max(max((w.height for w in widgets), default=0), self.app.theme.touch)

        for w in widgets:
            w.bind(height=fit)
        fit()
        return row

    def _state(self, code: str) -> str:
        """A state code in the kiosk's language; an unknown code is shown as it is."""
        return self._t(f"state.{code}") if f"state.{code}" in load_catalog() else code

    # --- tabs ---

    def show(self, tab: str) -> None:
        self.tab = tab
        discard_children(self.ids.content)
        {"status": self._show_status, "visits": self._show_visits, "lockers": self._show_lockers}[tab]()

    def _show_status(self) -> None:
        content = self.ids.content
        staff = self.services.staff
        theme = self.app.theme
        ob = staff.outbox()
        content.add_widget(self._label(self._t("staff.outbox", **ob["counts"]), bold=True))
        worker = ob["worker"]
        state = worker.get("state", "")
        state = self._t("staff.not_available") if state == "not_available" else self._state(state)
        err = worker.get("last_error") or ""
        content.add_widget(self._label(self._t("staff.worker", state=state) + (f" ({err})" if err else ""), muted=True))
        if ob["parked"]:
            content.add_widget(self._label(self._t("staff.parked_title"), bold=True))
            for m in ob["parked"][:10]:
                content.add_widget(self._label(f"#{m['id']} {m['topic']} {m['aggregate_id'][:8]}: {m['reason']}", muted=True))
            content.add_widget(self._row(self._button(self._t("staff.retry"), self.retry_parked, width=50)))
        content.add_widget(self._label(self._t("staff.services"), bold=True))
        for line in staff.services():
            word = "ok" if line.state == "ok" else self._t("staff.not_available")
            content.add_widget(self._label(f"{line.name}: {word}", color=theme.ok if line.state == "ok" else theme.warning))
        content.add_widget(self._label(self._t("staff.devices"), bold=True))
        waiting = self._label(self._t("staff.checking"), muted=True)
        content.add_widget(waiting)
        in_background(staff.device_status, lambda lines, err: self._devices_done(waiting, lines, err))

    def _alive(self) -> bool:
        """False once the screen has left its app (a slow answer arriving after the menu was closed)."""
        return self.manager is not None and self.app is not None and self.app.services is self.services_at_enter

    def _devices_done(self, placeholder, lines, error) -> None:
        if not self._alive() or self.tab != "status" or placeholder.parent is None:
            return
        content = self.ids.content
        index = content.children.index(placeholder)
        content.remove_widget(placeholder)
        theme = self.app.theme
        colours = {"ok": theme.ok, "fault": theme.danger, "skip": theme.text_muted, "degraded": theme.warning,
                   "offline": theme.danger, "unknown": theme.text_muted}
        for line in lines or []:
            if line.device:
                configured = line.detail != "not configured"
                name = self._t(f"device.{line.name}")
                word = self._t(f"device.{line.state}") if configured else self._t("device.not_configured")
                detail = line.detail if configured else ""
                text = f"{name}: {word}" + (f" ({detail})" if detail else "")
                colour = colours[line.state] if configured else theme.text_muted
            else:
                text, colour = f"{line.name}: {line.state.upper()}  {line.detail}", colours[line.state]
            content.add_widget(self._label(text, color=colour), index)
        if error is not None:
            self.message = error.text(self.app.lang)

    def _show_visits(self) -> None:
        content = self.ids.content
        visits = self.services.staff.todays_visits()
        if not visits:
            content.add_widget(self._label(self._t("staff.no_visits"), muted=True))
        for v in visits:
            locker = f"  {self._t('staff.locker', door=v.locker)}" if v.locker else ""
            asked = f"  {self._t('staff.reprint_asked')}" if v.reprint_asked else ""
            text = f"{v.time}  {v.guest}  {v.nik}  -> {v.host}  [{self._state(v.state)}]{locker}{asked}"
            lbl = self._label(text)
            buttons = []
            if v.state == "waiting_host":
                buttons.append(self._button(self._t("staff.accept"), lambda vid=v.id: self.host_answer(vid, True),
                                            filled=False, width=32))
                buttons.append(self._button(self._t("staff.decline"), lambda vid=v.id: self.host_answer(vid, False),
                                            filled=False, width=32))
            if v.open:
                buttons.append(self._button(self._t("staff.reprint"), lambda vid=v.id: self.reprint(vid), filled=False))
                buttons.append(self._button(self._t("staff.checkout"), lambda vid=v.id: self.check_out(vid)))
            # The visit's line across the whole width, its buttons on a line of their own below it.
            content.add_widget(self._row(lbl))
            row = self._row(Widget(), *buttons)
            row.visit_id = v.id
            content.add_widget(row)

    def _show_lockers(self) -> None:
        content = self.ids.content
        doors = self.services.staff.lockers()
        if not doors:
            content.add_widget(self._label(self._t("staff.no_lockers"), muted=True))
            return
        content.add_widget(self._row(self._button(self._t("staff.open_all"), self.open_all, width=70)))
        for d in doors:
            text = f"{d.door:>3}  {self._state(d.state)}, {self._state(d.door_state)}" + (f"  {d.visit_id[:8]}" if d.visit_id else "") + (
                f"  {d.note}" if d.note else "")
            row = self._row(self._label(text), self._button(self._t("staff.open"), lambda n=d.door: self.open_door(n), width=32))
            row.door = d.door
            content.add_widget(row)

    # --- actions ---

    def _after(self, ok_text: str, refresh: str | None):
        def done(_result, error) -> None:
            if not self._alive():
                return
            self.message = error.text(self.app.lang) if error is not None else ok_text
            if refresh and self.tab == refresh and self.manager and self.manager.current == self.name:
                self.show(refresh)

        return done

    def retry_parked(self) -> None:
        in_background(self.services.staff.retry_parked, self._after("", "status"))

    def reprint(self, visit_id: str) -> None:
        in_background(lambda: self.services.staff.reprint(visit_id), self._after(self._t("staff.printed"), None))

    def host_answer(self, visit_id: str, accepted: bool) -> None:
        said = self._t("staff.accepted" if accepted else "staff.declined")
        in_background(lambda: self.services.staff.host_answer(visit_id, accepted), self._after(said, "visits"))

    def check_out(self, visit_id: str) -> None:
        in_background(lambda: self.services.staff.check_out(visit_id), self._after(self._t("staff.checked_out"), "visits"))

    def open_door(self, door: int) -> None:
        in_background(lambda: self.services.staff.open_locker(door), self._after(self._t("staff.opened", door=door), "lockers"))

    def open_all(self) -> None:
        in_background(self.services.staff.open_all_lockers, self._after(self._t("staff.opened_all"), "lockers"))

    def leave(self) -> None:
        self.app.go_home()
