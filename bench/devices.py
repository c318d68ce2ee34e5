"""Device services under unplug and re-plug: how long until the state staff see says "offline", then "ok" again.

Run: .venv/bin/python -m bench.devices [--rounds 3] [--poll 1.0]

Each device runs its real driver against its simulator at the same seam (printer: python-escpos
Network on a TCP emulator; locker bus: pyserial on a pty behind a by-id style symlink; scanner:
pyserial on a pty behind a symlink; camera: a frame source that can be pulled). The service runs
its background checks exactly as in the kiosk, with `--poll` seconds between checks (the kiosk's
defaults are 15 s printer, 10 s lockers, 10 s camera, 5 s scanner: the figures scale with it, and a
use of the device (a print, an unlock, a read) reports a failure at once without waiting for a poll).
The time is taken from the unplug to the moment a subscriber (the staff screen) is told.

Lockers at wire speed: the emulator sleeps each request's and reply's time on a 19200 baud 8N1 line
(10 bits per byte, 0.52 ms) before answering, beside the same exchange on an instant pty. The peer is
the bare wire time of request + reply, computed.
"""
from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import threading
import time
from pathlib import Path

from kiosk.devices.locker import BoardSpec, DoorMap, SerialLockerBoard
from kiosk.devices.locker_bus import LockerBusService
from kiosk.devices.locker_emulator import LockerBoardEmulator
from kiosk.devices.locker_kerong import KerongCuCodec
from kiosk.devices.serial_sim import PluggablePty

BOARDS = [BoardSpec(0, 16), BoardSpec(1, 16)]
BYTE_19200 = 10 / 19200


def _watch(service):
    """(event set on each change, list of (time, state)) as a subscriber sees them."""
    changed = threading.Event()
    seen: list[tuple[float, str]] = []

    def on_change(state) -> None:
        seen.append((time.perf_counter(), state.state))
        changed.set()

    service.subscribe(on_change)
    return seen


def _wait_state(seen, state: str, since: float, timeout: float = 60.0) -> float | None:
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        for at, st in list(seen):
            if st == state and at >= since:
                return at - since
        time.sleep(0.002)
    return None


def _round_trip(service, unplug, replug, rounds: int) -> tuple[list[float], list[float]]:
    seen = _watch(service)
    service.start()
    offline, ok = [], []
    try:
        assert _wait_state(seen, "ok", 0.0) is not None, f"{service.name} never became ok"
        for _ in range(rounds):
            time.sleep(0.05)
            t = time.perf_counter()
            unplug()
            took = _wait_state(seen, "offline", t)
            offline.append(took if took is not None else float("nan"))
            t = time.perf_counter()
            replug()
            took = _wait_state(seen, "ok", t)
            ok.append(took if took is not None else float("nan"))
    finally:
        service.stop()
    return offline, ok


# --- each device ----------------------------------------------------------------------------------------


def printer_times(rounds: int, poll: float):
    from escpos.printer import Network

    from kiosk.devices.printer import EscposPrinter
    from kiosk.devices.printer_emulator import NetworkPrinterEmulator
    from kiosk.devices.printer_service import PrinterService

    emu = NetworkPrinterEmulator().start()
    printer = EscposPrinter(Network("127.0.0.1", port=emu.port, timeout=1), status_timeout_s=0.5)
    service = PrinterService(printer, poll_s=poll, backoff_s=0.5, backoff_max_s=30)
    try:
        return _round_trip(service, emu.unplug, emu.replug, rounds)
    finally:
        emu.stop()


def locker_times(rounds: int, poll: float, tmp: Path):
    link = tmp / "usb-rs485-if00"
    emu = LockerBoardEmulator(BOARDS, link=link).start()
    board = SerialLockerBoard.open_port(str(link), DoorMap(BOARDS), KerongCuCodec(), timeout_s=0.3, lazy=True)
    service = LockerBusService(board, poll_s=poll, backoff_s=0.5, backoff_max_s=30)
    try:
        return _round_trip(service, emu.unplug, emu.replug, rounds)
    finally:
        emu.stop()


def scanner_times(rounds: int, poll: float, tmp: Path):
    from kiosk.devices.scanner import SerialScanner
    from kiosk.devices.scanner_service import ScannerService

    device = PluggablePty(tmp / "usb-scanner-if00")
    scanner = SerialScanner(device.link, debounce_s=0, reconnect_s=2.0)
    service = ScannerService(scanner, poll_s=poll, backoff_s=0.25)
    try:
        return _round_trip(service, device.unplug, device.plug, rounds)
    finally:
        device.unplug()


class _PluggableCamera:
    """A frame source at the camera seam: frames while plugged, None (and no reopening) while pulled."""

    def __init__(self) -> None:
        import numpy as np

        self.plugged = True
        self.frame = np.zeros((48, 64, 3), np.uint8)

    def open(self):
        if not self.plugged:
            raise OSError(19, "No such device")
        return self

    def read(self):
        time.sleep(1 / 30)  # a 30 fps camera
        return self.frame if self.plugged else None

    def close(self) -> None:
        pass


def camera_times(rounds: int, poll: float):
    from kiosk.devices.camera_service import CameraService

    cam = _PluggableCamera()
    service = CameraService(cam.open, poll_s=poll, backoff_s=0.5, backoff_max_s=30)

    def unplug() -> None:
        cam.plugged = False

    def replug() -> None:
        cam.plugged = True

    return _round_trip(service, unplug, replug, rounds)


# --- lockers at wire speed -----------------------------------------------------------------------------


def locker_open_confirm(n: int, byte_time: float, faults: str = "") -> list[float]:
    from kiosk.devices.locker import DoorState  # noqa: F401  (the driver's own types, nothing mocked)

    with LockerBoardEmulator(BOARDS, byte_time_s=byte_time, faults=faults) as emu:
        drv = SerialLockerBoard.open_port(emu.port, DoorMap(BOARDS), KerongCuCodec(), timeout_s=0.3, unlock_reply_s=0.05)
        try:
            samples = []
            for i in range(n):
                door = 1 + i % 16
                emu.close_door(door)
                t = time.perf_counter()
                drv.open(door)
                opened = drv.board_states(0)[door].open
                samples.append(time.perf_counter() - t)
                assert opened
        finally:
            drv.close()
    return samples


def _fmt(samples: list[float]) -> str:
    good = [s for s in samples if s == s]
    if not good:
        return "never"
    return f"median {statistics.median(good) * 1000:7.1f} ms  max {max(good) * 1000:7.1f} ms"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="bench.devices")
    ap.add_argument("--rounds", type=int, default=3, help="unplug/re-plug rounds per device")
    ap.add_argument("--poll", type=float, default=1.0, help="seconds between a service's checks")
    ap.add_argument("--n", type=int, default=40, help="locker open+confirm repetitions")
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)  # the pulled devices' warnings are what is being measured, not news
    print(f"devices: unplug -> 'offline' and re-plug -> 'ok' as a subscriber sees it (poll {args.poll} s)")
    with tempfile.TemporaryDirectory() as tmp:
        for name, run in (
            ("printer (escpos Network, TCP)", lambda: printer_times(args.rounds, args.poll)),
            ("locker bus (pyserial, pty link)", lambda: locker_times(args.rounds, args.poll, Path(tmp))),
            ("scanner (pyserial, pty link)", lambda: scanner_times(args.rounds, args.poll, Path(tmp))),
            ("camera (frame source)", lambda: camera_times(args.rounds, args.poll)),
        ):
            offline, ok = run()
            print(f"  {name:<34} unplug->offline {_fmt(offline)}   re-plug->ok {_fmt(ok)}")
    print("  peer: before these services a re-plugged locker adapter or printer needed a kiosk restart")
    print(f"lockers: unlock + status of the door's board, n={args.n} (the first {3} unlocks of a board also listen "
          "50 ms for an answer, until the driver has learnt whether its firmware answers unlocks)")
    for label, byte_time, faults in (
        ("instant pty", 0.0, ""),
        ("19200 baud wire time emulated", BYTE_19200, ""),
        ("19200 baud, firmware answers unlock", BYTE_19200, "answers_unlock"),
    ):
        print(f"  {label:<38} {_fmt(locker_open_confirm(args.n, byte_time, faults))}")
    print(f"  peer: bare wire time of unlock (5 B) + status (5 B) + reply (9 B) at 19200 8N1: "
          f"{(5 + 5 + 9) * BYTE_19200 * 1000:.1f} ms")


if __name__ == "__main__":
    main()
