"""Code decoding per camera frame: pyzbar against zxing-cpp on the same frames, and frames per second per core.

Run: /work/venv/bin/python -m bench.scan [--n 40]
Frames are generated here (segno + cv2): 640x480 and 1280x720 with one QR holding a NIK-sized payload,
with none, rotated 30 degrees, and blurred (Gaussian 9x9). Both decoders are the kiosk's own
(kiosk.devices.barcode: restricted symbologies, grey conversion included), one thread each.
`fps/core` = 1 / median; `read` = whether the decoder found the code in that frame.
"""
from __future__ import annotations

import argparse
import statistics

import cv2
import numpy as np
import segno

from bench.common import table, time_calls
from kiosk.devices.barcode import SYMBOLOGIES, PyzbarDecoder, ZxingDecoder

PAYLOAD = "https://layananonline.dukcapil.kemendagri.go.id/Terpusat/Pindai?q=3201015708850123"
SIZES = [(640, 480), (1280, 720)]


def frame(size: tuple[int, int], *, code: bool = True, angle: float = 0.0, blur: int = 0) -> np.ndarray:
    """A noisy grey scene with one QR about a third of the frame high, as a card held up to the camera."""
    w, h = size
    rng = np.random.default_rng(7)
    img = rng.normal(150, 25, (h, w)).clip(0, 255).astype(np.uint8)
    img = cv2.GaussianBlur(img, (5, 5), 0)
    if code:
        matrix = np.array(segno.make(PAYLOAD, micro=False).matrix, dtype=np.uint8)
        qr = np.pad(np.where(matrix == 1, 20, 235).astype(np.uint8), 4, constant_values=235)
        px = max(2, (h // 3) // qr.shape[0])
        qr = cv2.resize(qr, None, fx=px, fy=px, interpolation=cv2.INTER_NEAREST)
        y, x = (h - qr.shape[0]) // 2, (w - qr.shape[1]) // 3
        img[y : y + qr.shape[0], x : x + qr.shape[1]] = qr
    if angle:
        rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        img = cv2.warpAffine(img, rot, (w, h), borderValue=150)
    if blur:
        img = cv2.GaussianBlur(img, (blur, blur), 0)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)


CASES = {"one QR": {}, "none": {"code": False}, "rotated 30": {"angle": 30.0}, "blurred 9x9": {"blur": 9}}


def _row(size, case, dec, img, n):
    symbols = dec.decode(img)
    if case == "none":
        read = "no false code" if not symbols else "FALSE CODE"
    else:
        read = "yes" if any(s.data.decode(errors="replace") == PAYLOAD for s in symbols) else "NO"
    samples = sorted(time_calls(lambda: dec.decode(img), repeat=n))
    ms = statistics.median(samples) * 1000
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))] * 1000
    return ms, [f"{size[0]}x{size[1]}", case, dec.label, read, f"{ms:.2f}", f"{p95:.2f}", f"{1000 / ms:.0f}"]


def _decoder(cls, symbologies, label):
    dec = cls(symbologies)
    dec.label = label
    return dec


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.scan")
    parser.add_argument("--n", type=int, default=30, help="timed decodes per case and decoder")
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    # The kiosk's default: QR only (devices.scanner.symbologies).
    decoders = [_decoder(PyzbarDecoder, ("QRCODE",), "pyzbar"), _decoder(ZxingDecoder, ("QRCODE",), "zxing")]
    rows = []
    medians: dict[str, list[float]] = {d.label: [] for d in decoders}
    for size in SIZES:
        for case, kwargs in CASES.items():
            img = frame(size, **kwargs)
            for dec in decoders:
                ms, row = _row(size, case, dec, img, args.n)
                medians[dec.label].append(ms)
                rows.append(row)
    print("Default symbology set (QR only), one thread:")
    print(table(["frame", "case", "decoder", "read", "median ms", "p95 ms", "fps/core"], rows))
    for name, values in medians.items():
        print(f"{name}: mean of the 8 case medians {statistics.fmean(values):.2f} ms")
    wider = [
        _decoder(PyzbarDecoder, ("QRCODE", "CODE128", "CODE39", "EAN13", "I25"), "pyzbar QR+1D"),
        _decoder(ZxingDecoder, ("QRCODE", "MICROQR", "PDF417", "DATAMATRIX"), "zxing QR+2D"),
        _decoder(ZxingDecoder, SYMBOLOGIES, "zxing all 8"),
    ]
    rows = [_row(size, "one QR", dec, frame(size), args.n)[1] for size in SIZES for dec in wider]
    print("\nWider symbology sets (cost of each extra format on every frame):")
    print(table(["frame", "case", "decoder", "read", "median ms", "p95 ms", "fps/core"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
