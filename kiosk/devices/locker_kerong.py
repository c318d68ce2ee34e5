"""Kerong "CU" lock-control-board frames (KR-CU12/CU16 family): building requests, parsing replies, the checksum.

Frame, both directions: ``STX ADDR CMD [DATA...] ETX SUM`` with STX=0x02, ETX=0x03 and
SUM = (sum of every preceding byte) & 0xFF. ADDR = (board << 4) | lock, board 0-15 (the board's
DIP-switch address), lock 0-15 (the channel, printed 1-16 on the board).

Commands we use (host -> board, 5 bytes, no data):
  0x30  read the state of a board (ADDR low nibble ignored); the board answers with a 0x35 frame:
        ``02 ADDR 35 H1 H2 IR1 IR2 03 SUM`` - H1/H2 hook (latch) bits of locks 1-8 / 9-16, bit 0 = lock 1;
        IR1/IR2 infrared "something inside" bits, same order (1 = occupied).
  0x31  unlock one lock (pulse the solenoid); no reply is guaranteed, so we confirm with 0x30.
  0x33  unlock every lock of the board (emergency); no reply, confirm with 0x30.
  (0x32 "all boards on the bus", broadcast ADDR 0xF0, answers with 0x36 frames whose layout no
  public source documents; we poll each configured board with 0x30 instead.)

Sources read (documentation and independent implementations, not copied):
  - /work/shared/HARDWARE-NOTES.md (team notes; example frames 02 00 30 03 35 and 02 03 31 03 39).
  - github.com/suryavirkapur/kerong-lib, README.md and src/kerong_client.cpp: STX/ETX, modulo-256
    sum, ADDR = board<<4 | lock, 0x30 -> 9-byte 0x35 reply, 0x31 without reply; documents hook bits
    as 0 = locked, 1 = unlocked (NCU16L over a TCP bridge).
  - github.com/julio-alv/lkaas-kerong, src/kerong/command.rs and status.rs: same frames (unlock
    checksum = ADDR + 0x36), 9-byte status with hook bytes at 3-4 and IR bytes at 5-6, reads a set
    hook bit as *closed*.
  - The "RS485 Controller Module - KR-CU16 Protocol" (CartWise) and the TypeScript "Kerong Lock
    Controller Module" (CU12/CU16) found through code search: command table 0x30-0x39, 19200 8N1,
    hook bit set = locked.
  - Kerong KR-CU16 connection guide (github.com/8lal8/kerongDocs, cu16.md): 16 locks + IR sensors
    per board, boards daisy-chained with distinct ids.
The sources disagree on the hook polarity, so it is a parameter (`hook_closed_bit`, config
`devices.lockers.hook_closed_bit`); the default 1 follows the majority. Check it once on site:
`kiosk lockers open N` must show door N open.
"""
from __future__ import annotations

from dataclasses import dataclass

STX = 0x02
ETX = 0x03
CMD_STATUS = 0x30
CMD_UNLOCK = 0x31
CMD_STATUS_BUS = 0x32
CMD_UNLOCK_ALL = 0x33
REPLY_STATUS = 0x35

LOCKS_PER_BOARD = 16
REQUEST_LEN = 5
STATUS_REPLY_LEN = 9


class FrameError(ValueError):
    """A reply that is not a valid frame; `reason` says which check failed (e.g. 'checksum')."""

    def __init__(self, reason: str, frame: bytes) -> None:
        super().__init__(f"{reason}: {frame.hex(' ')}")
        self.reason = reason
        self.frame = bytes(frame)


def checksum(data: bytes | bytearray) -> int:
    return sum(data) & 0xFF


def _frame(addr: int, cmd: int, data: bytes = b"") -> bytes:
    body = bytes([STX, addr, cmd, *data, ETX])
    return body + bytes([checksum(body)])


def address(board: int, lock: int = 0) -> int:
    if not 0 <= board <= 15 or not 0 <= lock <= 15:
        raise ValueError(f"board {board} / lock {lock} out of range 0-15")
    return (board << 4) | lock


@dataclass(frozen=True)
class Request:
    """A host request as the board sees it (used by the emulator)."""

    board: int
    lock: int
    command: int


@dataclass(frozen=True)
class BoardReading:
    """One board's answer: per lock index 0-15, whether it is closed and whether something is inside."""

    board: int
    closed: tuple[bool, ...]
    occupied: tuple[bool, ...]


class KerongCuCodec:
    """Host side and board side of the CU protocol; the driver and the emulator share it."""

    name = "kerong_cu"
    locks_per_board = LOCKS_PER_BOARD
    def __init__(self, hook_closed_bit: int = 1, *, unlock_replies: bool = False) -> None:
        if hook_closed_bit not in (0, 1):
            raise ValueError("hook_closed_bit must be 0 or 1")
        self.hook_closed_bit = hook_closed_bit
        # Firmware that always answers an unlock (with a 0x35 status frame): the driver then waits the full
        # reply timeout for that answer; otherwise it listens only briefly (see SerialLockerBoard).
        self.unlock_replies = unlock_replies

    # --- host -> board ---

    def encode_status(self, board: int) -> bytes:
        return _frame(address(board), CMD_STATUS)

    def encode_unlock(self, board: int, lock: int) -> bytes:
        return _frame(address(board, lock), CMD_UNLOCK)

    def encode_unlock_all(self, board: int) -> bytes:
        return _frame(address(board), CMD_UNLOCK_ALL)

    # --- framing, both directions ---

    def take_frame(self, buffer: bytearray) -> bytes | None:
        """Remove and return the first complete frame in `buffer`, dropping noise before an STX.

        Length is known from the command byte: 0x35 replies carry 4 data bytes, requests none. A
        frame whose ETX is not where it should be is dropped one byte at a time (resync on the next
        STX), so a corrupted byte never wedges the reader.
        """
        while True:
            start = buffer.find(bytes([STX]))
            if start < 0:
                buffer.clear()
                return None
            del buffer[:start]
            if len(buffer) < 3:
                return None
            size = STATUS_REPLY_LEN if buffer[2] == REPLY_STATUS else REQUEST_LEN
            if len(buffer) < size:
                return None
            if buffer[size - 2] != ETX:
                del buffer[0]
                continue
            frame = bytes(buffer[:size])
            del buffer[:size]
            return frame

    def bytes_wanted(self, buffer: bytearray) -> int:
        """How many more bytes complete the frame begun in `buffer` (at least 1)."""
        if len(buffer) >= 3 and buffer[0] == STX:
            size = STATUS_REPLY_LEN if buffer[2] == REPLY_STATUS else REQUEST_LEN
            return max(1, size - len(buffer))
        return STATUS_REPLY_LEN if not buffer else 1

    def reply_from(self, board: int, frame: bytes, *, any_command: bool = False) -> bool:
        """Whether `frame` is a board's reply from `board` (a 0x35 status frame unless `any_command`).

        A request (5 bytes, our own echo on a bus that echoes) is never a reply; the checksum is not
        looked at here, so a corrupt reply from the right board is still reported as corrupt.
        """
        if len(frame) < 3 or frame[1] >> 4 != board:
            return False
        if frame[2] == REPLY_STATUS:
            return True
        return any_command and len(frame) != REQUEST_LEN

    # --- board -> host ---

    def decode_status(self, board: int, frame: bytes) -> BoardReading:
        """Check and parse a 0x35 reply from `board`; raise FrameError naming the failed check."""
        if len(frame) != STATUS_REPLY_LEN or frame[0] != STX or frame[7] != ETX:
            raise FrameError("framing", frame)
        if checksum(frame[:-1]) != frame[-1]:
            raise FrameError("checksum", frame)
        if frame[2] != REPLY_STATUS:
            raise FrameError("command", frame)
        if frame[1] >> 4 != board:
            raise FrameError("address", frame)
        hooks = frame[3] | (frame[4] << 8)
        irs = frame[5] | (frame[6] << 8)
        closed = tuple(((hooks >> i) & 1) == self.hook_closed_bit for i in range(LOCKS_PER_BOARD))
        occupied = tuple(bool((irs >> i) & 1) for i in range(LOCKS_PER_BOARD))
        return BoardReading(board, closed, occupied)

    # --- board side (emulator) ---

    def decode_request(self, frame: bytes) -> Request:
        if len(frame) != REQUEST_LEN or frame[0] != STX or frame[3] != ETX:
            raise FrameError("framing", frame)
        if checksum(frame[:-1]) != frame[-1]:
            raise FrameError("checksum", frame)
        return Request(board=frame[1] >> 4, lock=frame[1] & 0x0F, command=frame[2])

    def encode_status_reply(self, addr: int, closed: list[bool], occupied: list[bool]) -> bytes:
        hooks = 0
        irs = 0
        for i in range(LOCKS_PER_BOARD):
            is_closed = closed[i] if i < len(closed) else True
            if (1 if is_closed else 0) == self.hook_closed_bit:
                hooks |= 1 << i
            if i < len(occupied) and occupied[i]:
                irs |= 1 << i
        return _frame(addr, REPLY_STATUS, bytes([hooks & 0xFF, hooks >> 8, irs & 0xFF, irs >> 8]))
