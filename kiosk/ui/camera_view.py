"""A live camera preview: a reader thread takes frames, the Kivy thread blits the newest into ONE texture.

A new texture per frame leaks GPU memory (HARDWARE-NOTES), so the texture is made once per frame size
and reused across screens. An optional analyser (QR decode, face check) runs on the reader thread on
every n-th frame and hands its result back through `Clock.schedule_once`.

The picture is fitted into the widget keeping its ratio (letterboxed: bars left and right on a wide
widget, above and below on a tall one). Anything found in a frame (the KTP's corners) is drawn through
that fitted rectangle (`frame_to_widget`), never through the widget's own box, so the outline sits on
the card in every window shape.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty
from kivy.uix.widget import Widget

log = logging.getLogger(__name__)


class CameraView(Widget):
    texture = ObjectProperty(None, allownone=True)
    mirror = BooleanProperty(False)
    guide = StringProperty("card")  # card | face | none
    guide_ok = BooleanProperty(False)
    picture_pos = ListProperty([0, 0])
    picture_size = ListProperty([0, 0])
    frozen = BooleanProperty(False)  # show the last frame (after a capture) instead of live
    # The card found in a frame: its corners in that frame's pixels (x right, y DOWN from the top-left),
    # flattened [x0, y0, ... x3, y3], and the frame's [width, height]; [] when no card is seen.
    card = ListProperty([])
    card_frame_size = ListProperty([0, 0])
    card_quad = ListProperty([])  # the same corners in window coordinates, for the canvas (kv)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._source = None
        self._thread: threading.Thread | None = None
        self._running = False
        self._latest = None
        self._fresh = False
        self._lock = threading.Lock()
        self._blit_event = None
        self.frames_shown = 0
        self.bind(size=self._fit, pos=self._fit, texture=self._fit)
        self.bind(card=self._map_card, card_frame_size=self._map_card, picture_pos=self._map_card,
                  picture_size=self._map_card, mirror=self._map_card)

    # --- the reader thread ---

    def start(self, source, analyze: Callable | None = None, every: int = 3) -> None:
        self.stop()
        self._source = source
        self._running = True
        self.frozen = False
        self._thread = threading.Thread(target=self._read_loop, args=(source, analyze, every), daemon=True,
                                        name="camera-preview")
        self._thread.start()
        self._blit_event = Clock.schedule_interval(self._blit, 1 / 30)

    def stop(self) -> None:
        self._running = False
        if self._blit_event is not None:
            self._blit_event.cancel()
            self._blit_event = None
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        if self._source is not None:
            try:
                self._source.close()
            except Exception:  # closing a broken camera must not break leaving the screen
                log.warning("camera close failed", exc_info=True)
            self._source = None

    @property
    def running(self) -> bool:
        return self._running

    def latest_frame(self):
        with self._lock:
            return None if self._latest is None else self._latest.copy()

    def _read_loop(self, source, analyze, every: int) -> None:
        n = 0
        while self._running:
            try:
                frame = source.read()
            except Exception:
                log.warning("camera read failed", exc_info=True)
                frame = None
            if frame is None:
                time.sleep(0.05)
                continue
            with self._lock:
                self._latest = frame
                self._fresh = True
            n += 1
            if analyze is not None and n % every == 0 and self._running:
                try:
                    analyze(frame)
                except Exception:
                    log.exception("frame analysis failed")

    # --- the Kivy thread ---

    def _blit(self, _dt: float) -> None:
        if self.frozen:
            return
        with self._lock:
            if not self._fresh:
                return
            frame, self._fresh = self._latest, False
        h, w = frame.shape[:2]
        if self.texture is None or tuple(self.texture.size) != (w, h):
            texture = Texture.create(size=(w, h), colorfmt="bgr")
            texture.flip_vertical()  # OpenCV rows go top-down, OpenGL's bottom-up
            if self.mirror:
                texture.flip_horizontal()
            self.texture = texture
        self.texture.blit_buffer(frame.tobytes(), colorfmt="bgr", bufferfmt="ubyte")
        self.canvas.ask_update()
        self.frames_shown += 1

    def _fit(self, *_args) -> None:
        if self.texture is None:
            self.picture_pos, self.picture_size = list(self.pos), list(self.size)
            return
        tw, th = self.texture.size
        k = min(self.width / tw, self.height / th) if tw and th else 1
        w, h = tw * k, th * k
        self.picture_size = [w, h]
        self.picture_pos = [self.x + (self.width - w) / 2, self.y + (self.height - h) / 2]

    # --- what was found in a frame, drawn on the picture ---

    def show_card(self, corners, frame_size) -> None:
        """Outline the card at `corners` ((x, y) pairs in pixels of a frame `frame_size` = (width, height)
        big), or hide it (None)."""
        self.card_frame_size = [int(frame_size[0]), int(frame_size[1])]
        self.card = [] if corners is None else [float(v) for point in corners for v in point[:2]]

    def frame_to_widget(self, x: float, y: float, frame_size=None) -> tuple[float, float]:
        """A point of the frame (pixels, y down) where the fitted picture shows it (window coordinates, y up)."""
        fw, fh = frame_size or self.card_frame_size
        if not (fw and fh) and self.texture is not None:
            fw, fh = self.texture.size
        px, py = self.picture_pos
        pw, ph = self.picture_size
        u = x / fw if fw else 0.0
        if self.mirror:
            u = 1.0 - u
        v = y / fh if fh else 0.0
        return px + u * pw, py + (1.0 - v) * ph

    def _map_card(self, *_args) -> None:
        if not self.card or self.texture is None:  # no picture yet: nothing to draw the outline on
            self.card_quad = []
            return
        pts = self.card
        self.card_quad = [c for i in range(0, len(pts) - 1, 2) for c in self.frame_to_widget(pts[i], pts[i + 1])]
