"""KTP reader: finds an ID-1 card in a camera frame, rectifies it, checks focus and glare, and OCRs its face.

`CardCapture` turns frames into guidance for the guest (move closer, reduce glare, hold still) until a
sharp, glare-free, steady card is seen; `KtpReader` then reads that card with an `OcrEngine` and hands
the lines to the pure parser in `kiosk.domain.ktp`. The simulator at this seam is `ktp_synth` (generated
camera frames), read through the same `FrameSource` the real camera uses.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from kiosk.devices.ocr import OcrEngine, OcrLine
from kiosk.domain.ktp import KtpReading, label_rows, nik_digit_probabilities, nik_is_doubtful, parse_ktp
from kiosk.domain.nik import is_valid_nik

# Rectified card size: ID-1 (85.6 x 54 mm) at about 300 dpi, the size the synthetic cards use.
CARD_W, CARD_H = 1012, 638
ID1_ASPECT = 85.6 / 54.0

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


def photo_box(card: np.ndarray) -> tuple[int, int, int, int] | None:
    """The holder's photo on the rectified card (x, y, w, h): the big, strongly coloured (red or blue
    background), portrait-shaped area in the right half. None when no such area is seen."""
    if card.ndim != 3:
        return None
    h, w = card.shape[:2]
    small = cv2.resize(card, (w // 4, h // 4), interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    mask = ((hsv[..., 1] > 90) & (hsv[..., 2] > 35)).astype(np.uint8) * 255
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    best = None
    for contour in contours:
        x, y, bw, bh = cv2.boundingRect(contour)
        if bh < 0.25 * small.shape[0] or bw > 0.45 * small.shape[1] or x + bw / 2 < small.shape[1] / 2:
            continue
        if cv2.contourArea(contour) < 0.5 * bw * bh:
            continue
        if best is None or bw * bh > best[2] * best[3]:
            best = (x, y, bw, bh)
    return None if best is None else tuple(int(v * 4) for v in best)


def text_right_edge(card: np.ndarray) -> int:
    """Where the text column ends: just left of the photo, or the card's edge when no photo is seen."""
    box = photo_box(card)
    width = card.shape[1]
    return width if box is None else max(int(box[0] - 0.01 * width), width // 2)


def nik_ink_right(card: np.ndarray, box: tuple[int, int, int, int]) -> int:
    """Where the ink of the row in `box` ends to the right of the box: dark, unsaturated columns (not the
    photo's coloured background) no further apart than a digit gap, at most 1.5 text heights on."""
    x, y, w, h = box
    strip = card[max(y, 0) : y + h, max(x, 0) :]
    if strip.size == 0 or h <= 0:
        return x + w
    gray = cv2.cvtColor(strip, cv2.COLOR_BGR2GRAY) if strip.ndim == 3 else strip
    threshold, _ = cv2.threshold(gray[:, : max(w, 1)], 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = gray < threshold
    if strip.ndim == 3:
        ink &= cv2.cvtColor(strip, cv2.COLOR_BGR2HSV)[..., 1] < 90
    columns = ink.sum(axis=0) >= 2
    last = w - 1
    for c in range(w, min(columns.size, w + int(1.5 * h))):
        if columns[c]:
            last = c
        elif c - last > 0.6 * h:
            break
    return x + last + 1 + max(2, h // 8)


def focus_measure(card: np.ndarray) -> float:
    """Variance of the Laplacian of the rectified card's text area: low means blurred."""
    gray = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY) if card.ndim == 3 else card
    text = gray[:, : text_right_edge(card)]
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


# Rows the second engine reads again in the hybrid reader: free text that no vocabulary or rule can
# check, where two engines agreeing is the evidence (about 0.1 s of CPU each).
REREAD = ("name", "address", "village")
# The reread rows are enlarged (cubic) before recognition: on generated cards this halved the words the
# recogniser split in two ("PAU LINA") and its misread letters (bench/ocr.py, tune split).
REREAD_SCALE = 2.0


class KtpReader:
    """Reads a rectified card: all text lines with `engine` (left of the photo), the labels found by
    their printed order; then the NIK band again on its own with `nik_engine` (single-line recognition,
    with each digit's probability), read a second and third time from other crops when a digit is
    doubtful; and, when `nik_engine` is another engine, the REREAD rows again with it."""

    def __init__(self, engine: OcrEngine, nik_engine: OcrEngine | None = None) -> None:
        self.engine = engine
        self.nik_engine = nik_engine or engine

    @property
    def name(self) -> str:
        if self.nik_engine is self.engine:
            return self.engine.name
        return f"{self.engine.name}+{self.nik_engine.name}-nik"

    def read_card(self, card: np.ndarray, *, today=None) -> KtpReading:
        timings: dict[str, float] = {}
        start = time.perf_counter()
        right = text_right_edge(card)
        text_area = card[:, :right]
        lines = self.engine.read_lines(text_area)
        timings["text_s"] = time.perf_counter() - start
        rows = [(ln.text, ln.confidence, ln.box, ln.chars) for ln in lines]
        found = label_rows(rows)
        mark = time.perf_counter()
        nik_reads = []
        nik_row = found.get("nik") or self._digit_row(lines, found)
        if nik_row is not None:
            # A wide NIK face can run past the text column's edge (the photo's left edge less a margin):
            # the band then goes on as far as its ink does, or the last digit is cut off.
            nik_right = max(right, nik_ink_right(card, nik_row.box))
            nik_reads = self._read_nik(card[:, :nik_right], nik_row.box)
        timings["nik_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        rereads = {}
        for key in REREAD if self.nik_engine is not self.engine else ():
            if key in found:
                line = self._band(text_area, found[key].box, 0.3, scale=REREAD_SCALE)
                if line is not None:
                    rereads[key] = [(line.text, line.confidence, line.chars)]
        timings["reread_s"] = time.perf_counter() - mark
        reading = parse_ktp(rows, nik_reads=nik_reads, rereads=rereads, today=today)
        timings["total_s"] = time.perf_counter() - start
        return replace(reading, timings=timings)

    @staticmethod
    def _digit_row(lines: list[OcrLine], found: dict) -> OcrLine | None:
        """No NIK label read: the first line above the name with ten or more digits."""
        name_y = found["name"].box[1] if "name" in found else float("inf")
        for line in lines:
            if line.box[1] < name_y and sum(ch.isdigit() for ch in line.text) >= 10:
                return line
        return None

    def _band(self, text_area: np.ndarray, box: tuple[int, int, int, int], margin: float,
              engine: OcrEngine | None = None, digits: bool = False, scale: float = 1.0) -> OcrLine | None:
        x, y, w, h = box
        pad = max(4, int(h * margin))
        x0 = max(x - pad, 0)
        band = text_area[max(y - pad, 0) : y + h + pad, x0 : min(x + w + 2 * pad, text_area.shape[1])]
        if scale != 1.0 and band.size:
            band = cv2.resize(band, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        return (engine or self.nik_engine).read_line(band, digits=digits) if band.size else None

    def _read_nik(self, text_area: np.ndarray, box: tuple[int, int, int, int]) -> list:
        """The NIK band (label included: the parser drops it), read once, and again from other crops
        while the read is incomplete, breaks the NIK rules or has a doubtful digit. Returns every read,
        the first full valid one first."""
        reads = []
        for margin in (0.5, 0.25, 0.9):
            line = self._band(text_area, box, margin, digits=True)
            if line is None:
                continue
            reads.append((line.text, line.confidence, line.chars))
            digits, _probs = nik_digit_probabilities(line.text, line.chars)
            good = len(digits) == 16 and is_valid_nik(digits)
            if not good:
                continue
            agreeing = sum(nik_digit_probabilities(r[0], r[2])[0] == digits for r in reads)
            # Sure of every digit on the first read, or two reads agree: no further read.
            if (len(reads) == 1 and not nik_is_doubtful(line.text, line.chars)) or agreeing >= 2:
                break

        def rank(read) -> tuple[bool, bool]:
            digits, _p = nik_digit_probabilities(read[0], read[2])
            return (len(digits) == 16 and is_valid_nik(digits), not nik_is_doubtful(read[0], read[2]))

        return sorted(reads, key=rank, reverse=True)

    def read_frame(self, frame: np.ndarray, *, today=None) -> KtpReading | None:
        """Find, rectify and read a card in one frame regardless of focus and glare (benchmarks, tests)."""
        corners = find_card(frame)
        return None if corners is None else self.read_card(rectify(frame, corners), today=today)
