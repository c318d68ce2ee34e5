"""A Kerong CU board emulator on the far end of a real pty pair, with scripted faults, for tests and the demo.

The driver opens `emulator.port` (a /dev/pts/N path) exactly as it would open /dev/ttyUSB1; the
emulator thread reads its requests from the pty master and answers with the same frames a board
sends. Door states persist: an unlocked door stays open until `close_door()` (the guest, a test or
an operator shuts it).

Fault script (`devices.lockers.simulate_fault`), comma-separated items, case-insensitive:
  stuck:N        door N never opens (its solenoid or hook switch is broken); repeatable: stuck:3,stuck:5
  silent         the boards never answer (cable pulled, board unpowered)
  silent:K       the next K replies are not sent, then the boards answer again (a glitch that a retry survives)
  silentboard:B  board address B never answers (its own cable or power); the other boards do
  badsum[:K]     every (or the next K) reply carries a wrong checksum (noise on the line)
  garbled[:K]    a stray byte lands inside every (the next K) reply: the frame is broken, the reader resyncs
  noise[:K]      stray bytes arrive before every (the next K) reply
  split[:K]      every (the next K) reply arrives in two pieces, 20 ms apart
  dropunlock[:K] every (the next K) unlock frame is lost on the wire: the door does not open
  answers_unlock firmware that answers an unlock with a status frame, 5 ms later, showing the hook as it was
                 BEFORE the 20 ms solenoid pulse (a stale reading if a driver takes it for a status reply)
  ""             no fault

Timing: `byte_time_s` (0 = an instant pty) delays every request by its length on the wire and every
reply by its own, and `turnaround_s` adds the board's processing time: 19200 baud 8N1 is 10 bits per
byte, 0.52 ms. `unplug()` / `replug()` close the pty and open a new one behind the same `link` path
(like /dev/serial/by-id/... when the USB adapter is pulled and plugged in again).
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


_COUNTED = ("silent", "badsum", "garbled", "noise", "split", "dropunlock")


@dataclass
class FaultScript:
    stuck: set[int] = field(default_factory=set)
    silent: int = 0  # replies still to drop; FOREVER = all
    badsum: int = 0  # replies still to corrupt; FOREVER = all
    garbled: int = 0
    noise: int = 0
    split: int = 0
    dropunlock: int = 0
    silent_boards: set[int] = field(default_factory=set)
    answers_unlock: bool = False

    def take(self, name: str) -> bool:
        """Whether the counted fault `name` applies to this frame (and use one up)."""
        left = getattr(self, name)
        if not left:
            return False
        if left != FOREVER:
            setattr(self, name, left - 1)
        return True

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
            elif name == "silentboard":
                if not arg.isdigit() or int(arg) > 15:
                    raise BadFaultScript(script, f"'{item}' needs a board address 0-15")
                faults.silent_boards.add(int(arg))
            elif name == "answers_unlock" and not arg:
                faults.answers_unlock = True
            elif name in _COUNTED:
                if arg and not arg.isdigit():
                    raise BadFaultScript(script, f"'{item}' takes a count of frames")
                setattr(faults, name, int(arg) if arg else FOREVER)
            else:
                raise BadFaultScript(
                    script,
                    f"unknown fault '{name}' (stuck:N, silent[:K], silentboard:B, badsum[:K], garbled[:K], noise[:K], "
                    "split[:K], dropunlock[:K], answers_unlock)",
                )
        return faults


class LockerBoardEmulator:
    """One or more CU boards sharing one emulated bus. Use as a context manager or start()/stop()."""

    def __init__(
        self,
        boards: Sequence[BoardSpec] = (BoardSpec(0, 16),),
        *,
        faults: str = "",
        codec: KerongCuCodec | None = None,
        link: str | os.PathLike[str] | None = None,
        byte_time_s: float = 0.0,
        turnaround_s: float = 0.0,
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
        self.link = os.fspath(link) if link else ""
        self.byte_time_s = byte_time_s
        self.turnaround_s = turnaround_s
        self.plugged = False
        self.port = ""

    # --- lifecycle ---

    def start(self) -> LockerBoardEmulator:
        self._plug()
        return self

    def _plug(self) -> None:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        tty.setraw(self._master)
        pts = os.ttyname(self._slave)
        if self.link:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.link)
            os.symlink(pts, self.link)
        self.port = self.link or pts
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._serve, name="locker-emulator", daemon=True)
        self._thread.start()
        self.plugged = True

    def stop(self) -> None:
        if self._thread is None:
            return
        os.write(self._wake_w, b"x")
        self._thread.join(timeout=5)
        self._thread = None
        for fd in (self._master, self._slave, self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.plugged = False

    def unplug(self) -> None:
        """The USB-RS485 adapter is pulled: the pty goes away (the driver's open port breaks) and so does `link`."""
        self.stop()
        if self.link:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.link)

    def replug(self) -> None:
        """Plugged in again: a new pty behind the same `link` (door states are kept, as the boards were powered)."""
        if not self.plugged:
            self._plug()

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
                if self.byte_time_s:
                    time.sleep(len(frame) * self.byte_time_s)  # the request's time on the wire
                try:
                    self._handle(frame)
                except OSError:  # the master was closed under us (unplug)
                    return

    def _write(self, reply: bytes) -> None:
        if self.turnaround_s or self.byte_time_s:
            time.sleep(self.turnaround_s + len(reply) * self.byte_time_s)
        os.write(self._master, reply)

    def _handle(self, frame: bytes) -> None:
        """Act on one request and send the board's reply (boards work one request at a time, in order)."""
        try:
            req = self.codec.decode_request(frame)
        except FrameError:
            return  # a real board ignores a frame it cannot check
        pulse: list[tuple[int, int]] = []
        with self._state_lock:
            self.requests.append(frame)
            if len(self.requests) > 2000:  # a demo kiosk runs all day: keep the recent history only
                del self.requests[:1000]
            if req.board not in self._boards or req.board in self.faults.silent_boards:
                return
            if req.command in (CMD_UNLOCK, CMD_UNLOCK_ALL):
                if self.faults.take("dropunlock"):
                    return
                locks = [req.lock] if req.command == CMD_UNLOCK else list(range(self._boards[req.board]))
                pulse = [(req.board, lock) for lock in locks]
                ack = self._status_reply(frame[1], req.board) if self.faults.answers_unlock else None
                if ack is None:
                    for board, lock in pulse:
                        self._unlock(board, lock)
                    return
                reply = None
            elif req.command in (CMD_STATUS, CMD_STATUS_BUS):
                reply = self._faulty(self._status_reply(frame[1], req.board))
            else:
                return
        if pulse:  # firmware that acknowledges first, then pulses the solenoid
            time.sleep(0.005)
            self._write(ack)
            time.sleep(0.020)
            with self._state_lock:
                for board, lock in pulse:
                    self._unlock(board, lock)
            return
        if reply is None:
            return
        if isinstance(reply, tuple):  # split: two pieces with a gap
            self._write(reply[0])
            time.sleep(0.02)
            os.write(self._master, reply[1])
        else:
            self._write(reply)

    def _unlock(self, board: int, lock: int) -> None:
        door = self.door_map.door_of(board, lock)
        if door is not None and door not in self.faults.stuck:
            self._open[door] = True

    def _status_reply(self, addr: int, board: int) -> bytes:
        doors = [self.door_map.door_of(board, lock) for lock in range(self.codec.locks_per_board)]
        closed = [not self._open[d] if d is not None else True for d in doors]
        occupied = [self._occupied[d] if d is not None else False for d in doors]
        return self.codec.encode_status_reply(addr, closed, occupied)

    def _faulty(self, reply: bytes) -> bytes | tuple[bytes, bytes] | None:
        f = self.faults
        if f.take("silent"):
            return None
        if f.take("badsum"):
            reply = reply[:-1] + bytes([(reply[-1] + 1) & 0xFF])
        if f.take("garbled"):
            reply = reply[:4] + b"\x5a" + reply[4:]
        if f.take("noise"):
            reply = b"\x00\xff\x03\x35" + reply
        self.replies_sent += 1
        if f.take("split"):
            return reply[:4], reply[4:]
        return reply
