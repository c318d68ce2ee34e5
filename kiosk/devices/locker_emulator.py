"""A Kerong CU board emulator on the far end of a real pty pair, with scripted faults, for tests and the demo.

The driver opens `emulator.port` (a /dev/pts/N path) exactly as it would open /dev/ttyUSB1; the
emulator thread reads its requests from the pty master and answers with the same frames a board
sends. Door states persist: an unlocked door stays open until `close_door()` (the guest, a test or
an operator shuts it).

Fault script (`devices.lockers.simulate_fault`), comma-separated items, case-insensitive:
  stuck:N      door N never opens (its solenoid or hook switch is broken); repeatable: stuck:3,stuck:5
  silent       the boards never answer (cable pulled, board unpowered)
  silent:K     the next K replies are not sent, then the boards answer again (a glitch that a retry survives)
  badsum       every reply carries a wrong checksum (noise on the line)
  badsum:K     the next K replies carry a wrong checksum, then they are correct again
  ""           no fault
"""
from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
import time
import tty
from collections.abc import Sequence
from dataclasses import dataclass, field

from kiosk.devices.locker import BoardSpec, DoorMap
from kiosk.devices.locker_kerong import (
    CMD_STATUS,
    CMD_STATUS_BUS,
    CMD_UNLOCK,
    CMD_UNLOCK_ALL,
    FrameError,
    KerongCuCodec,
)
from kiosk.domain.errors import KioskError

log = logging.getLogger(__name__)

FOREVER = -1


class BadFaultScript(KioskError):
    code = "bad_fault_script"

    def __init__(self, script: str, reason: str) -> None:
        super().__init__(script=script, reason=reason)


@dataclass
class FaultScript:
    stuck: set[int] = field(default_factory=set)
    silent: int = 0  # replies still to drop; FOREVER = all
    badsum: int = 0  # replies still to corrupt; FOREVER = all

    @classmethod
    def parse(cls, script: str, doors: int | None = None) -> FaultScript:
        faults = cls()
        for raw in script.split(","):
            item = raw.strip().lower()
            if not item:
                continue
            name, _, arg = item.partition(":")
            if name == "stuck":
                if not arg.isdigit() or int(arg) < 1 or (doors is not None and int(arg) > doors):
                    raise BadFaultScript(script, f"'{item}' needs a door number 1-{doors or 'N'}")
                faults.stuck.add(int(arg))
            elif name in ("silent", "badsum"):
                if arg and not arg.isdigit():
                    raise BadFaultScript(script, f"'{item}' takes a count of replies")
                setattr(faults, name, int(arg) if arg else FOREVER)
            else:
                raise BadFaultScript(script, f"unknown fault '{name}' (stuck:N, silent[:K], badsum[:K])")
        return faults


class LockerBoardEmulator:
    """One or more CU boards sharing one emulated bus. Use as a context manager or start()/stop()."""

    def __init__(
        self,
        boards: Sequence[BoardSpec] = (BoardSpec(0, 16),),
        *,
        faults: str = "",
        codec: KerongCuCodec | None = None,
    ) -> None:
        self.door_map = DoorMap(boards)
        self.codec = codec or KerongCuCodec()
        self.faults = FaultScript.parse(faults, self.door_map.count)
        self._open: dict[int, bool] = dict.fromkeys(self.door_map.doors(), False)
        self._occupied: dict[int, bool] = dict.fromkeys(self.door_map.doors(), False)
        self._boards = {b.address: b.doors for b in self.door_map.boards}
        self._state_lock = threading.Lock()
        self.requests: list[bytes] = []  # every well-formed frame received, for tests
        self.replies_sent = 0
        self._master = self._slave = -1
        self._wake_r = self._wake_w = -1
        self._thread: threading.Thread | None = None
        self.port = ""

    # --- lifecycle ---

    def start(self) -> LockerBoardEmulator:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        tty.setraw(self._master)
        self.port = os.ttyname(self._slave)
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._serve, name="locker-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        os.write(self._wake_w, b"x")
        self._thread.join(timeout=5)
        self._thread = None
        for fd in (self._master, self._slave, self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> LockerBoardEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the operator's / test's hands ---

    def is_open(self, door: int) -> bool:
        with self._state_lock:
            return self._open[door]

    def open_doors(self) -> list[int]:
        with self._state_lock:
            return [d for d, is_open in self._open.items() if is_open]

    def close_door(self, door: int) -> None:
        with self._state_lock:
            self._open[door] = False

    def set_occupied(self, door: int, occupied: bool = True) -> None:
        with self._state_lock:
            self._occupied[door] = occupied

    def set_faults(self, script: str) -> None:
        parsed = FaultScript.parse(script, self.door_map.count)
        with self._state_lock:
            self.faults = parsed

    # --- the board side ---

    def _serve(self) -> None:
        buffer = bytearray()
        while True:
            ready, _, _ = select.select([self._master, self._wake_r], [], [])
            if self._wake_r in ready:
                return
            try:
                data = os.read(self._master, 256)
            except OSError:  # EIO cannot happen while we hold the slave open; do not spin if it does
                time.sleep(0.01)
                continue
            buffer += data
            while (frame := self.codec.take_frame(buffer)) is not None:
                reply = self._handle(frame)
                if reply is not None:
                    os.write(self._master, reply)

    def _handle(self, frame: bytes) -> bytes | None:
        try:
            req = self.codec.decode_request(frame)
        except FrameError:
            return None  # a real board ignores a frame it cannot check
        with self._state_lock:
            self.requests.append(frame)
            if len(self.requests) > 2000:  # a demo kiosk runs all day: keep the recent history only
                del self.requests[:1000]
            if req.board not in self._boards:
                return None
            if req.command == CMD_UNLOCK:
                self._unlock(req.board, req.lock)
                return None
            if req.command == CMD_UNLOCK_ALL:
                for lock in range(self._boards[req.board]):
                    self._unlock(req.board, lock)
                return None
            if req.command not in (CMD_STATUS, CMD_STATUS_BUS):
                return None
            return self._faulty(self._status_reply(frame[1], req.board))

    def _unlock(self, board: int, lock: int) -> None:
        door = self.door_map.door_of(board, lock)
        if door is not None and door not in self.faults.stuck:
            self._open[door] = True

    def _status_reply(self, addr: int, board: int) -> bytes:
        doors = [self.door_map.door_of(board, lock) for lock in range(self.codec.locks_per_board)]
        closed = [not self._open[d] if d is not None else True for d in doors]
        occupied = [self._occupied[d] if d is not None else False for d in doors]
        return self.codec.encode_status_reply(addr, closed, occupied)

    def _faulty(self, reply: bytes) -> bytes | None:
        f = self.faults
        if f.silent:
            f.silent = f.silent if f.silent == FOREVER else f.silent - 1
            return None
        if f.badsum:
            f.badsum = f.badsum if f.badsum == FOREVER else f.badsum - 1
            reply = reply[:-1] + bytes([(reply[-1] + 1) & 0xFF])
        self.replies_sent += 1
        return reply
