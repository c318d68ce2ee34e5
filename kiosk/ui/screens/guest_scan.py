"""Step 2: show the e-KTP or a QR to the camera (or use the code scanner); or choose to type the NIK.

Only after the guest agreed to the data notice (the consent step) does this screen open a camera. A
pre-registration invitation QR fills purpose and host; the guest then still shows who they are.

Each preview frame (on the camera's thread) is first searched for a code, then offered to the KTP
reader, which answers with guidance for the guest and, from a worker thread, the card's fields. A
code wins at any time: it ends the card scan, and a card read still under way is ignored.
"""
from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from kiosk.domain.errors import KioskError
from kiosk.ui.camera_view import CameraView  # noqa: F401  (used in the .kv)
from kiosk.ui.screens.flow_base import FlowScreen
from kiosk.ui.screens.wedge import WedgeScannerMixin


class ScanScreen(WedgeScannerMixin, FlowScreen):
    """Codes come from the camera, the configured scanner (through the flow) and a keyboard-wedge scanner (a
    USB scanner that types the code and Enter)."""

    message = StringProperty("")
    message_kind = StringProperty("warning")
    camera_ok = BooleanProperty(True)
    # The KTP reader's advice, Indonesian first and English second (both shown: a guest may not find the toggle).
    guidance = StringProperty("")
    guidance_id = StringProperty("")
    guidance_en = StringProperty("")

    def on_enter(self, *args) -> None:
        self.message, self.message_kind = "", "warning"
        if not self.draft.consent:  # nothing is captured before the notice was agreed to
            self.app.go("consent", direction="right")
            return
        self.guidance = self.guidance_id = self.guidance_en = ""
        self._done = False
        self._invitation = None
        self._card = None
        try:
            source = self.flow.open_camera("scan")
        except KioskError as exc:
            self.camera_ok = False
            self.message = exc.text(self.app.lang)
            self.flow.alert_staff(exc.code)
            source = None
        if source is not None:
            self.camera_ok = True
            self._card = self.flow.watch_card(lambda event: Clock.schedule_once(lambda _dt: self.on_card(event), 0))
            self.ids.camera.start(source, analyze=self._analyze, every=2)
        self._scanner = self.flow.start_scanner(lambda text: Clock.schedule_once(lambda _dt: self.got_code(text), 0))
        self.start_wedge(device=False)

    def stop_devices(self) -> None:
        self.on_leave()

    def on_leave(self, *args) -> None:
        self.stop_wedge()
        if getattr(self, "_card", None) is not None:
            self._card.stop()
        self.ids.camera.stop()
        self.ids.camera.show_card(None, (0, 0))
        if getattr(self, "_scanner", None) is not None:
            self._scanner.stop()
            self._scanner = None

    def _analyze(self, frame) -> None:
        """On the camera thread: decode a code, else let the KTP reader look; results go to the Kivy thread."""
        text = self.flow.decode_code(frame)
        card = self._card
        if text:
            Clock.schedule_once(lambda _dt: self.got_code(text), 0)
        elif card is not None:
            card.offer(frame)
            corners, size = card.card_corners, card.frame_size
            Clock.schedule_once(lambda _dt: self._outline(corners, size), 0)

    def _outline(self, corners, size) -> None:
        """The card's outline on the preview, where the card is (Kivy thread)."""
        if self._active():
            self.ids.camera.show_card(corners, size)

    def _active(self) -> bool:
        return not self._done and self.manager is not None and self.manager.current == self.name

    def on_card(self, event) -> None:
        """A KTP reader event, on the Kivy thread: new guidance, or the card's fields."""
        if not self._active():
            return
        if event.kind == "guidance":
            self.guidance = event.guidance
            self.guidance_id, self.guidance_en = event.text_id, event.text_en
            self.ids.camera.guide_ok = event.guidance in ("hold_still", "reading")
        elif event.kind == "result":
            try:
                self.flow.apply_ktp(self.draft, event.reading)
            except KioskError as exc:  # a card whose NIK is not the invited guest's
                self.message = exc.text(self.app.lang)
                return
            self._done = True
            self.go_next("confirm")

    def got_code(self, text: str) -> None:
        if not self._active() or text == getattr(self, "_invitation", None):
            return  # the invitation still in front of the camera was taken already
        try:
            kind = self.flow.read_code(self.draft, text)
        except KioskError as exc:
            self.message, self.message_kind = exc.text(self.app.lang), "warning"
            return
        if kind == "invitation":  # purpose and host are known; the guest still shows who they are
            self._invitation = text
            draft = self.draft
            entry = self.flow.purpose(draft.purpose)
            label = (entry.label_id if self.app.lang == "id" else entry.label_en) if entry else draft.purpose
            self.message = self.app.tr("scan.invitation", purpose=label, host=draft.host_name)
            self.message_kind = "info"
            return
        self._done = True
        if self._card is not None:
            self._card.stop()
        self.go_next("proof" if self.draft.needs_proof() else "confirm")

    def on_scan(self, token: str) -> None:
        self.got_code(token)

    def type_instead(self) -> None:
        self.go_next("entry")

    def go_forward(self) -> None:
        self.type_instead()
