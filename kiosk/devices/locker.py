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

    def status_boards(self) -> tuple[dict[int, DoorState], dict[int, LockerBoardError]]: ...

    def board_states(self, board: int) -> dict[int, DoorState]: ...

    def open_board(self, board: int) -> None: ...

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

    def reply_from(self, board: int, frame: bytes, *, any_command: bool = False) -> bool: ...


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


def serial_errors() -> tuple[type[BaseException], ...]:
    """Every exception pyserial lets out when a port goes away: OSError (EIO on an unplugged USB adapter),
    serial.SerialException ("device reports readiness to read but returned no data") and termios.error,
    which tcflush/tcsetattr raise on a vanished tty and which is NOT an OSError."""
    import termios

    return (OSError, termios.error, serial.SerialException)


LEARN_UNLOCKS = 3  # unanswered unlocks after which a board is taken for firmware that never answers them


class SerialLockerBoard:
    """One RS485 bus (one serial port) with one or more boards; safe to share between threads.

    Every exchange is: drop stale input, write the request, read until a frame from the board asked or
    the timeout (frames from other boards, and requests echoed by the bus, are skipped). A timeout or
    a corrupt reply is retried `retries` more times, then raised as a LockerBoardError.

    Unlocks: most CU firmware sends nothing back; some answer with a status frame. After an unlock the
    driver listens for that answer and throws it away, so it can never be read later as the reply to
    a status request (it shows the hook from before the pulse). It learns per board: a board that
    answered is waited for each time; one that left LEARN_UNLOCKS unlocks unanswered is not. Callers confirm with
    `read_board()` of the door's own board, so a silent board costs only its own doors.

    A port that fails (unplugged adapter: OSError, SerialException or termios.error) is closed and
    raised as LockerPortError; the next exchange reopens the same path (by-id symlink), so a re-plugged
    adapter works again without a restart.
    """

    def __init__(
        self,
        port: Any,
        door_map: DoorMap,
        codec: Any,
        *,
        retries: int = 2,
        timeout_s: float = 0.3,
        opener: Any = None,
        url: str = "",
        unlock_reply_s: float = 0.1,
    ) -> None:
        self._port = port
        self._opener = opener
        self.url = url or str(getattr(port, "port", "?"))
        self.door_map = door_map
        self.codec = codec
        self.retries = retries
        self.timeout_s = timeout_s
        self.unlock_reply_s = unlock_reply_s
        self._lock = threading.RLock()
        self._errors = serial_errors()
        self.stats = {"requests": 0, "retries": 0, "reopens": 0, "unlock_replies": 0, "skipped_frames": 0}
        self._answers_unlock: dict[int, bool] = {}  # board -> it answers unlocks (learnt)
        self._silent_unlocks: dict[int, int] = {}  # board -> unlocks it left unanswered

    @classmethod
    def open_port(
        cls,
        url: str,
        door_map: DoorMap,
        codec: Any,
        *,
        baudrate: int = 19200,
        retries: int = 2,
        timeout_s: float = 0.3,
        unlock_reply_s: float = 0.1,
        lazy: bool = False,
    ) -> SerialLockerBoard:
        """The bus on `url`; opened now (a wrong path is an error at once) unless `lazy`."""

        def opener() -> Any:
            try:
                return serial.serial_for_url(url, baudrate=baudrate, bytesize=8, parity="N", stopbits=1, timeout=timeout_s)
            except (serial.SerialException, OSError, ValueError) as exc:
                raise LockerPortError(url, str(exc)) from None

        port = None if lazy else opener()
        return cls(port, door_map, codec, retries=retries, timeout_s=timeout_s, opener=opener, url=url,
                   unlock_reply_s=unlock_reply_s)

    # --- LockerBoard ---

    def open(self, door: int) -> None:
        board, lock = self.door_map.locate(door)
        self._unlock(board, self.codec.encode_unlock(board, lock))
        log.info("locker unlock sent", extra={"door": door, "board": board, "lock": lock})

    def open_board(self, board: int) -> None:
        """Unlock every lock of one board (emergency)."""
        self._unlock(board, self.codec.encode_unlock_all(board))

    def open_all(self) -> None:
        for spec in self.door_map.boards:
            self.open_board(spec.address)
        log.warning("locker unlock-all sent", extra={"boards": len(self.door_map.boards)})

    def board_states(self, board: int) -> dict[int, DoorState]:
        """The doors of one board (door number -> state); raises LockerBoardError if that board does not answer."""
        reading = self.read_board(board)
        spec = next(b for b in self.door_map.boards if b.address == board)
        first = self.door_map.door_of(board, 0) or 0
        return {
            first + lock: DoorState(first + lock, open=not reading.closed[lock], occupied=reading.occupied[lock])
            for lock in range(spec.doors)
        }

    def status_boards(self) -> tuple[dict[int, DoorState], dict[int, LockerBoardError]]:
        """Every board read separately: (states of the doors of the boards that answered, errors by board)."""
        states: dict[int, DoorState] = {}
        errors: dict[int, LockerBoardError] = {}
        for spec in self.door_map.boards:
            try:
                states.update(self.board_states(spec.address))
            except LockerPortError:
                raise
            except LockerBoardError as exc:
                errors[spec.address] = exc
        return states, errors

    def status_all(self) -> dict[int, DoorState]:
        """Every door; the first board that does not answer raises (use status_boards() to read around it)."""
        states: dict[int, DoorState] = {}
        for spec in self.door_map.boards:
            states.update(self.board_states(spec.address))
        return states

    def read_board(self, board: int) -> Any:
        return self._send(board, self.codec.encode_status(board), expect_reply=True, decode=True)

    def board_of(self, door: int) -> int:
        return self.door_map.locate(door)[0]

    def close(self) -> None:
        with self._lock:
            self._drop_port()

    # --- the port ---

    def _ensure_port(self) -> Any:
        if self._port is None:
            if self._opener is None:
                raise LockerPortError(self.url, "closed")
            self._port = self._opener()
            self.stats["reopens"] += 1
            log.info("locker port opened", extra={"port": self.url})
        return self._port

    def _drop_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except Exception:  # closing a dead port must not hide the original problem
                log.debug("closing locker port failed", exc_info=True)

    def _port_failed(self, exc: BaseException) -> LockerPortError:
        reason = f"{type(exc).__name__}: {exc}"
        log.warning("locker port failed; it will be reopened", extra={"port": self.url, "error": reason})
        self._drop_port()
        return LockerPortError(self.url, reason)

    # --- exchanges ---

    def _unlock_window(self, board: int) -> float:
        """How long to listen for an answer to an unlock on `board`. A board that has answered one is waited
        for (the wait ends when its answer arrives); one that stayed silent after LEARN_UNLOCKS unlocks is
        known not to answer and costs no wait; until then, listen `unlock_reply_s`."""
        if self.codec.unlock_replies or self._answers_unlock.get(board):
            return self.timeout_s
        if self._silent_unlocks.get(board, 0) >= LEARN_UNLOCKS:
            return 0.0
        return self.unlock_reply_s

    def _unlock(self, board: int, frame: bytes) -> None:
        with self._lock:
            try:
                port = self._ensure_port()
                self.stats["requests"] += 1
                port.reset_input_buffer()
                port.write(frame)
                port.flush()
                window = self._unlock_window(board)
                if window > 0:
                    answered = self._read_frame(board, window, any_command=True) is not None
                    if answered:
                        self.stats["unlock_replies"] += 1
                        self._answers_unlock[board] = True
                    elif not self._answers_unlock.get(board):
                        self._silent_unlocks[board] = self._silent_unlocks.get(board, 0) + 1
            except self._errors as exc:
                raise self._port_failed(exc) from None

    def _send(self, board: int, frame: bytes, *, expect_reply: bool, decode: bool = False) -> Any:
        attempts = 1 + self.retries
        last: LockerBoardError | None = None
        with self._lock:
            for attempt in range(attempts):
                self.stats["requests"] += 1
                if attempt:
                    self.stats["retries"] += 1
                try:
                    port = self._ensure_port()
                    port.reset_input_buffer()
                    port.write(frame)
                    port.flush()
                    if not expect_reply:
                        return None
                    reply = self._read_frame(board, self.timeout_s)
                except self._errors as exc:
                    raise self._port_failed(exc) from None
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

    def _read_frame(self, board: int, timeout_s: float, *, any_command: bool = False) -> bytes | None:
        """The first frame from `board` within `timeout_s` (a status reply unless `any_command`); None if none.

        Frames are cut on the codec's boundaries (noise before a start byte is dropped, a frame whose end
        byte is misplaced is resynchronised); a frame from another board or an echo of a request is skipped.
        """
        buffer = bytearray()
        deadline = time.monotonic() + timeout_s
        port = self._port
        usual = getattr(port, "timeout", None)
        shorter = usual is not None and timeout_s < usual
        if shorter:  # a short listening window must not block for the port's full read timeout
            port.timeout = timeout_s
        try:
            while True:
                while (frame := self.codec.take_frame(buffer)) is not None:
                    if self.codec.reply_from(board, frame, any_command=any_command):
                        return frame
                    self.stats["skipped_frames"] += 1
                if time.monotonic() >= deadline:
                    return None
                chunk = port.read(self.codec.bytes_wanted(buffer))
                if chunk:
                    buffer += chunk
                elif time.monotonic() >= deadline:
                    return None
        finally:
            if shorter and self._port is port:
                port.timeout = usual


class LockerPortError(LockerBoardError):
    code = "locker_port_error"

    def __init__(self, port: str, reason: str) -> None:
        super().__init__(port=port, reason=reason)


def codec_for(kind: str, hook_closed_bit: int = 1, unlock_replies: bool = False) -> Any:
    """The codec of a board family named in `devices.lockers.kind`."""
    if kind in ("kerong_cu", "simulated"):
        return KerongCuCodec(hook_closed_bit, unlock_replies=unlock_replies)
    raise ValueError(f"no locker codec for kind {kind!r}")
