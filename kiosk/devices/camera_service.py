"""The camera as a long-lived device service: opened once, shared by every step, reopened after an unplug.

Screens and the scanner get a `SharedFrames` view: closing the view never closes the camera. The
simulated camera without a source shows each step its built-in scene (a generated e-KTP at the scan
step, the demo face at the photo step); those scenes are made in memory, so they never go offline.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from kiosk.devices.camera import CameraUnavailable, FrameSource
from kiosk.devices.service import OFFLINE, OK, DeviceService

log = logging.getLogger(__name__)


class SharedFrames:
    """A step's view of the shared camera: `read()` from it, `close()` only ends this view."""

    def __init__(self, service: CameraService) -> None:
        self._service = service
        self._closed = False

    def read(self) -> Any:
        return None if self._closed else self._service.read()

    def close(self) -> None:
        self._closed = True


class CameraService(DeviceService):
    kind = "camera"

    def __init__(self, opener: Callable[[], FrameSource] | None, *, scenes: Callable[[str], FrameSource] | None = None,
                 name: str = "camera", misses_offline: int = 15, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self._opener = opener
        self._scenes = scenes
        self._camera: FrameSource | None = None
        self._lock = threading.Lock()
        self._misses = 0
        self._last_frame_at = 0.0
        self.misses_offline = misses_offline

    def frames(self, step: str = "") -> FrameSource:
        """What a step shows and analyses; raises CameraUnavailable when there is no camera now."""
        if self._opener is None and self._scenes is not None:
            return self._scenes(step)
        self._ensure()
        return SharedFrames(self)

    def _ensure(self) -> FrameSource:
        with self._lock:
            if self._camera is None:
                if self._opener is None:
                    raise CameraUnavailable("(none)", "dimatikan di konfigurasi", "it is switched off in the config")
                try:
                    self._camera = self._opener()
                except Exception as exc:
                    self.report(OFFLINE, getattr(exc, "text_en", "") or f"{type(exc).__name__}: {exc}")
                    raise
                self._misses = 0
            return self._camera

    def read(self) -> Any:
        camera = self._camera
        if camera is None:
            return None
        frame = camera.read()
        if frame is None:
            self._misses += 1
            if self._misses == self.misses_offline:  # a run of empty reads: the camera went away
                self._drop()
                self.report(OFFLINE, "no frames from the camera")
        else:
            self._misses = 0
            self._last_frame_at = self._clock()
        return frame

    def check(self) -> tuple[str, str]:
        if self._opener is None:
            return OK, ""  # built-in scenes
        camera = self._ensure()
        if self._clock() - self._last_frame_at < self.poll_s:
            return OK, ""  # a screen is reading frames right now: do not take them from its preview
        for _ in range(10):  # a camera may need a few frames to start streaming
            if camera.read() is not None:
                return OK, ""
        self._drop()
        return OFFLINE, "no frames from the camera"

    def _drop(self) -> None:
        with self._lock:
            camera, self._camera = self._camera, None
        if camera is not None:
            try:
                camera.close()
            except Exception:  # a vanished camera may fail to close; it is gone either way
                log.debug("camera close failed", exc_info=True)

    def release(self) -> None:
        self._drop()
