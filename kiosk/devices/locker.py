"""Electronic lockers: the `LockerBoard` interface, door numbering across boards, and the RS485 driver over pyserial.

Doors are numbered 1..N across the configured boards, in config order (board A with 12 doors holds
doors 1-12, the next board starts at 13); that number is printed on the locker and the pass. The
bytes on the wire come from a codec (`kiosk/devices/locker_kerong.py` for Kerong CU boards), so
another board family is one more codec module with the same methods. The emulator that tests and
the demo talk to lives in `kiosk/devices/locker_emulator.py` (`LockerBoardEmulator`).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import serial

from kiosk.devices.locker_kerong import KerongCuCodec
from kiosk.domain.errors import KioskError

log = logging.getLogger(__name__)


# --- errors ---------------------------------------------------------------------------------


class LockerBoardError(KioskError):
    """The locker hardware could not be reached or answered nonsense."""

    code = "locker_board_error"


class LockerNoReply(LockerBoardError):
    code = "locker_no_reply"

    def __init__(self, board: int, attempts: int) -> None:
        super().__init__(board=board, attempts=attempts)


class LockerBadReply(LockerBoardError):
    code = "locker_bad_reply"

    def __init__(self, board: int, reason: str, attempts: int) -> None:
        super().__init__(board=board, reason=reason, attempts=attempts)


class UnknownDoor(LockerBoardError):
    code = "unknown_door"

    def __init__(self, door: int, doors: int) -> None:
        super().__init__(door=door, doors=doors)


# --- the interface ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DoorState:
    door: int
    open: bool
    occupied: bool | None = None  # None where the board has no sensor for it


class LockerBoard(Protocol):
    """What the app needs from locker hardware, whatever the board family."""

    def open(self, door: int) -> None: ...

    def open_all(self) -> None: ...

    def status_all(self) -> dict[int, DoorState]: ...

    def close(self) -> None: ...


class LockerCodec(Protocol):
    """Bytes of one board family. See KerongCuCodec for the reference implementation."""

    name: str
    locks_per_board: int
    unlock_replies: bool

    def encode_status(self, board: int) -> bytes: ...

    def encode_unlock(self, board: int, lock: int) -> bytes: ...

    def encode_unlock_all(self, board: int) -> bytes: ...

    def take_frame(self, buffer: bytearray) -> bytes | None: ...

    def bytes_wanted(self, buffer: bytearray) -> int: ...

    def decode_status(self, board: int, frame: bytes) -> Any: ...


@dataclass(frozen=True)
class BoardSpec:
    address: int
    doors: int


class DoorMap:
    """Door number (1-based, across boards) <-> (board address, lock index)."""

    def __init__(self, boards: Sequence[BoardSpec]) -> None:
        self.boards = list(boards)
        self._where: dict[int, tuple[int, int]] = {}
        door = 1
        for b in self.boards:
            for lock in range(b.doors):
                self._where[door] = (b.address, lock)
                door += 1
        self.count = door - 1

    @classmethod
    def from_config(cls, boards: Sequence[Any]) -> DoorMap:
        return cls([BoardSpec(b.address, b.doors) for b in boards])

    def locate(self, door: int) -> tuple[int, int]:
        try:
            return self._where[door]
        except KeyError:
            raise UnknownDoor(door, self.count) from None

    def doors(self) -> list[int]:
        return list(self._where)

    def door_of(self, board: int, lock: int) -> int | None:
        for door, where in self._where.items():
            if where == (board, lock):
                return door
        return None


# --- the serial driver ------------------------------------------------------------------------


class SerialLockerBoard:
    """One RS485 bus (one serial port) with one or more boards; safe to share between threads.

    Every exchange is: drop stale input, write the request, read until a complete frame or the
    timeout. A timeout or a corrupt reply is retried `retries` more times, then raised as a
    LockerBoardError. Unlocks are fire-and-forget on the wire (the CU firmware does not promise a
    reply); callers confirm with `status_all()`.
    """

    def __init__(self, port: Any, door_map: DoorMap, codec: Any, *, retries: int = 2, timeout_s: float = 0.3) -> None:
        self._port = port
        self.door_map = door_map
        self.codec = codec
        self.retries = retries
        self.timeout_s = timeout_s
        self._lock = threading.RLock()
        self.stats = {"requests": 0, "retries": 0}

    @classmethod
    def open_port(
        cls, url: str, door_map: DoorMap, codec: Any, *, baudrate: int = 19200, retries: int = 2, timeout_s: float = 0.3
    ) -> SerialLockerBoard:
        try:
            port = serial.serial_for_url(url, baudrate=baudrate, bytesize=8, parity="N", stopbits=1, timeout=timeout_s)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise LockerPortError(url, str(exc)) from None
        return cls(port, door_map, codec, retries=retries, timeout_s=timeout_s)

    # --- LockerBoard ---

    def open(self, door: int) -> None:
        board, lock = self.door_map.locate(door)
        self._send(board, self.codec.encode_unlock(board, lock), expect_reply=self.codec.unlock_replies)
        log.info("locker unlock sent", extra={"door": door, "board": board, "lock": lock})

    def open_all(self) -> None:
        for spec in self.door_map.boards:
            self._send(spec.address, self.codec.encode_unlock_all(spec.address), expect_reply=self.codec.unlock_replies)
        log.warning("locker unlock-all sent", extra={"boards": len(self.door_map.boards)})

    def status_all(self) -> dict[int, DoorState]:
        states: dict[int, DoorState] = {}
        door = 1
        for spec in self.door_map.boards:
            reading = self.read_board(spec.address)
            for lock in range(spec.doors):
                states[door] = DoorState(door, open=not reading.closed[lock], occupied=reading.occupied[lock])
                door += 1
        return states

    def read_board(self, board: int) -> Any:
        return self._send(board, self.codec.encode_status(board), expect_reply=True, decode=True)

    def close(self) -> None:
        with self._lock:
            try:
                self._port.close()
            except Exception:  # closing a dead port must not hide the original problem
                log.debug("closing locker port failed", exc_info=True)

    # --- one exchange with retries ---

    def _send(self, board: int, frame: bytes, *, expect_reply: bool, decode: bool = False) -> Any:
        attempts = 1 + self.retries
        last: LockerBoardError | None = None
        with self._lock:
            for attempt in range(attempts):
                self.stats["requests"] += 1
                if attempt:
                    self.stats["retries"] += 1
                try:
                    self._port.reset_input_buffer()
                    self._port.write(frame)
                    self._port.flush()
                except OSError as exc:
                    raise LockerPortError(str(getattr(self._port, "port", "?")), str(exc)) from None
                if not expect_reply:
                    return None
                reply = self._read_frame()
                if reply is None:
                    last = LockerNoReply(board, attempt + 1)
                    log.warning("locker board silent", extra={"board": board, "attempt": attempt + 1})
                    continue
                if not decode:
                    return reply
                try:
                    return self.codec.decode_status(board, reply)
                except ValueError as exc:
                    reason = getattr(exc, "reason", "invalid")
                    last = LockerBadReply(board, reason, attempt + 1)
                    log.warning("locker reply rejected", extra={"board": board, "reason": reason, "attempt": attempt + 1})
        assert last is not None
        if isinstance(last, LockerNoReply):
            raise LockerNoReply(board, attempts)
        raise LockerBadReply(board, last.fields["reason"], attempts)

    def _read_frame(self) -> bytes | None:
        buffer = bytearray()
        deadline = time.monotonic() + self.timeout_s
        while True:
            frame = self.codec.take_frame(buffer)
            if frame is not None:
                return frame
            if time.monotonic() >= deadline:
                return None
            chunk = self._port.read(self.codec.bytes_wanted(buffer))
            if chunk:
                buffer += chunk
            elif time.monotonic() >= deadline:
                return None


class LockerPortError(LockerBoardError):
    code = "locker_port_error"

    def __init__(self, port: str, reason: str) -> None:
        super().__init__(port=port, reason=reason)


def codec_for(kind: str, hook_closed_bit: int = 1) -> Any:
    """The codec of a board family named in `devices.lockers.kind`."""
    if kind in ("kerong_cu", "simulated"):
        return KerongCuCodec(hook_closed_bit)
    raise ValueError(f"no locker codec for kind {kind!r}")
