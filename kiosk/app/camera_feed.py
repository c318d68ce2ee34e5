"""Frame sources for the registration screens: the configured camera, or image/video files (simulation, tests).

The camera driver proper belongs to kiosk/devices/camera.py (`open_camera`); this module uses it when
it is there and otherwise reads frames with OpenCV itself, so the flow runs on any branch.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from kiosk.config import Config
from kiosk.domain.errors import KioskError
from kiosk.paths import assets_dir

log = logging.getLogger(__name__)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp"}


class NoCamera(KioskError):
    code = "no_camera"

    def __init__(self) -> None:
        super().__init__(
            "Kamera tidak tersedia. Silakan ketik NIK Anda, atau minta bantuan petugas PTSP.",
            "The camera is not available. Please type your NIK, or ask the PTSP staff for help.",
        )


class FileFrames:
    """Frames from one image, a folder of images (cycled, `fps` a second) or a video file (looped)."""

    def __init__(self, path: Path, fps: float = 15.0) -> None:
        self.path = path
        self.period = 1.0 / fps
        self._images: list[np.ndarray] = []
        self._video: cv2.VideoCapture | None = None
        self._i = 0
        self._last = 0.0
        self._lock = threading.Lock()
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            self._images = [img for img in (cv2.imread(str(p)) for p in files) if img is not None]
        elif path.suffix.lower() in IMAGE_SUFFIXES:
            img = cv2.imread(str(path))
            self._images = [img] if img is not None else []
        elif path.exists():
            self._video = cv2.VideoCapture(str(path))
        if not self._images and (self._video is None or not self._video.isOpened()):
            raise NoCamera()

    def read(self) -> np.ndarray | None:
        with self._lock:
            # Pace like a camera: a reader calling in a tight loop gets a new frame each period.
            wait = self._last + self.period - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last = time.monotonic()
            if self._images:
                frame = self._images[self._i % len(self._images)]
                self._i += 1
                return frame.copy()
            ok, frame = self._video.read()
            if not ok:
                self._video.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, frame = self._video.read()
            return frame if ok else None

    def close(self) -> None:
        if self._video is not None:
            self._video.release()


class OpenCvCamera:
    def __init__(self, index: int, width: int, height: int, fps: int) -> None:
        self._cap = cv2.VideoCapture(index)
        if not self._cap.isOpened():
            raise NoCamera()
        self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self._cap.set(cv2.CAP_PROP_FPS, fps)

    def read(self) -> np.ndarray | None:
        ok, frame = self._cap.read()
        return frame if ok else None

    def close(self) -> None:
        self._cap.release()


def open_frame_source(cfg: Config, override: str | None = None, *, simulate: bool = False):
    """The camera for a registration step; raise NoCamera when there is none."""
    cam = cfg.devices.camera
    if override:
        return FileFrames(cfg.path(override), cam.fps)
    if cam.kind == "none":
        raise NoCamera()
    if cam.kind == "simulated":
        source = cfg.path(cam.source)
        if not source.exists():
            # The demo's own frames when the configured folder is absent.
            source = assets_dir() / "sim" / "flow"
        return FileFrames(source, cam.fps)
    try:
        from kiosk.devices.camera import open_camera  # issue 3's driver
    except ImportError:
        return OpenCvCamera(cam.index, cam.width, cam.height, cam.fps)
    try:
        source = open_camera(cam, cfg.path)
    except KioskError:
        raise
    except Exception as exc:
        log.warning("camera failed to open", extra={"error": type(exc).__name__})
        raise NoCamera() from exc
    if source is None:
        raise NoCamera()
    return source
