"""The locker bus as a long-lived device service: one serial bus, its boards' health, reconnect after re-plug.

`ok`: every configured board answers; `degraded`: some boards answer (their doors work, the silent
board's doors are skipped); `offline`: the port is gone or no board answers. The driver reopens its
port path on the next exchange after a failure, so each check is also the reconnect attempt.
"""
from __future__ import annotations

import logging
from typing import Any

from kiosk.devices.locker import LockerBoardError, LockerPortError, SerialLockerBoard
from kiosk.devices.service import DEGRADED, OFFLINE, OK, DeviceService, error_text

log = logging.getLogger(__name__)


class LockerBusService(DeviceService):
    kind = "lockers"

    def __init__(self, board: SerialLockerBoard, *, emulator: Any = None, name: str = "lockers", **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.board = board
        self.emulator = emulator  # the pty emulator behind a simulated bus (tests and the demo reach it here)
        self.unreachable: dict[int, str] = {}  # board address -> why, from the last check or use

    def check(self) -> tuple[str, str]:
        _states, errors = self.board.status_boards()  # LockerPortError propagates: offline
        self.unreachable = {b: error_text(e) for b, e in errors.items()}
        return self._verdict()

    def _verdict(self) -> tuple[str, str]:
        boards = len(self.board.door_map.boards)
        if not self.unreachable:
            return OK, ""
        detail = "; ".join(f"board {b}: {why}" for b, why in sorted(self.unreachable.items()))
        return (OFFLINE if len(self.unreachable) >= boards else DEGRADED), detail

    def board_failed(self, board: int, exc: LockerBoardError) -> None:
        """A use of the bus found `board` silent (or the whole port gone): publish it now."""
        if isinstance(exc, LockerPortError):
            self.report(OFFLINE, error_text(exc))
            return
        self.unreachable[board] = error_text(exc)
        state, detail = self._verdict()
        self.report(state, detail)

    def board_answered(self, board: int) -> None:
        if board in self.unreachable:
            del self.unreachable[board]
            state, detail = self._verdict()
            self.report(state, detail)
        elif self.state == OFFLINE:
            self.refresh()

    def release(self) -> None:
        self.board.close()
        if self.emulator is not None:
            self.emulator.stop()
