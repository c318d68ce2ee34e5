"""Finding the guest's face for the photo step: OpenCV's Haar frontal-face cascade, and where it is in the frame.

The cascade ships inside the opencv-python 4.x wheel (`cv2.data.haarcascades`); the lock pins 4.x
because OpenCV 5 has neither `cv2.CascadeClassifier` nor the bundled cascades. Should the cascade be
missing all the same, the error is logged and the photo step falls back to a manual capture tap.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

CASCADE = "haarcascade_frontalface_default.xml"
WORK_WIDTH = 320  # frames are analysed at this width: a face at a kiosk fills a good part of the picture


@dataclass(frozen=True)
class Face:
    x: int
    y: int
    w: int
    h: int

    @property
    def center(self) -> tuple[float, float]:
        return self.x + self.w / 2, self.y + self.h / 2


@dataclass(frozen=True)
class FaceCheck:
    """What the photo screen tells the guest: no face, move (left/right/up/down/closer/back), or hold still."""

    face: Face | None
    hint: str  # none | left | right | up | down | closer | back | ok

    @property
    def ready(self) -> bool:
        return self.hint == "ok"


def cascade_path() -> Path | None:
    """The frontal-face cascade inside the installed opencv-python, or None (OpenCV 5 has none)."""
    folder = getattr(getattr(cv2, "data", None), "haarcascades", None)
    if not folder or not hasattr(cv2, "CascadeClassifier"):
        return None
    path = Path(folder) / CASCADE
    return path if path.is_file() else None


class FaceFinder:
    def __init__(self) -> None:
        self.path = cascade_path()
        self._cv = None
        if self.path is None:
            log.error("no face cascade in OpenCV %s (the lock pins opencv-python 4.x): the photo step uses a manual capture",
                      cv2.__version__)
        else:
            cv = cv2.CascadeClassifier(str(self.path))
            if cv.empty():
                log.error("face cascade %s unreadable: the photo step uses a manual capture", self.path)
            else:
                self._cv = cv

    @property
    def available(self) -> bool:
        return self._cv is not None

    def find(self, frame: np.ndarray) -> Face | None:
        """The largest face in a BGR frame, in the frame's own pixels."""
        if not self.available:
            return None
        h, w = frame.shape[:2]
        k = WORK_WIDTH / w if w > WORK_WIDTH else 1.0
        small = cv2.resize(frame, (int(w * k), int(h * k)), interpolation=cv2.INTER_AREA) if k < 1 else frame
        gray = cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY))
        min_size = max(24, int(gray.shape[1] * 0.15))
        found = [Face(*map(int, r)) for r in self._cv.detectMultiScale(gray, 1.2, 3, minSize=(min_size, min_size))]
        found.sort(key=lambda f: f.w * f.h, reverse=True)
        if not found:
            return None
        f = found[0]
        return Face(int(f.x / k), int(f.y / k), int(f.w / k), int(f.h / k))

    def check(self, frame: np.ndarray) -> FaceCheck:
        """Where the face is against the guide oval: centred and big enough means ready."""
        face = self.find(frame)
        if face is None:
            return FaceCheck(None, "none")
        h, w = frame.shape[:2]
        cx, cy = face.center
        dx, dy = (cx - w / 2) / w, (cy - h / 2) / h
        if face.w < 0.18 * w:
            return FaceCheck(face, "closer")
        if face.w > 0.7 * w:
            return FaceCheck(face, "back")
        # The preview is mirrored for the guest, so a face right of centre in the frame must move "right".
        if abs(dx) > 0.12:
            return FaceCheck(face, "right" if dx > 0 else "left")
        if abs(dy) > 0.15:
            return FaceCheck(face, "down" if dy < 0 else "up")
        return FaceCheck(face, "ok")


def portrait_jpeg(frame: np.ndarray, face: Face | None, width: int = 480) -> bytes:
    """The saved photo: head and shoulders around the face (or the centre), JPEG."""
    h, w = frame.shape[:2]
    if face is not None:
        cx, cy = face.center
        half_w = face.w * 1.1
        half_h = half_w * 4 / 3
        cy += face.h * 0.15
    else:
        cx, cy, half_h = w / 2, h / 2, h / 2
        half_w = half_h * 3 / 4
    x0, x1 = int(max(0, cx - half_w)), int(min(w, cx + half_w))
    y0, y1 = int(max(0, cy - half_h)), int(min(h, cy + half_h))
    crop = frame[y0:y1, x0:x1]
    scale = width / crop.shape[1]
    crop = cv2.resize(crop, (width, int(crop.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:  # pragma: no cover - imencode of a valid image does not fail
        raise RuntimeError("JPEG encoding failed")
    return buf.tobytes()
