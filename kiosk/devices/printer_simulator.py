"""Simulated thermal printer: a python-escpos connection that keeps every byte and answers DLE EOT like an Epson.

It sits exactly where `Usb`, `Serial` or `Network` sit under `EscposPrinter`: escpos' `device` property
opens it (it is its own device) and the driver writes and reads it like any device, so the bytes it
holds are the bytes a real printer would get. Faults are scripted by setting `fault` (or by
`devices.printer.simulate_fault` in the config):

- ``paper_out``: status says offline + paper end; job bytes are swallowed, nothing prints
- ``cover_open``: status says offline + cover open; nothing prints
- ``paper_near_end``: prints normally; the roll sensor reports near end
- ``offline``: the printer is unplugged: opening and writing fail, nothing answers (set "" to re-plug)
- ``no_status``: prints, but never answers a status query (like `File` or a cheap USB printer)
- ``paper_out_after_job``: the next job runs out of paper half-way, then the paper stays out
- ``never_reads``: the connection is accepted but the printer takes no byte (hung firmware)
- ``slow_drain``: takes a job's bytes over `drain_s` seconds and answers no status
- ``garbled``: answers status with a malformed byte

`jobs` holds each ticket the printer actually printed; `escpos_render.render(sim.printed)` shows them.
For faults on a real socket (a printer that accepts and never reads, closes, is pulled and re-plugged)
see `kiosk/devices/printer_emulator.py`.
"""
from __future__ import annotations

import threading
import time

from escpos.escpos import Escpos

FAULTS = (
    "", "paper_out", "offline", "cover_open", "paper_near_end", "no_status", "paper_out_after_job",
    "never_reads", "slow_drain", "garbled",
)
_DLE_EOT = b"\x10\x04"


class PrinterUnreachable(OSError):
    """What an unplugged printer looks like to the driver (a USB or socket error)."""


class SimulatedPrinterTransport(Escpos):
    def __init__(self, *, fault: str = "", profile: str | None = None, drain_s: float = 0.5) -> None:
        super().__init__(profile=profile)
        if fault not in FAULTS:
            raise ValueError(f"unknown printer fault {fault!r}; one of {FAULTS}")
        self.fault = fault
        self.drain_s = drain_s
        self.received = bytearray()  # every byte written, status queries included
        self.jobs: list[bytes] = []  # tickets that came out of the printer
        self.swallowed: list[bytes] = []  # jobs sent while the printer could not print
        self.opens = 0
        self._replies: list[int] = []
        self._pending = 0  # bytes not taken yet (never_reads / slow_drain)
        self._drain_until = 0.0
        self._lock = threading.Lock()

    # escpos opens lazily through its public `device` property; we are our own device.
    def open(self) -> None:
        if self.fault == "offline":
            self.device = None
            raise PrinterUnreachable("simulated printer is unplugged")
        self.opens += 1
        self.device = self

    def close(self) -> None:
        self.device = False

    def _status_byte(self, n: int) -> int:
        paper_out = self.fault == "paper_out"
        cover = self.fault == "cover_open"
        if n == 1:
            return 0x12 | (0x08 if paper_out or cover else 0)
        if n == 2:
            return 0x12 | (0x04 if cover else 0) | (0x20 if paper_out else 0)
        if n == 4:
            near = self.fault == "paper_near_end"
            return 0x12 | (0x60 if paper_out else 0) | (0x0C if near or paper_out else 0)
        return 0x12

    # --- the device side the driver writes and reads ---

    def write(self, msg: bytes) -> None:
        with self._lock:
            if self.fault == "offline":
                raise PrinterUnreachable("simulated printer is unplugged")
            if self.fault == "never_reads":
                self._pending += len(msg)
                return
            self.received += msg
            query = None
            if len(msg) >= 3 and msg[-3:-1] == _DLE_EOT:
                query, msg = msg[-1], msg[:-3]
            if msg:
                self._job(bytes(msg))
            if query is not None and self.fault not in ("no_status", "slow_drain"):
                self._replies.append(0x6C if self.fault == "garbled" else self._status_byte(query))

    def _job(self, job: bytes) -> None:
        if self.fault in ("paper_out", "cover_open"):
            self.swallowed.append(job)
            return
        if self.fault == "paper_out_after_job":
            self.swallowed.append(job)  # half a pass came out: not a pass
            self.fault = "paper_out"
            return
        if self.fault == "slow_drain":
            self._pending = len(job)
            self._drain_until = time.monotonic() + self.drain_s
        self.jobs.append(job)

    def read_reply(self, size: int, timeout_s: float) -> bytes:
        end = time.monotonic() + timeout_s
        while True:
            with self._lock:
                if self.fault != "offline" and self._replies:
                    out = bytes(self._replies[:size])
                    del self._replies[:size]
                    return out
            if time.monotonic() >= end:
                return b""
            time.sleep(min(0.005, timeout_s))

    def unsent(self) -> int:
        with self._lock:
            if self.fault == "slow_drain" and self._pending:
                left = self._drain_until - time.monotonic()
                self._pending = 0 if left <= 0 else self._pending
            return self._pending

    # escpos' abstract hooks: the same bytes through escpos' own printing methods, if anyone calls them
    def _raw(self, msg: bytes) -> None:
        self.write(msg)

    def _read(self) -> bytes:
        return self.read_reply(16, 0.0)

    @property
    def printed(self) -> bytes:
        """Everything that came out on paper, in order."""
        return b"".join(self.jobs)
