"""The camera, shared by the code scanner, KTP OCR and the guest photo: one FrameSource interface, OpenCV or files.

`OpenCvCamera` captures with cv2.VideoCapture (Kivy's own Camera widget breaks with OpenCV 5). `FileCamera`
is the simulator at the same seam: an image, a video or a folder of images, looped and paced to the frame
rate. Frames are BGR numpy arrays; `read()` returns None when no frame is available (never raises for that).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kiosk.domain.errors import KioskError

if TYPE_CHECKING:
    import numpy

    from kiosk.config import CameraConfig

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"}


class CameraUnavailable(KioskError):
    code = "camera_unavailable"

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(camera=what, what=what, reason=reason)
        self.what = what
        self.reason = reason

    @property
    def text_key(self) -> str:
        return f"{self.code}.{self.reason}"


class FrameSource(Protocol):
    def read(self) -> numpy.ndarray | None:
        """The next BGR frame, or None when no frame is available."""

    def close(self) -> None: ...


class OpenCvCamera:
    """A V4L2/UVC camera through cv2.VideoCapture(index) with the requested size and rate."""

    def __init__(self, index: int = 0, width: int = 1280, height: int = 720, fps: int = 15) -> None:
        import cv2

        self.index = index
        self._lock = threading.Lock()
        self._cap = cv2.VideoCapture(index)
        if not self._cap.isOpened():
            self._cap.release()
            raise CameraUnavailable(f"/dev/video{index}", "cannot_open")
        self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self._cap.set(cv2.CAP_PROP_FPS, fps)
        # A one-frame buffer keeps what the scanner decodes close to what the guest holds up now.
        self._cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)

    def read(self) -> numpy.ndarray | None:
        with self._lock:
            if self._cap is None:
                return None
            ok, frame = self._cap.read()
        return frame if ok else None

    def close(self) -> None:
        with self._lock:
            if self._cap is not None:
                self._cap.release()
                self._cap = None


class FileCamera:
    """Simulator: frames from an image, a video file or a folder of images, looped, at `fps` (pace=False: flat out)."""

    def __init__(
        self,
        path: str | Path,
        fps: float = 15,
        *,
        pace: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import cv2

        self.path = Path(path)
        self._interval = 1.0 / fps if pace and fps > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._next_due: float | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._images: list[Path] = []
        self._still: numpy.ndarray | None = None
        self._video = None
        self._pos = 0
        if self.path.is_dir():
            self._images = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not self._images:
                raise CameraUnavailable(str(self.path), "empty_folder")
        elif not self.path.is_file():
            raise CameraUnavailable(str(self.path), "no_file")
        elif self.path.suffix.lower() in IMAGE_SUFFIXES:
            self._still = cv2.imread(str(self.path), cv2.IMREAD_COLOR)
            if self._still is None:
                raise CameraUnavailable(str(self.path), "unreadable_image")
        else:
            self._video = cv2.VideoCapture(str(self.path))
            if not self._video.isOpened():
                raise CameraUnavailable(str(self.path), "unreadable_video")

    def _wait_turn(self) -> None:
        if not self._interval:
            return
        now = self._clock()
        if self._next_due is not None and now < self._next_due:
            self._sleep(self._next_due - now)
            now = self._next_due
        self._next_due = now + self._interval

    def _next_frame(self) -> numpy.ndarray | None:
        import cv2

        if self._still is not None:
            return self._still.copy()  # consumers may draw on their frame
        if self._images:
            path = self._images[self._pos % len(self._images)]
            self._pos += 1
            frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if frame is None:
                log.warning("unreadable simulator frame", extra={"path": str(path)})
            return frame
        ok, frame = self._video.read()
        if not ok:  # end of the clip: loop
            self._video.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._video.read()
        return frame if ok else None

    def read(self) -> numpy.ndarray | None:
        with self._lock:
            if self._closed:
                return None
            self._wait_turn()
            return self._next_frame()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._video is not None:
                self._video.release()
                self._video = None


def open_camera(cfg: CameraConfig, resolve_path: Callable[[str], Path]) -> FrameSource:
    """The camera the config asks for; `resolve_path` is Config.path (relative paths from the config's base)."""
    if cfg.kind == "opencv":
        return OpenCvCamera(cfg.index, cfg.width, cfg.height, cfg.fps)
    if cfg.kind == "simulated":
        if not cfg.source:
            raise CameraUnavailable("(simulated)", "no_source")
        return FileCamera(resolve_path(cfg.source), cfg.fps)
    raise CameraUnavailable("(none)", "switched_off")
