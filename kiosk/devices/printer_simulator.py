"""Simulated thermal printer: a python-escpos connection that keeps every byte and answers DLE EOT like an Epson.

It sits exactly where `Usb`, `Serial` or `Network` sit under `EscposPrinter`, so the bytes it holds
are the bytes a real printer would get. Faults are scripted by setting `fault` (or by
`devices.printer.simulate_fault` in the config):

- ``paper_out``: status says offline + paper end; job bytes are swallowed, nothing prints
- ``cover_open``: status says offline + cover open; nothing prints
- ``paper_near_end``: prints normally; the roll sensor reports near end
- ``offline``: the printer is unplugged: writes raise, nothing answers
- ``no_status``: prints, but never answers a status query (like `File` or a cheap USB printer)
- ``paper_out_after_job``: the next job prints, then the paper runs out

`jobs` holds each ticket the printer actually printed; `escpos_render.render(sim.printed)` shows them.
"""
from __future__ import annotations

import threading

from escpos.escpos import Escpos

FAULTS = ("", "paper_out", "offline", "cover_open", "paper_near_end", "no_status", "paper_out_after_job")


class PrinterUnreachable(OSError):
    """What an unplugged printer looks like to the driver (a USB or socket error)."""


class SimulatedPrinterTransport(Escpos):
    def __init__(self, *, fault: str = "", profile: str | None = None) -> None:
        super().__init__(profile=profile)
        if fault not in FAULTS:
            raise ValueError(f"unknown printer fault {fault!r}; one of {FAULTS}")
        self.fault = fault
        self.received = bytearray()  # every byte written, status queries included
        self.jobs: list[bytes] = []  # tickets that came out of the printer
        self.swallowed: list[bytes] = []  # jobs sent while the printer could not print
        self._replies: list[int] = []
        self._lock = threading.Lock()

    # escpos calls open() lazily through the `device` property; we are our own device.
    def open(self) -> None:
        self.device = self

    def close(self) -> None:
        pass

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

    def _raw(self, msg: bytes) -> None:
        with self._lock:
            if self.fault == "offline":
                raise PrinterUnreachable("simulated printer is unplugged")
            self.received += msg
            if len(msg) == 3 and msg[:2] == b"\x10\x04":
                if self.fault != "no_status":
                    self._replies.append(self._status_byte(msg[2]))
                return
            if self.fault in ("paper_out", "cover_open"):
                self.swallowed.append(bytes(msg))
                return
            self.jobs.append(bytes(msg))
            if self.fault == "paper_out_after_job":
                self.fault = "paper_out"

    def _read(self) -> bytes:
        with self._lock:
            if self.fault == "offline" or not self._replies:
                return b""
            return bytes([self._replies.pop(0)])

    @property
    def printed(self) -> bytes:
        """Everything that came out on paper, in order."""
        return b"".join(self.jobs)
