"""KTP scan service: frames from the camera in, guidance and finally the card's fields out, on a worker thread.

The scan screen calls `start(source, on_event)` and shows each event (the UI hands them to the Kivy
thread with `Clock.schedule_once`); `scan()` is the same loop as a generator for the CLI and tests.
The reading carries per-field confidences and the flags that the confirm screen must show: a flagged
or low-confidence field is for the guest to check, never accepted silently.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from kiosk.domain.errors import KioskError
from kiosk.domain.ktp import KtpReading, cross_check

if TYPE_CHECKING:
    from kiosk.config import KtpReaderConfig
    from kiosk.devices.camera import FrameSource
    from kiosk.devices.ktp_reader import CaptureState, KtpReader
    from kiosk.domain.clock import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KtpEvent:
    kind: Literal["guidance", "result", "timeout", "error"]
    guidance: str = ""  # a code of kiosk.devices.ktp_reader.GUIDANCE
    text_id: str = ""
    text_en: str = ""
    reading: KtpReading | None = None
    error_code: str = ""


class ScanHandle:
    """A running scan: `stop()` ends it early (the guest chose to type instead), `join()` waits."""

    def __init__(self) -> None:
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None

    def stop(self) -> None:
        self.stop_event.set()

    def join(self, timeout: float | None = None) -> bool:
        if self.thread is not None:
            self.thread.join(timeout)
            return not self.thread.is_alive()
        return True


class KtpReaderService:
    def __init__(self, *, settings: KtpReaderConfig, clock: Clock) -> None:
        self.cfg, self.clock = settings, clock
        # One OCR at a time on this machine: the engines are not shared between threads, and a second
        # read would only slow the first (2 cores).
        self.ocr_lock = threading.Lock()

    @cached_property
    def reader(self) -> KtpReader:
        # OpenCV and the OCR engines load at the first card.
        from kiosk.devices.ktp_reader import KtpReader
        from kiosk.devices.ocr import make_engine

        threads = self.cfg.ocr_threads
        if self.cfg.ocr_engine == "hybrid":
            return KtpReader(make_engine("tesseract", threads=threads), make_engine("rapidocr", threads=threads))
        return KtpReader(make_engine(self.cfg.ocr_engine, threads=threads))

    def _capture(self):
        # OpenCV: at the first card.
        from kiosk.devices.ktp_reader import CaptureThresholds, CardCapture

        c = self.cfg
        return CardCapture(
            CaptureThresholds(
                min_area_frac=c.min_card_area, min_focus=c.min_focus, max_glare=c.max_glare, steady_frames=c.steady_frames
            )
        )

    def _today(self):
        return self.clock.now().date()

    def read_image(self, frame: np.ndarray) -> KtpReading | None:
        """Read one still image now, whatever its focus and glare (staff tools, benchmarks)."""
        from kiosk.devices.ktp_reader import find_card, rectify  # OpenCV: at the first card

        corners = find_card(frame)
        if corners is None:
            return None
        return self.read_card(rectify(frame, corners))

    def read_card(self, card: np.ndarray) -> KtpReading:
        """OCR one rectified card (seconds: never on the Kivy thread), checked against the kiosk's date."""
        with self.ocr_lock:
            reading = self.reader.read_card(card)
        return self._reread(reading)

    def watch(self, on_event: Callable[[KtpEvent], None]) -> LiveKtpScan:
        """A scan fed with frames by someone else's camera thread (the scan screen's preview)."""
        return LiveKtpScan(self, on_event)

    def _reread(self, reading: KtpReading) -> KtpReading:
        # The reader checks the NIK against today's system date; the kiosk's clock is the one to trust.
        return replace(reading, flags=tuple(cross_check(reading.fields, today=self._today())))

    def scan(
        self, source: FrameSource, *, stop: threading.Event | None = None, max_frames: int | None = None
    ) -> Iterator[KtpEvent]:
        """Guidance whenever it changes, then one result (or a timeout); the source is left open."""
        capture = self._capture()
        deadline = time.monotonic() + self.cfg.timeout_s
        last = ""
        frames = 0
        while not (stop and stop.is_set()):
            if time.monotonic() > deadline or (max_frames is not None and frames >= max_frames):
                yield KtpEvent("timeout", "no_card", "Waktu habis: silakan ketik data KTP", "Time is up: please type the KTP data")
                return
            frame = source.read()
            if frame is None:
                time.sleep(0.02)
                continue
            frames += 1
            state: CaptureState = capture.feed(frame)
            if state.guidance != last:
                last = state.guidance
                yield KtpEvent("guidance", state.guidance, state.text("id"), state.text("en"))
            if state.card is not None:
                reading = self.read_card(state.card)
                log.info(
                    "ktp read",
                    extra={"engine": self.reader.name, "flags": [f.code for f in reading.flags],
                           "low": reading.low_confidence()},
                )
                yield KtpEvent("result", "reading", reading=reading)
                return

    def start(self, source: FrameSource, on_event: Callable[[KtpEvent], None]) -> ScanHandle:
        """Run `scan` on a worker thread; `on_event` is called on that thread for every event."""
        handle = ScanHandle()

        def run() -> None:
            try:
                for event in self.scan(source, stop=handle.stop_event):
                    on_event(event)
            except KioskError as exc:
                log.warning("ktp scan failed", extra={"code": exc.code})
                on_event(KtpEvent("error", text_id=exc.text_id, text_en=exc.text_en, error_code=exc.code))

        handle.thread = threading.Thread(target=run, name="ktp-scan", daemon=True)
        handle.thread.start()
        return handle


# A reading with fewer of these than MIN_FIELDS_READ is not taken for a KTP (a card-shaped poster, a
# QR card): the scan goes on instead of showing the guest an empty form.
CORE_FIELDS = ("nik", "name", "birth_date", "sex", "address")
MIN_FIELDS_READ = 3
RETRY_AFTER_S = 2.0


def looks_like_ktp(reading: KtpReading) -> bool:
    return sum(1 for name in CORE_FIELDS if reading.value(name)) >= MIN_FIELDS_READ


class LiveKtpScan:
    """Frames pushed in by a camera thread (`offer`), guidance out on every change, and the card read on
    a worker thread of its own, one read at a time, so the preview and the barcode decoder never wait
    for OCR. `on_event` is called on those threads; the screen hands the events to the Kivy thread."""

    def __init__(self, service: KtpReaderService, on_event: Callable[[KtpEvent], None]) -> None:
        self.service = service
        self.on_event = on_event
        self.capture = service._capture()
        self._lock = threading.Lock()
        self._last = ""
        self._reading = False
        self._stopped = False
        self._quiet_until = 0.0
        self.worker: threading.Thread | None = None
        # Where the last frame looked at shows the card: its corners (tl, tr, br, bl) in that frame's pixels
        # and the frame's (width, height), for the preview to draw the card's outline; None when no card.
        self.card_corners: np.ndarray | None = None
        self.frame_size: tuple[int, int] = (0, 0)

    @property
    def reading(self) -> bool:
        return self._reading

    def stop(self) -> None:
        """No more events (a code was scanned, the guest left): a read under way finishes unseen."""
        self._stopped = True
        self.card_corners = None

    def offer(self, frame: np.ndarray) -> None:
        """One camera frame (called on the camera thread; about 40 ms of card finding)."""
        with self._lock:
            if self._stopped or self._reading or time.monotonic() < self._quiet_until:
                return
            state = self.capture.feed(frame)
            self.card_corners = None if state.corners is None else state.corners.copy()
            self.frame_size = (int(frame.shape[1]), int(frame.shape[0]))
            self._say(state.guidance, state.text("id"), state.text("en"))
            if state.card is None:
                return
            self._reading = True
            self.worker = threading.Thread(target=self._read, args=(state.card,), name="ktp-read", daemon=True)
            self.worker.start()

    def _say(self, guidance: str, text_id: str, text_en: str) -> None:
        if guidance != self._last and not self._stopped:
            self._last = guidance
            self.on_event(KtpEvent("guidance", guidance, text_id, text_en))

    def _read(self, card: np.ndarray) -> None:
        try:
            reading = self.service.read_card(card)
        except Exception as exc:  # an OCR failure must not end the scan: codes and typing still work
            code = exc.code if isinstance(exc, KioskError) else type(exc).__name__
            log.warning("ktp read failed", extra={"code": code}, exc_info=not isinstance(exc, KioskError))
            self._done(retry=True)
            return
        usable = looks_like_ktp(reading)
        log.info("ktp read", extra={"engine": self.service.reader.name, "usable": usable,
                                    "flags": [f.code for f in reading.flags], "low": reading.low_confidence()})
        if usable:
            if not self._stopped:
                self.on_event(KtpEvent("result", "reading", reading=reading))
            self._stopped = True
            self._reading = False
            return
        self._done(retry=True)

    def _done(self, *, retry: bool) -> None:
        """Back to looking for a card, after a pause so a still picture is not read again at once."""
        from kiosk.devices.ktp_reader import GUIDANCE  # OpenCV: at the first card

        with self._lock:
            self.capture.reset()
            self._quiet_until = time.monotonic() + RETRY_AFTER_S if retry else 0.0
            self._say("no_card", *GUIDANCE["no_card"])
            self._reading = False


def write_synthetic_frames(folder: Path, count: int, *, seed: int, degraded: bool, split: str | None = None) -> list:
    """Camera frames of generated e-KTP cards (made-up people) for the simulated camera and the tests."""
    # Draws cards with Pillow and OpenCV: only when asked.
    from kiosk.devices.ktp_synth import write_sample

    return write_sample(folder, count, seed=seed, degraded=degraded, split=split)
