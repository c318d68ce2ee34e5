"""Code decoders for camera frames: pyzbar (zbar) and zxing-cpp behind one small interface, and the debouncer.

Both are restricted to the symbologies configured (`devices.scanner.symbologies`, QR only by default):
every extra format costs time on every frame. zbar reads no PDF417, Data Matrix or Micro QR.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from kiosk.domain.errors import KioskError

if TYPE_CHECKING:
    import numpy

DecoderName = Literal["pyzbar", "zxing"]


@dataclass(frozen=True)
class Symbol:
    data: bytes  # the raw payload (zbar gives bytes; zxing text is re-encoded as UTF-8)
    symbology: str  # "QRCODE", "PDF417", "CODE128", ...


class DecoderUnavailable(KioskError):
    code = "decoder_unavailable"

    def __init__(self, name: str, why: str) -> None:
        super().__init__(decoder=name, name=name, why=why)


class Decoder(Protocol):
    name: str

    def decode(self, frame: numpy.ndarray) -> list[Symbol]: ...


def _gray(frame: numpy.ndarray) -> numpy.ndarray:
    import cv2  # OpenCV: loaded with the first frame to decode

    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


SYMBOLOGIES = ("QRCODE", "MICROQR", "PDF417", "DATAMATRIX", "CODE128", "CODE39", "EAN13", "I25")
# QR only by default: every code the kiosk expects (our passes and invitations, KK, IKD) is a QR, and each
# extra symbology costs per frame (zxing-cpp with PDF417 and Data Matrix: about 5x; see bench/scan.py).
DEFAULT_SYMBOLOGIES = ("QRCODE",)


class PyzbarDecoder:
    name = "pyzbar"
    SUPPORTED = ("QRCODE", "CODE128", "CODE39", "EAN13", "I25")  # zbar reads no Micro QR, PDF417, Data Matrix

    def __init__(self, symbologies: tuple[str, ...] = DEFAULT_SYMBOLOGIES) -> None:
        try:
            from pyzbar import pyzbar
        except (ImportError, OSError) as exc:  # OSError: Debian's libzbar0 missing
            raise DecoderUnavailable("pyzbar", type(exc).__name__) from None
        self._pyzbar = pyzbar
        wanted = [s for s in symbologies if s in self.SUPPORTED]
        if not wanted:
            raise DecoderUnavailable("pyzbar", f"reads none of {', '.join(symbologies)}")
        self._symbols = [getattr(pyzbar.ZBarSymbol, s) for s in wanted]

    def decode(self, frame: numpy.ndarray) -> list[Symbol]:
        return [Symbol(r.data, r.type) for r in self._pyzbar.decode(_gray(frame), symbols=self._symbols)]


class ZxingDecoder:
    name = "zxing"
    _FORMATS = {"QRCODE": "QRCode", "MICROQR": "MicroQRCode", "PDF417": "PDF417", "DATAMATRIX": "DataMatrix",
                "CODE128": "Code128", "CODE39": "Code39", "EAN13": "EAN13", "I25": "ITF"}
    _NAMES = {v: k for k, v in _FORMATS.items()}

    def __init__(self, symbologies: tuple[str, ...] = DEFAULT_SYMBOLOGIES) -> None:
        try:
            import zxingcpp
        except ImportError as exc:
            raise DecoderUnavailable("zxing", type(exc).__name__) from None
        self._zx = zxingcpp
        self._formats = tuple(getattr(zxingcpp.BarcodeFormat, self._FORMATS[s]) for s in symbologies)

    def decode(self, frame: numpy.ndarray) -> list[Symbol]:
        out = []
        for r in self._zx.read_barcodes(_gray(frame), formats=self._formats):
            name = r.format.name
            out.append(Symbol(bytes(r.bytes) if r.bytes else r.text.encode("utf-8"), self._NAMES.get(name, name.upper())))
        return out


def make_decoder(name: DecoderName, symbologies: tuple[str, ...] | list[str] = DEFAULT_SYMBOLOGIES) -> Decoder:
    if name == "zxing":
        return ZxingDecoder(tuple(symbologies))
    if name == "pyzbar":
        return PyzbarDecoder(tuple(symbologies))
    raise DecoderUnavailable(str(name), "unknown")


class Debouncer:
    """Lets a code through once, then again only after it has been absent for `window_s` seconds.

    Measured from when the code was last SEEN (not last reported): a card held in front of the camera
    for a minute is one scan, and a pass scanned twice in a row by a hurried guard is one event.
    """

    def __init__(self, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self._clock = clock
        self._last_seen: dict[bytes, float] = {}
        self._lock = threading.Lock()

    def admit(self, data: bytes) -> bool:
        now = self._clock()
        with self._lock:
            last = self._last_seen.get(data)
            self._last_seen[data] = now
            if len(self._last_seen) > 256:  # forget codes long gone
                self._last_seen = {k: t for k, t in self._last_seen.items() if now - t <= self.window_s}
                self._last_seen[data] = now
        return last is None or now - last > self.window_s
