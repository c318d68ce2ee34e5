"""Step 1: show the ID card or QR to the camera (or use the code scanner); or choose to type the NIK."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from kiosk.domain.errors import KioskError
from kiosk.ui.camera_view import CameraView  # noqa: F401  (used in the .kv)
from kiosk.ui.screens.flow_base import FlowScreen


class ScanScreen(FlowScreen):
    message = StringProperty("")
    camera_ok = BooleanProperty(True)

    def on_enter(self, *args) -> None:
        self.message = ""
        self._done = False
        try:
            source = self.flow.open_camera("scan")
        except KioskError as exc:
            self.camera_ok = False
            self.message = exc.text(self.app.lang)
            self.flow.alert_staff(exc.code)
            source = None
        if source is not None:
            self.camera_ok = True
            self.ids.camera.start(source, analyze=self._analyze, every=2)
        self._scanner = self.flow.start_scanner(lambda text: Clock.schedule_once(lambda _dt: self.got_code(text), 0))

    def stop_devices(self) -> None:
        self.on_leave()

    def on_leave(self, *args) -> None:
        self.ids.camera.stop()
        if getattr(self, "_scanner", None) is not None:
            self._scanner.stop()
            self._scanner = None

    def _analyze(self, frame) -> None:
        """On the camera thread: decode a code; the result goes back to the Kivy thread."""
        text = self.flow.decode_code(frame)
        if text:
            Clock.schedule_once(lambda _dt: self.got_code(text), 0)

    def got_code(self, text: str) -> None:
        if self._done or self.manager is None or self.manager.current != self.name:
            return
        try:
            self.flow.read_code(self.draft, text)
        except KioskError as exc:
            self.message = exc.text(self.app.lang)
            return
        self._done = True
        self.go_next("confirm")

    def type_instead(self) -> None:
        self.go_next("entry")

    def go_forward(self) -> None:
        self.type_instead()
