"""Locker bus speed: round trip per command over the pty emulator, assignments per second, pyserial loop:// as peer.

Run: /work/venv/bin/python -m bench.lockers [--n 300]
The pty has no RS485 half-duplex timing: at 19200 baud a real 5-byte request plus 9-byte reply
takes ~7.3 ms on the wire alone, so these figures are the software floor, not the field figure.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import serial

from bench.common import time_calls
from kiosk.app.context import AppContext
from kiosk.app.registration import GuestIdentity
from kiosk.config import parse_config
from kiosk.devices.locker import BoardSpec, DoorMap, SerialLockerBoard
from kiosk.devices.locker_emulator import LockerBoardEmulator
from kiosk.devices.locker_kerong import KerongCuCodec

BOARDS = [BoardSpec(0, 16), BoardSpec(1, 16)]


def _summary(name: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    # three decimals: these are sub-millisecond figures (bench.common prints two)
    return f"{name:<34} median {statistics.median(ms):7.3f} ms   p95 {p95:7.3f} ms   (n={len(ms)})"


def _timed(fn, n: int) -> list[float]:
    return time_calls(fn, repeat=n)


def bench_pty(n: int) -> list[str]:
    with LockerBoardEmulator(BOARDS) as emu:
        drv = SerialLockerBoard.open_port(emu.port, DoorMap(BOARDS), KerongCuCodec(), timeout_s=0.5)
        try:
            drv.status_all()  # warm up
            lines = [
                _summary("status, one board (0x30 -> 0x35)", _timed(lambda: drv.read_board(0), n)),
                _summary("status_all, 2 boards / 32 doors", _timed(drv.status_all, n)),
                _summary("open (0x31, no reply)", _timed(lambda: drv.open(5), n)),
                _summary("open + confirm by status_all", _timed(lambda: (drv.open(7), drv.status_all()), n)),
            ]
        finally:
            drv.close()
    return lines


def bench_loop_peer(n: int) -> str:
    port = serial.serial_for_url("loop://", baudrate=19200, timeout=0.5)
    frame = KerongCuCodec().encode_status(0)

    def echo() -> None:
        port.write(frame)
        port.read(len(frame))

    samples = _timed(echo, n)
    port.close()
    return _summary("peer: pyserial loop:// echo (5 B)", samples)


def bench_assignments(n: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        cfg = parse_config(
            {
                "kiosk": {"data_dir": str(Path(tmp) / "data")},
                "privacy": {"key_file": str(Path(tmp) / "data.key")},
                "devices": {"lockers": {"kind": "simulated", "boards": [{"address": 0, "doors": 16}]}},
            },
            base_dir=tmp,
        )
        ctx = AppContext(cfg)
        try:
            ctx.lockers.connect()
            visits = [
                ctx.registration.register(
                    GuestIdentity(nik=f"5105014101{i:06d}", name="Bench"), purpose="other", host_id="", host_name="",
                    consent=True,
                ).id
                for i in range(n)
            ]
            spent = 0.0
            for vid in visits:
                t = time.perf_counter()
                ctx.lockers.assign_and_open(vid)
                spent += time.perf_counter() - t
                ctx.lockers.release(vid, open_door=False)
        finally:
            ctx.close()
    return f"{'assign_and_open end to end':<34} {n / spent:7.1f} assignments/s ({spent / n * 1000:.2f} ms each, fsync on)"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="bench.lockers")
    ap.add_argument("--n", type=int, default=1000, help="repetitions per figure")
    args = ap.parse_args(argv)
    print("lockers: Kerong CU driver over a pty pair to the emulator")
    for line in bench_pty(args.n):
        print("  " + line)
    print("  " + bench_loop_peer(args.n))
    print("  " + bench_assignments(min(args.n, 100)))


if __name__ == "__main__":
    main()
