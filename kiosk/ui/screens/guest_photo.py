"""Step 6: the photo. The face is found and centred on the live preview, a countdown takes the picture; retake or go on.

The guest can always tap "take photo now" (and must when no face cascade is installed). A returning guest who
proved it is them is first offered their recent photo: one tap keeps it and finishes the registration.
"""
from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty

from kiosk.domain.errors import KioskError
from kiosk.ui.camera_view import CameraView  # noqa: F401  (used in the .kv)
from kiosk.ui.screens.flow_base import FlowScreen
from kiosk.ui.widgets import jpeg_texture

READY_CHECKS = 2  # consecutive centred faces before the countdown starts


class PhotoScreen(FlowScreen):
    countdown_s = 3  # seconds of countdown once the face is centred
    hint = StringProperty("none")
    countdown = NumericProperty(0)
    captured = BooleanProperty(False)
    camera_ok = BooleanProperty(True)
    photo_texture = ObjectProperty(None, allownone=True)
    offer = BooleanProperty(False)  # the last visit's photo is shown for the guest to keep or replace
    why = StringProperty("photo.why")  # what happens to the photo: printed on the pass or not (the printer's layout)

    def on_enter(self, *args) -> None:
        self.why = "photo.why_printed" if self.flow.photo_on_pass() else "photo.why"
        self._stop_countdown()
        self._ready = 0
        self._face = None
        self.offer = False
        self.captured = bool(self.draft.photo)
        if self.captured:
            self._show(self.draft.photo)
            return
        self._offered = self.flow.reusable_photo(self.draft)
        if self._offered:
            self.camera_ok = True
            self.offer = True
            self._show(self._offered)
            return
        self._start_camera()

    def reuse(self) -> None:
        """Keep the last visit's photo: the registration finishes at once."""
        if self.offer and self._offered:
            self.flow.reuse_photo(self.draft, self._offered)
            self.offer = False
            self.go_next("finish")

    def new_photo(self) -> None:
        self.offer = False
        self._offered = None
        self.retake()

    def _start_camera(self) -> None:
        self.captured = False
        self.hint = "none"
        try:
            source = self.flow.open_camera("photo")
        except KioskError:
            self.camera_ok = False
            self.flow.alert_staff("no_camera")
            return
        self.camera_ok = True
        self.ids.camera.start(source, analyze=self._analyze, every=3)

    def stop_devices(self) -> None:
        self.on_leave()

    def on_leave(self, *args) -> None:
        self._stop_countdown()
        self.ids.camera.stop()

    def _analyze(self, frame) -> None:
        """Camera thread: where is the face? The answer goes back to the Kivy thread."""
        check = self.flow.faces.check(frame)
        Clock.schedule_once(lambda _dt: self._on_check(check), 0)

    def _on_check(self, check) -> None:
        if self.captured or not self.ids.camera.running:
            return
        self.hint = check.hint
        self._face = check.face
        self.ids.camera.guide_ok = check.ready
        self._ready = self._ready + 1 if check.ready else 0
        if check.ready and self._ready >= READY_CHECKS and not self.countdown:
            self.countdown = self.countdown_s
            self._tick = Clock.schedule_interval(self._count, 1)
        elif not check.ready and self.countdown:
            self._stop_countdown()

    def _count(self, _dt) -> None:
        self.countdown -= 1
        if self.countdown <= 0:
            self.take_photo()

    def _stop_countdown(self) -> None:
        if getattr(self, "_tick", None) is not None:
            self._tick.cancel()
            self._tick = None
        self.countdown = 0

    def take_photo(self) -> None:
        """Capture now (countdown end, or the guest's tap)."""
        self._stop_countdown()
        frame = self.ids.camera.latest_frame()
        if frame is None:
            return
        # The last face the camera thread found (no detection here: it would stall the screen).
        self.draft.photo = self.flow.portrait(frame, self._face)
        self.ids.camera.stop()
        self._show(self.draft.photo)

    def _show(self, jpeg: bytes) -> None:
        self.photo_texture = jpeg_texture(jpeg)
        self.captured = True

    def retake(self) -> None:
        self.draft.photo = None
        self.photo_texture = None
        self._ready = 0
        self._start_camera()

    def go_forward(self) -> None:
        if self.offer:
            self.reuse()
        elif self.captured or not self.camera_ok:
            self.go_next("finish")
