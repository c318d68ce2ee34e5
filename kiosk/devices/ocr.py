"""OCR engines behind one interface: Tesseract (Debian's tesseract-ocr + Indonesian data) and RapidOCR (PyPI wheel).

Both take a BGR image and return text lines in reading order with a confidence 0..1 and a box in the
image's pixels. Neither downloads anything at run time: Tesseract's models come from the Debian
packages `tesseract-ocr tesseract-ocr-ind`, RapidOCR's ONNX models ship inside `rapidocr-onnxruntime`.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from kiosk.domain.errors import KioskError

ENGINES = ("rapidocr", "tesseract")


@dataclass(frozen=True)
class OcrLine:
    text: str
    confidence: float  # 0..1
    box: tuple[int, int, int, int]  # x, y, w, h
    # Confidence of each character of `text` (0..1) when the recogniser gives it (RapidOCR's CTC
    # decoder does); empty when only the line's confidence is known (Tesseract).
    chars: tuple[float, ...] = ()

    @property
    def cy(self) -> float:
        return self.box[1] + self.box[3] / 2


class OcrEngine(Protocol):
    name: str

    def read_lines(self, image: np.ndarray) -> list[OcrLine]:
        """Lines of text in `image` (BGR), top to bottom, each line's words left to right."""
        ...

    def read_line(self, image: np.ndarray, *, digits: bool = False) -> OcrLine | None:
        """`image` is one line of text (no detection); `digits` hints that only 0-9 are printed."""
        ...


class OcrUnavailable(KioskError):
    code = "ocr_unavailable"

    def __init__(self, engine: str, detail: str) -> None:
        super().__init__(engine=engine, detail=detail)


def group_rows(pieces: list[OcrLine], *, overlap: float = 0.5) -> list[OcrLine]:
    """Join pieces whose vertical extents overlap into one line (label and value are separate boxes)."""
    rows: list[list[OcrLine]] = []
    for piece in sorted(pieces, key=lambda p: p.cy):
        if rows:
            last = rows[-1]
            top = min(p.box[1] for p in last)
            bottom = max(p.box[1] + p.box[3] for p in last)
            y0, y1 = piece.box[1], piece.box[1] + piece.box[3]
            shared = min(bottom, y1) - max(top, y0)
            if shared >= overlap * min(bottom - top, y1 - y0):
                last.append(piece)
                continue
        rows.append([piece])
    lines = []
    for row in rows:
        row.sort(key=lambda p: p.box[0])
        x0 = min(p.box[0] for p in row)
        y0 = min(p.box[1] for p in row)
        x1 = max(p.box[0] + p.box[2] for p in row)
        y1 = max(p.box[1] + p.box[3] for p in row)
        weight = sum(max(len(p.text), 1) for p in row)
        conf = sum(p.confidence * max(len(p.text), 1) for p in row) / weight
        # Each character keeps its own piece's confidence (a word's, for Tesseract), so one doubtful
        # word is not averaged away by the sure words around it.
        chars: list[float] = []
        for k, p in enumerate(row):
            if k:
                chars.append(min(p.confidence, row[k - 1].confidence))
            chars.extend(p.chars if len(p.chars) == len(p.text) else [p.confidence] * len(p.text))
        lines.append(OcrLine(" ".join(p.text for p in row), conf, (x0, y0, x1 - x0, y1 - y0), tuple(chars)))
    return lines


class TesseractEngine:
    """The `tesseract` command, one process per image, TSV output (word boxes and confidences)."""

    name = "tesseract"

    def __init__(self, *, lang: str = "ind", threads: int = 1, psm: int = 6, timeout_s: float = 20.0) -> None:
        self.exe = shutil.which("tesseract")
        if not self.exe:
            raise OcrUnavailable(self.name, "install the Debian packages tesseract-ocr tesseract-ocr-ind")
        self.lang, self.psm, self.timeout_s = lang, psm, timeout_s
        self.env = dict(os.environ, OMP_THREAD_LIMIT=str(threads))

    def read_lines(self, image: np.ndarray) -> list[OcrLine]:
        words = self._words(image, ["-l", self.lang, "--psm", str(self.psm)])
        pieces = [line for group in words.values() for line in group_rows(group, overlap=0.0)]
        return group_rows(pieces)

    def read_line(self, image: np.ndarray, *, digits: bool = False) -> OcrLine | None:
        args = ["-l", self.lang, "--psm", "7"]
        if digits:
            # Upscaled and binarised, with the English model and a whitelist: Indonesian data
            # misreads OCR-A digits far more often (measured on generated cards).
            gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
            gray = cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
            _, image = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
            args = ["-l", "eng", "--psm", "7", "-c", "tessedit_char_whitelist=0123456789"]
        pieces = [p for group in self._words(image, args).values() for p in group]
        lines = group_rows(pieces, overlap=0.0)
        return max(lines, key=lambda line: len(line.text)) if lines else None

    def _words(self, image: np.ndarray, args: list[str]) -> dict[tuple[str, str, str], list[OcrLine]]:
        ok, png = cv2.imencode(".png", image)
        if not ok:
            return {}
        try:
            proc = subprocess.run(
                [self.exe, "stdin", "stdout", *args, "tsv"],
                input=png.tobytes(),
                capture_output=True,
                timeout=self.timeout_s,
                env=self.env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise OcrUnavailable(self.name, f"no answer within {self.timeout_s:.0f} s") from None
        if proc.returncode != 0:
            raise OcrUnavailable(self.name, proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or "failed")
        words: dict[tuple[str, str, str], list[OcrLine]] = {}
        for row in proc.stdout.decode("utf-8", errors="replace").splitlines()[1:]:
            cols = row.split("\t")
            if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
                continue
            x, y, w, h = (int(c) for c in cols[6:10])
            conf = max(float(cols[10]), 0.0) / 100
            words.setdefault((cols[2], cols[3], cols[4]), []).append(OcrLine(cols[11], conf, (x, y, w, h)))
        return words


class RapidOcrEngine:
    """PP-OCRv4 detection + recognition on onnxruntime; the models are inside the wheel."""

    name = "rapidocr"
    _lock = threading.Lock()

    def __init__(self, *, threads: int = 1) -> None:
        try:
            # ONNX runtime: seconds to load, only for RapidOCR.
            from rapidocr_onnxruntime import RapidOCR
        except ImportError:
            raise OcrUnavailable(self.name, "pip install rapidocr-onnxruntime") from None
        # The card is rectified upright before OCR, so the angle classifier only costs time.
        self._ocr = RapidOCR(use_cls=False, intra_op_num_threads=threads, inter_op_num_threads=1)

    def read_lines(self, image: np.ndarray) -> list[OcrLine]:
        with self._lock:  # one onnxruntime session set, used by one thread at a time
            result, _ = self._ocr(image, return_word_box=True)
        pieces = []
        for box, text, score, *words in result or []:
            pts = np.array(box, dtype=np.float32)
            x0, y0 = pts.min(axis=0)
            x1, y1 = pts.max(axis=0)
            text = _respace(text, words if len(words) >= 2 else None, image, (int(x0), int(y0), int(x1 - x0), int(y1 - y0)))
            clean = "".join(ch for ch in text if ch.isascii()).strip()
            if clean:
                pieces.append(OcrLine(clean, float(score), (int(x0), int(y0), int(x1 - x0), int(y1 - y0))))
        return group_rows(pieces)

    def read_line(self, image: np.ndarray, *, digits: bool = False) -> OcrLine | None:
        """Recognition only, with the CTC decoder's probability of every character kept."""
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        if image.size == 0:
            return None
        with self._lock:
            result, _ = self._ocr.text_rec([image], True)
        if not result or not result[0][0]:
            return None
        text, score = result[0][0], float(result[0][1])
        info = result[0][2] if len(result[0]) > 2 else []
        probs = list(info[4]) if len(info) > 4 else []
        if len(probs) != len(text):
            probs = [score] * len(text)
        text, probs = _respace_columns(text, probs, info, image)
        kept = [(ch, float(p)) for ch, p in zip(text, probs, strict=True) if ch.isascii()]
        while kept and kept[0][0].isspace():
            kept.pop(0)
        while kept and kept[-1][0].isspace():
            kept.pop()
        if not kept:
            return None
        h, w = image.shape[:2]
        return OcrLine("".join(ch for ch, _ in kept), score, (0, 0, w, h), tuple(p for _, p in kept))


def _respace(text: str, word_box: list | None, image: np.ndarray, box: tuple[int, int, int, int]) -> str:
    """Put back the spaces the PP-OCR recogniser drops between words.

    A word gap is a run of ink-free columns wider than a quarter of the text height in the line's own
    pixels; a space goes between two recognised letters whose centres lie on either side of such a gap.
    """
    if not word_box or len(word_box[0]) != len(word_box[1]) or len(word_box[1]) < 3:
        return text
    x, y, w, h = box
    crop = image[max(y, 0) : y + h, max(x, 0) : x + w]
    if crop.size == 0:
        return text
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    _, ink = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    empty = ink.sum(axis=0) == 0
    min_gap = max(3, h // 4)
    gaps, run = [], 0
    for i, blank in enumerate(empty):
        if blank:
            run += 1
        else:
            if run >= min_gap and i - run > 0:
                gaps.append(x + i - run / 2)
            run = 0
    boxes, chars = word_box[0], word_box[1]
    centres = [sum(p[0] for p in b) / len(b) for b in boxes]
    out = [chars[0]]
    for i in range(1, len(chars)):
        if chars[i] != " " and out[-1] != " " and any(centres[i - 1] < g < centres[i] for g in gaps):
            out.append(" ")
        out.append(chars[i])
    return "".join(out)


def _respace_columns(text: str, probs: list[float], info: list, image: np.ndarray) -> tuple[str, list[float]]:
    """Spaces for a line recognised without detection: each letter's CTC column gives its x in the
    image, and a space goes where the ink between two letters has a gap (as in `_respace`)."""
    if len(info) < 3 or " " in text or len(text) < 3:
        return text, probs
    cols = [c for word in info[2] for c in word]
    if len(cols) != len(text) or not info[0]:
        return text, probs
    h, w = image.shape[:2]
    # The recogniser sees the line at 48 px high, padded to at least 320 px wide (PP-OCR's input).
    width_seen = max(h * 320 / 48, w)
    centres = [(c + 0.5) * width_seen / info[0] for c in cols]
    strip = image[int(h * 0.15) : int(h * 0.85) + 1]
    gray = cv2.cvtColor(strip, cv2.COLOR_BGR2GRAY) if strip.ndim == 3 else strip
    _, ink = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    empty = ink.sum(axis=0) == 0
    # Between letters at most about a seventh of the line image's height is blank; a word gap is wider.
    min_gap = max(3, round(0.18 * h))
    gaps, run = [], 0
    for i, blank in enumerate(empty):
        if blank:
            run += 1
        else:
            if run >= min_gap and i - run > 0:
                gaps.append(i - run / 2)
            run = 0
    out, out_p = [text[0]], [probs[0]]
    for i in range(1, len(text)):
        if any(centres[i - 1] < g < centres[i] for g in gaps):
            out.append(" ")
            out_p.append(min(probs[i - 1], probs[i]))
        out.append(text[i])
        out_p.append(probs[i])
    return "".join(out), out_p


def make_engine(name: str, *, threads: int = 1) -> OcrEngine:
    if name == "tesseract":
        return TesseractEngine(threads=threads)
    if name == "rapidocr":
        return RapidOcrEngine(threads=threads)
    raise OcrUnavailable(name, f"unknown engine; choose one of {', '.join(ENGINES)}")
