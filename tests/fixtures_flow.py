"""Test pictures for the registration flow: a synthetic face the Haar cascade accepts, and a QR card."""
from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np

BACKGROUND = (90, 110, 120)


def face_frame(w: int = 640, h: int = 480, cx: int | None = None, cy: int | None = None, size: int = 200) -> np.ndarray:
    """A drawn head and shoulders (hair, brows, eyes, nose, mouth), blurred like a webcam picture."""
    img = np.full((h, w, 3), BACKGROUND, np.uint8)
    cx = w // 2 if cx is None else cx
    cy = h // 2 if cy is None else cy
    fw, fh = size, int(size * 1.3)
    cv2.ellipse(img, (cx, cy + int(fh * 1.05)), (int(fw * 1.1), int(fh * 0.55)), 0, 180, 360, (60, 50, 40), -1)
    cv2.rectangle(img, (cx - fw // 5, cy + fh // 3), (cx + fw // 5, cy + int(fh * 0.7)), (120, 160, 200), -1)
    cv2.ellipse(img, (cx, cy - fh // 10), (int(fw * 0.56), int(fh * 0.56)), 0, 0, 360, (30, 30, 35), -1)
    cv2.ellipse(img, (cx, cy), (fw // 2, fh // 2), 0, 0, 360, (140, 180, 220), -1)
    ey, ex = cy - fh // 10, int(fw * 0.2)
    for sx in (-1, 1):
        cv2.ellipse(img, (cx + sx * ex, ey - int(fh * 0.09)), (int(fw * 0.12), int(fh * 0.025)), 0, 0, 360, (40, 40, 50), -1)
        cv2.ellipse(img, (cx + sx * ex, ey), (int(fw * 0.1), int(fh * 0.04)), 0, 0, 360, (255, 255, 255), -1)
        cv2.circle(img, (cx + sx * ex, ey), int(fh * 0.035), (40, 30, 30), -1)
    cv2.ellipse(img, (cx, cy + fh // 10), (int(fw * 0.07), int(fh * 0.03)), 0, 0, 360, (90, 120, 160), -1)
    cv2.ellipse(img, (cx, cy + int(fh * 0.25)), (int(fw * 0.18), int(fh * 0.04)), 0, 0, 360, (60, 60, 150), -1)
    return cv2.GaussianBlur(img, (0, 0), size / 60)


def qr_frame(text: str, w: int = 640, h: int = 480) -> np.ndarray:
    """A card with a QR code held in front of the camera."""
    import segno

    buf = io.BytesIO()
    segno.make_qr(text, error="m").save(buf, kind="png", scale=6, border=4)
    qr = cv2.imdecode(np.frombuffer(buf.getvalue(), np.uint8), cv2.IMREAD_COLOR)
    img = np.full((h, w, 3), BACKGROUND, np.uint8)
    cv2.rectangle(img, (w // 2 - 170, h // 2 - 150), (w // 2 + 170, h // 2 + 150), (245, 245, 245), -1)
    y0, x0 = (h - qr.shape[0]) // 2, (w - qr.shape[1]) // 2
    img[y0 : y0 + qr.shape[0], x0 : x0 + qr.shape[1]] = qr
    return img


def write_frames(folder: Path, *frames: np.ndarray) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, frame in enumerate(frames):
        cv2.imwrite(str(folder / f"frame_{i:03d}.png"), frame)
    return folder
