"""Test frames with codes on them (segno + cv2), a pty pair for serial scanners, and a helper that waits for a
worker thread's results."""
from __future__ import annotations

import os
import threading
import time

import cv2
import numpy as np
import pytest
import segno


def qr_frame(text: str, size: tuple[int, int] = (640, 480), *, module_px: int = 6, angle: float = 0.0,
             blur: int = 0) -> np.ndarray:
    """A grey BGR frame of `size` (w, h) with one QR (never Micro QR: zbar cannot read it) in the middle."""
    w, h = size
    frame = np.full((h, w, 3), 180, np.uint8)
    if text:
        matrix = np.array(segno.make(text, micro=False).matrix, dtype=np.uint8)
        code = np.where(matrix == 1, 0, 255).astype(np.uint8)
        code = np.pad(code, 4, constant_values=255)
        code = cv2.resize(code, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)
        y, x = (h - code.shape[0]) // 2, (w - code.shape[1]) // 2
        frame[y : y + code.shape[0], x : x + code.shape[1]] = code[:, :, None]
    if angle:
        rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        frame = cv2.warpAffine(frame, rot, (w, h), borderValue=(180, 180, 180))
    if blur:
        frame = cv2.GaussianBlur(frame, (blur, blur), 0)
    return frame


def wait_until(predicate, timeout: float = 20.0) -> bool:
    """Poll for a worker thread's effect; the timeout only stops a broken test from hanging."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


class Collector:
    def __init__(self) -> None:
        self.codes = []
        self.lock = threading.Lock()

    def __call__(self, code) -> None:
        with self.lock:
            self.codes.append(code)

    def texts(self) -> list[str]:
        with self.lock:
            return [c.text for c in self.codes]


@pytest.fixture
def pty_pair():
    """(master fd, slave device path): what a serial scanner sends is written to the master."""
    master, slave = os.openpty()
    yield master, os.ttyname(slave)
    os.close(master)
    os.close(slave)
