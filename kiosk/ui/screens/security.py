"""The security post: a scanner-first verdict screen and the "inside now" list; every decision is kiosk.app.gate's."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty

from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.screens.wedge import WedgeScannerMixin
from kiosk.ui.widgets import discard_children, jpeg_texture

AUTO_CHECKOUT_EVERY_S = 60


def photo_texture(jpeg: bytes | None):
    """A guest photo (decrypted by the gate service) as a texture, in memory only; None when there is none."""
    if not jpeg:
        return None
    try:
        return jpeg_texture(jpeg)
    except Exception:  # a damaged file shows no photo rather than stopping the gate
        return None


class GateScreen(WedgeScannerMixin, KioskScreen):
    verdict = StringProperty("")  # "" = ready; else a GateVerdict value
    green = BooleanProperty(False)
    guest_name = StringProperty("")
    host_name = StringProperty("")
    host_phone = StringProperty("")
    locker = StringProperty("")
    photo = StringProperty("")  # "1" while a photo is shown (the layout makes room for it)
    photo_texture = ObjectProperty(None, allownone=True)
    return_id_card = BooleanProperty(False)
    offline = BooleanProperty(False)
    inside_count = NumericProperty(0)
    notice = StringProperty("")
    typing = BooleanProperty(False)  # the guard is typing a code on the on-screen keyboard
    _tick = None

    def on_enter(self, *_args) -> None:
        self.refresh_count()
        self._tick = Clock.schedule_interval(lambda _dt: self.close_day(), AUTO_CHECKOUT_EVERY_S)
        self.start_wedge()
        self.app.bind(on_stop=lambda *_a: self.on_leave())  # stop listening when the app stops

    def on_leave(self, *_args) -> None:
        self.stop_wedge()
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None

    def open_keyboard(self) -> None:
        self.typing = True
        self.ids.scan_input.focus = True

    def submit(self, text: str) -> None:
        """The guard typed a code by hand (the QR's token or the short code printed under it)."""
        field = self.ids.scan_input
        field.text = ""
        field.focus = False
        self.typing = False
        if text.strip():
            self.on_scan(text)

    def on_scan(self, token: str) -> None:
        """Called by the scan field, and by a scanner service handing over a decoded QR."""
        if self.typing:
            self.ids.scan_input.text = ""
            self.typing = False
        r = self.services.gate.scan(token)
        self.verdict = r.verdict.value
        self.green = r.green
        self.guest_name = r.guest_name
        self.host_name = r.host_name
        self.host_phone = r.host_phone
        self.locker = str(r.locker_door) if r.locker_door else ""
        self.photo_texture = photo_texture(self.services.gate.photo_bytes(r.photo_path))
        self.photo = "1" if self.photo_texture is not None else ""
        self.return_id_card = r.return_id_card
        self.offline = r.offline
        self.refresh_count()

    def refresh_count(self) -> None:
        self.inside_count = len(self.services.gate.inside_now())

    def close_day(self) -> None:
        done = self.services.gate.auto_checkout()
        if done:
            self.notice = self.app.tr("gate.auto_checkout", count=len(done))
            self.refresh_count()

    def reset(self) -> None:
        self.verdict = ""
        self.green = False
        self.guest_name = self.host_name = self.host_phone = self.locker = self.photo = ""
        self.photo_texture = None
        self.typing = False
        self.return_id_card = self.offline = False


class InsideNowScreen(KioskScreen):
    rows = ListProperty([])  # [{"name", "host", "locker", "since", "photo"}]
    status = StringProperty("")

    def on_pre_enter(self, *_args) -> None:
        self.status = ""
        self.load()

    def load(self) -> None:
        tz = ZoneInfo(self.services.config.office.timezone)
        self.rows = [
            {"name": e.guest_name, "host": e.host_name, "locker": str(e.locker_door or ""),
             "since": e.since.astimezone(tz).strftime("%H:%M"), "photo": e.photo_path}
            for e in self.services.gate.inside_now()
        ]  # fmt: skip
        box = self.ids.list_box
        discard_children(box)
        from kivy.factory import Factory

        for row in self.rows:
            item = Factory.InsideRow()
            item.name_text = row["name"]
            item.detail_text = f"{row['host']}   {row['since']}" + (f"   L{row['locker']}" if row["locker"] else "")
            item.photo_texture = photo_texture(self.services.gate.photo_bytes(row["photo"]))
            item.photo = "1" if item.photo_texture is not None else ""
            box.add_widget(item)

    def print_list(self) -> None:
        printed = self.services.gate.print_inside_now()
        self.status = self.app.tr("gate.printed" if printed else "gate.no_printer")
