"""Finding the guest's face for the photo step: OpenCV's Haar frontal-face cascade, and where it is in the frame.

OpenCV 4 wheels bundle the cascades (`cv2.data.haarcascades`) and `cv2.CascadeClassifier`; the
OpenCV 5 wheel this project installs has neither. So the same cascade XML (bundled, or Debian's
`opencv-data` package) is evaluated here with numpy when OpenCV cannot: integral images, variance
normalisation and early stage rejection exactly as OpenCV's Haar evaluator does, with a simple
neighbour grouping. Without any cascade the photo step still works with a manual capture tap.
"""
from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

CASCADE = "haarcascade_frontalface_default.xml"
SEARCH_DIRS = ("/usr/share/opencv4/haarcascades", "/usr/share/opencv/haarcascades")
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
    dirs = [getattr(getattr(cv2, "data", None), "haarcascades", "") or "", *SEARCH_DIRS]
    for d in dirs:
        if d and (Path(d) / CASCADE).is_file():
            return Path(d) / CASCADE
    return None


class _Stage:
    def __init__(self, threshold: float, feats: np.ndarray, node_thr: np.ndarray, left: np.ndarray, right: np.ndarray):
        self.threshold = threshold
        self.feats, self.node_thr, self.left, self.right = feats, node_thr, left, right


class NumpyHaarCascade:
    """A stump-based Haar cascade (OpenCV's XML format) evaluated with numpy."""

    def __init__(self, path: Path) -> None:
        root = ET.parse(path).getroot().find("cascade")
        self.win_w = int(root.findtext("width"))
        self.win_h = int(root.findtext("height"))
        rects = []
        for feat in root.find("features"):
            r = [list(map(float, el.text.split())) for el in feat.find("rects")]
            rects.append(r + [[0, 0, 0, 0, 0.0]] * (3 - len(r)))
        self.rects = np.array(rects)  # (features, 3, 5): x y w h weight
        self.stages: list[_Stage] = []
        for st in root.find("stages"):
            nodes = [el for el in st.find("weakClassifiers")]
            inner = np.array([list(map(float, n.findtext("internalNodes").split())) for n in nodes])
            leaves = np.array([list(map(float, n.findtext("leafValues").split())) for n in nodes])
            self.stages.append(_Stage(float(st.findtext("stageThreshold")), inner[:, 2].astype(int), inner[:, 3],
                                      leaves[:, 0], leaves[:, 1]))

    def _offsets(self, stride: int) -> np.ndarray:
        """Flat offsets of each rectangle's four corners in an integral image `stride` wide.
        Returned, never stored: the camera thread and a capture may detect at the same time."""
        x, y, w, h = (self.rects[..., i].astype(int) for i in range(4))
        return np.stack([(y + h) * stride + x + w, y * stride + x + w, (y + h) * stride + x, y * stride + x], -1)

    def _windows(self, gray: np.ndarray, step: int) -> np.ndarray:
        h, w = gray.shape
        ii = cv2.integral(gray, sdepth=cv2.CV_64F).ravel()
        ii2 = cv2.integral(gray.astype(np.float64) ** 2, sdepth=cv2.CV_64F).ravel()
        stride = w + 1
        all_corners = self._offsets(stride)
        ys, xs = np.mgrid[0 : h - self.win_h + 1 : step, 0 : w - self.win_w + 1 : step]
        base = (ys * stride + xs).ravel()
        # Variance normalisation over the window less a 1-pixel border, as OpenCV does.
        a = stride + 1
        area = (self.win_w - 2) * (self.win_h - 2)

        p00, p01 = base + a, base + a + (self.win_w - 2)
        p10, p11 = base + a + (self.win_h - 2) * stride, base + a + (self.win_h - 2) * stride + (self.win_w - 2)
        s = ii[p11] - ii[p01] - ii[p10] + ii[p00]
        s2 = ii2[p11] - ii2[p01] - ii2[p10] + ii2[p00]
        nf = area * s2 - s * s
        nf = np.where(nf > 0, np.sqrt(np.maximum(nf, 0)), 1.0)
        idx = np.arange(base.size)
        for stage in self.stages:
            if idx.size == 0:
                break
            corners = all_corners[stage.feats]  # (K, 3, 4)
            weights = self.rects[stage.feats, :, 4]  # (K, 3)
            total = np.zeros(idx.size)
            chunk = max(1, 3_000_000 // (corners.size or 1))
            for start in range(0, idx.size, chunk):
                sel = idx[start : start + chunk]
                v = ii[base[sel][None, None, None, :] + corners[..., None]]  # (K, 3, 4, n)
                rect_sums = v[:, :, 0] - v[:, :, 1] - v[:, :, 2] + v[:, :, 3]  # (K, 3, n)
                val = (rect_sums * weights[..., None]).sum(1) / nf[sel][None, :]
                total[start : start + chunk] = np.where(
                    val < stage.node_thr[:, None], stage.left[:, None], stage.right[:, None]
                ).sum(0)
            idx = idx[total >= stage.threshold - 1e-9]
        return np.stack([xs.ravel()[idx], ys.ravel()[idx]], 1)

    def detect(self, gray: np.ndarray, scale_factor: float = 1.2, min_size: int = 40, min_neighbors: int = 3) -> list[Face]:
        h, w = gray.shape
        found: list[tuple[int, int, int, int]] = []
        scale = max(1.0, min_size / self.win_w)
        while self.win_w * scale <= w and self.win_h * scale <= h:
            sw, sh = int(round(w / scale)), int(round(h / scale))
            small = cv2.resize(gray, (sw, sh), interpolation=cv2.INTER_LINEAR) if scale > 1 else gray
            step = 1 if scale > 2 else 2
            for x, y in self._windows(small, step):
                found.append((int(x * scale), int(y * scale), int(self.win_w * scale), int(self.win_h * scale)))
            scale *= scale_factor
        return _group(found, min_neighbors)


def _group(rects: list[tuple[int, int, int, int]], min_neighbors: int, eps: float = 0.2) -> list[Face]:
    """Cluster similar rectangles (OpenCV's similarity rule) and keep clusters with enough members."""
    clusters: list[list[tuple[int, int, int, int]]] = []
    for r in rects:
        for c in clusters:
            q = c[0]
            d = eps * (min(r[2], q[2]) + min(r[3], q[3])) * 0.5
            if abs(r[0] - q[0]) <= d and abs(r[1] - q[1]) <= d and abs(r[0] + r[2] - q[0] - q[2]) <= d \
                    and abs(r[1] + r[3] - q[1] - q[3]) <= d:
                c.append(r)
                break
        else:
            clusters.append([r])
    faces = []
    for c in clusters:
        if len(c) >= min_neighbors:
            x, y, w, h = (int(round(v)) for v in np.mean(np.array(c), 0))
            faces.append(Face(x, y, w, h))
    return sorted(faces, key=lambda f: f.w * f.h, reverse=True)


class FaceFinder:
    def __init__(self) -> None:
        self.path = cascade_path()
        self._cv = None
        self._np: NumpyHaarCascade | None = None
        if self.path is None:
            log.warning("no face cascade found: the photo step uses a manual capture")
        elif hasattr(cv2, "CascadeClassifier"):
            self._cv = cv2.CascadeClassifier(str(self.path))
        else:
            self._np = NumpyHaarCascade(self.path)

    @property
    def available(self) -> bool:
        return self._cv is not None or self._np is not None

    def find(self, frame: np.ndarray) -> Face | None:
        """The largest face in a BGR frame, in the frame's own pixels."""
        if not self.available:
            return None
        h, w = frame.shape[:2]
        k = WORK_WIDTH / w if w > WORK_WIDTH else 1.0
        small = cv2.resize(frame, (int(w * k), int(h * k)), interpolation=cv2.INTER_AREA) if k < 1 else frame
        gray = cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY))
        min_size = max(24, int(gray.shape[1] * 0.15))
        if self._cv is not None:
            found = [Face(*map(int, r)) for r in self._cv.detectMultiScale(gray, 1.2, 3, minSize=(min_size, min_size))]
            found.sort(key=lambda f: f.w * f.h, reverse=True)
        else:
            found = self._np.detect(gray, min_size=min_size)
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
