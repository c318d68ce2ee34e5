"""KTP reader: finds an ID-1 card in a camera frame, rectifies it, checks focus and glare, and OCRs its face.

`CardCapture` turns frames into guidance for the guest (move closer, reduce glare, hold still) until a
sharp, glare-free, steady card is seen; `KtpReader` then reads that card with an `OcrEngine` and hands
the lines to the pure parser in `kiosk.domain.ktp`. The simulator at this seam is `ktp_synth` (generated
camera frames), read through the same `FrameSource` the real camera uses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import cv2
import numpy as np

from kiosk.devices.ocr import OcrEngine, OcrLine
from kiosk.domain.ktp import KtpReading, digits_only, parse_ktp
from kiosk.domain.nik import is_valid_nik

# Rectified card size: ID-1 (85.6 x 54 mm) at about 300 dpi, the size the synthetic cards use.
CARD_W, CARD_H = 1012, 638
ID1_ASPECT = 85.6 / 54.0
# The face's text lies left of the photo; the photo column starts at about 76 % of the width.
TEXT_RIGHT = 0.75
NIK_LEFT = 0.22

GUIDANCE = {
    "no_card": ("Tunjukkan KTP ke kamera", "Show your KTP to the camera"),
    "move_closer": ("Dekatkan KTP ke kamera", "Move the card closer"),
    "reduce_glare": ("Kurangi pantulan cahaya: miringkan sedikit KTP", "Reduce glare: tilt the card a little"),
    "hold_still": ("Tahan, jangan bergerak", "Hold still"),
    "reading": ("Membaca KTP...", "Reading the card..."),
}


@dataclass(frozen=True)
class CaptureThresholds:
    min_area_frac: float = 0.18  # card area / frame area below which the guest is asked to come closer
    min_focus: float = 60.0  # variance of the Laplacian of the rectified card (grey levels squared)
    max_glare: float = 0.004  # fraction of the card's pixels saturated white
    max_motion_px: float = 12.0  # corner movement between consecutive frames still counted as steady
    steady_frames: int = 2  # consecutive good frames before reading


@dataclass
class CaptureState:
    """What one frame shows, for the screen: the guidance code and the measurements behind it."""

    guidance: str
    corners: np.ndarray | None = None
    area_frac: float = 0.0
    focus: float = 0.0
    glare: float = 0.0
    card: np.ndarray | None = field(default=None, repr=False)  # rectified card when guidance == "reading"

    def text(self, lang: str) -> str:
        text_id, text_en = GUIDANCE[self.guidance]
        return text_id if lang == "id" else text_en


def order_corners(pts: np.ndarray) -> np.ndarray:
    pts = pts.reshape(4, 2).astype(np.float32)
    s, d = pts.sum(axis=1), pts[:, 1] - pts[:, 0]
    return np.array([pts[s.argmin()], pts[d.argmin()], pts[s.argmax()], pts[d.argmax()]], dtype=np.float32)


def _quad_aspect(q: np.ndarray) -> float:
    top, bottom = np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[3])
    left, right = np.linalg.norm(q[3] - q[0]), np.linalg.norm(q[2] - q[1])
    return (top + bottom) / max(left + right, 1e-6)


def find_card(frame: np.ndarray) -> np.ndarray | None:
    """The card's corners (tl, tr, br, bl) in the frame, or None when no card-shaped quadrilateral is seen."""
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
    small_scale = 640 / max(gray.shape)
    small = cv2.resize(gray, None, fx=small_scale, fy=small_scale, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    frame_area = small.shape[0] * small.shape[1]
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    edges = cv2.dilate(cv2.Canny(small, 30, 90), np.ones((3, 3), np.uint8), iterations=2)
    best, best_score = None, 0.0
    for mask in (bright, edges):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
            hull = cv2.convexHull(contour)
            area = cv2.contourArea(hull)
            if area < 0.03 * frame_area:
                break
            approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
            quad = approx if len(approx) == 4 else cv2.boxPoints(cv2.minAreaRect(hull))
            quad = order_corners(np.asarray(quad))
            h, w = small.shape
            if quad[:, 0].min() < 2 or quad[:, 1].min() < 2 or quad[:, 0].max() > w - 3 or quad[:, 1].max() > h - 3:
                continue  # touches the frame's edge: not a whole card (or the whole frame itself)
            aspect = _quad_aspect(quad)
            if not 1.3 <= aspect <= 1.9:
                continue
            # Prefer big, card-shaped, and well filled by its contour (not a blob of desk and card).
            fill = area / max(cv2.contourArea(quad), 1e-6)
            score = area * (1 - abs(aspect - ID1_ASPECT)) * min(fill, 1 / fill) * (1.05 if len(approx) == 4 else 1)
            if score > best_score:
                best, best_score = quad, score
    return None if best is None else best / small_scale


def rectify(frame: np.ndarray, corners: np.ndarray) -> np.ndarray:
    dst = np.array([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), dst)
    return cv2.warpPerspective(frame, matrix, (CARD_W, CARD_H), flags=cv2.INTER_CUBIC)


def focus_measure(card: np.ndarray) -> float:
    """Variance of the Laplacian of the rectified card's text area: low means blurred."""
    gray = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY) if card.ndim == 3 else card
    text = gray[:, : int(CARD_W * TEXT_RIGHT)]
    # Normalise by contrast so a dim but sharp card is not taken for a blurred one.
    spread = max(float(np.percentile(text, 95) - np.percentile(text, 5)), 1.0)
    return float(cv2.Laplacian(text, cv2.CV_64F).var()) * (200.0 / spread) ** 2


def glare_fraction(card: np.ndarray) -> float:
    """Share of the card's pixels that are saturated white in every channel (a specular highlight)."""
    bgr = card if card.ndim == 3 else cv2.cvtColor(card, cv2.COLOR_GRAY2BGR)
    return float(np.mean(bgr.min(axis=2) >= 250))


class CardCapture:
    """Frame by frame: where the card is, whether it can be read, and what to tell the guest."""

    def __init__(self, thresholds: CaptureThresholds | None = None) -> None:
        self.thresholds = thresholds or CaptureThresholds()
        self._last: np.ndarray | None = None
        self._steady = 0

    def reset(self) -> None:
        self._last, self._steady = None, 0

    def feed(self, frame: np.ndarray) -> CaptureState:
        t = self.thresholds
        corners = find_card(frame)
        if corners is None:
            self.reset()
            return CaptureState("no_card")
        area_frac = float(cv2.contourArea(corners)) / (frame.shape[0] * frame.shape[1])
        moved = float(np.abs(corners - self._last).max()) if self._last is not None else 0.0
        self._last = corners
        state = CaptureState("reading", corners, area_frac)
        if area_frac < t.min_area_frac:
            state.guidance = "move_closer"
        else:
            card = rectify(frame, corners)
            state.focus, state.glare = focus_measure(card), glare_fraction(card)
            if state.glare > t.max_glare:
                state.guidance = "reduce_glare"
            elif state.focus < t.min_focus or moved > t.max_motion_px:
                state.guidance = "hold_still"
            else:
                state.card = card
        if state.guidance != "reading":
            self._steady = 0
            return state
        self._steady += 1
        if self._steady < t.steady_frames:
            state.guidance, state.card = "hold_still", None
        return state


_NIK_LABEL = re.compile(r"^\W*N\s*[I1l|]\s*K\b", re.IGNORECASE)


def nik_line_index(lines: list[OcrLine]) -> int | None:
    """The line holding the NIK: labelled 'NIK', else the first of the top lines with ten or more digits."""
    for i, line in enumerate(lines[:5]):
        if _NIK_LABEL.match(line.text):
            return i
    for i, line in enumerate(lines[:5]):
        if sum(ch.isdigit() for ch in line.text) >= 10:
            return i
    return None


class KtpReader:
    """Reads a rectified card: all text lines with `engine`, then the NIK line again on its own with
    `nik_engine` (single-line recognition, digits only), which is far more reliable for the OCR-A digits."""

    def __init__(self, engine: OcrEngine, nik_engine: OcrEngine | None = None) -> None:
        self.engine = engine
        self.nik_engine = nik_engine or engine

    @property
    def name(self) -> str:
        if self.nik_engine is self.engine:
            return self.engine.name
        return f"{self.engine.name}+{self.nik_engine.name}-nik"

    def read_card(self, card: np.ndarray) -> KtpReading:
        text_area = card[:, : int(card.shape[1] * TEXT_RIGHT)]
        lines = self.engine.read_lines(text_area)
        nik_line = None
        index = nik_line_index(lines)
        if index is not None:
            nik_line = self._read_nik(text_area, lines[index].box, card.shape[1])
        return parse_ktp([(ln.text, ln.confidence) for ln in lines], nik_line=(nik_line.text, nik_line.confidence)
                         if nik_line else None)

    def _read_nik(self, text_area: np.ndarray, box: tuple[int, int, int, int], card_w: int) -> OcrLine | None:
        """The NIK band recognised on its own; a tight crop can lose a digit, so other margins are tried
        until one gives 16 digits that pass the NIK rules."""
        _x, y, _w, h = box
        first = None
        for margin in (0.5, 0.25, 0.9):
            pad = max(6, int(h * margin))
            band = text_area[max(y - pad, 0) : y + h + pad, int(card_w * NIK_LEFT) :]
            line = self.nik_engine.read_line(band, digits=True) if band.size else None
            if line is None:
                continue
            first = first or line
            digits, _fixes = digits_only(line.text)
            if len(digits) == 16 and is_valid_nik(digits):
                return line
        return first

    def read_frame(self, frame: np.ndarray) -> KtpReading | None:
        """Find, rectify and read a card in one frame regardless of focus and glare (benchmarks, tests)."""
        corners = find_card(frame)
        return None if corners is None else self.read_card(rectify(frame, corners))
