"""Lockers for guests' belongings: assign a working door at registration, confirm it opened, free it at check-out.

Seed 003 (Kejari Klungkung) hands every guest a locker key; here the kiosk opens an electronic
locker and the door number goes on the pass. A locker is a convenience, never a gate: when no
door can be given the guest gets a clear message (`LockerUnavailable`) and the registration stands.

One process owns the serial bus, so one lock in this service serialises the choose-open-confirm-
record sequence; the unique index on `lockers.visit_id` guards the database side.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from kiosk.devices.factory import locker_bus
from kiosk.devices.locker import (
    DoorMap,
    DoorState,
    LockerBoard,
    LockerBoardError,
    LockerPortError,
)
from kiosk.domain.clock import to_iso
from kiosk.domain.errors import KioskError
from kiosk.domain.visit import OPEN_STATES, VisitEvent
from kiosk.store import lockers as L
from kiosk.store.lockers import LockerRepository

if TYPE_CHECKING:
    from kiosk.config import Config
    from kiosk.domain.clock import Clock
    from kiosk.store.db import Database
    from kiosk.store.visits import VisitRepository

log = logging.getLogger(__name__)

POLL_S = 0.05


# --- outcomes people read ---------------------------------------------------------------------


class LockerUnavailable(KioskError):
    """No locker for this guest; the registration continues without one."""

    code = "locker_unavailable"


class NoFreeLocker(LockerUnavailable):
    code = "no_free_locker"

    def __init__(self, tried: int = 0) -> None:
        super().__init__(tried=tried)


class LockerSystemDown(LockerUnavailable):
    code = "locker_system_unavailable"

    def __init__(self, reason: str) -> None:
        super().__init__(reason=reason)


class LockersDisabled(LockerUnavailable):
    code = "lockers_disabled"

    def __init__(self) -> None:
        super().__init__()


class LockerDidNotOpen(KioskError):
    code = "locker_did_not_open"

    def __init__(self, door: int) -> None:
        super().__init__(door=door)


class VisitNotOpen(KioskError):
    code = "visit_not_open"

    def __init__(self, visit_id: str, state: str) -> None:
        super().__init__(visit_id=visit_id, state=state)


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LockerAssignment:
    visit_id: str
    door: int
    faulty: tuple[int, ...] = ()  # doors tried first that did not open (now marked faulty)


@dataclass(frozen=True)
class LockerRelease:
    visit_id: str
    door: int
    opened: bool | None  # None: not asked to open


@dataclass(frozen=True)
class LockerStatus:
    door: int
    state: str  # free | assigned | faulty | out_of_service
    visit_id: str | None
    door_state: str  # open | closed | unknown
    occupied: bool | None
    note: str = ""


@dataclass(frozen=True)
class LockerHeldAtClose:
    """A door still held by an open visit when the day ends: belongings may still be inside."""

    door: int
    visit_id: str
    visit_state: str
    since: str
    door_state: str


def _door_state(states: dict[int, DoorState] | None, door: int) -> str:
    if states is None or door not in states:
        return "unknown"
    return "open" if states[door].open else "closed"


class LockerService:
    """Registration's use of the lockers. The bus itself (port, boards' health, reconnect) is the
    long-lived `LockerBusService` the composition root hands in as `bus`."""

    def __init__(self, *, config: Config, clock: Clock, db: Database, visits: VisitRepository,
                 board: LockerBoard | None = None, bus: Any = None) -> None:
        self.config, self.clock, self.db, self.visits = config, clock, db, visits
        self.cfg = config.devices.lockers
        self.door_map = DoorMap.from_config(self.cfg.boards)
        self.repo = LockerRepository(db)
        self.last_error = ""
        self.unreachable_boards: dict[int, str] = {}  # from the last status read
        self._bus = bus
        self._board = board
        self._lock = threading.RLock()
        layout = [(d, *self.door_map.locate(d)) for d in self.door_map.doors()]
        self.repo.sync(layout, self.cfg.out_of_service, clock.now())

    # --- hardware ---

    @property
    def bus(self) -> Any:
        if self._bus is None and self._board is None:
            if self.cfg.kind == "none":
                raise LockersDisabled()
            self._bus = locker_bus(self.cfg)
        return self._bus

    @property
    def emulator(self) -> Any:
        return getattr(self._bus, "emulator", None)

    @property
    def board(self) -> LockerBoard:
        """The bus driver (its port reopens itself after an unplug)."""
        with self._lock:
            if self._board is not None:
                return self._board
            return self.bus.board

    def connect(self) -> LockerBoard:
        """The bus driver, checked once now (at start-up) instead of at the first guest."""
        board = self.board
        if self._bus is not None:
            self._bus.check_now()
        return board

    def close(self) -> None:
        with self._lock:
            if self._board is not None:
                self._board.close()
                self._board = None
            if self._bus is not None:
                self._bus.stop()

    def _board_failed(self, board: int, exc: LockerBoardError) -> None:
        self.last_error = exc.text_en
        if self._bus is not None:
            self._bus.board_failed(board, exc)

    def _board_answered(self, board: int) -> None:
        if self._bus is not None:
            self._bus.board_answered(board)

    def _confirm(self, door: int, board_addr: int) -> bool:
        """Read the door's own board until the door reports open or confirm_timeout_s passes."""
        deadline = time.monotonic() + self.cfg.confirm_timeout_s
        while True:
            if self.board.board_states(board_addr)[door].open:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_S)

    def _open_and_confirm(self, door: int) -> bool:
        """Unlock and confirm on the door's board; an unlock lost on the wire is sent again (unlock_attempts)
        before the door is judged. Raises LockerBoardError only when that board (or the port) fails."""
        board_addr = self.door_map.locate(door)[0]
        try:
            for attempt in range(self.cfg.unlock_attempts):
                self.board.open(door)
                if self._confirm(door, board_addr):
                    self._board_answered(board_addr)
                    return True
                log.warning("locker did not open; unlock sent again", extra={"door": door, "attempt": attempt + 1})
        except LockerBoardError as exc:
            self._board_failed(board_addr, exc)
            raise
        self._board_answered(board_addr)
        return False

    # --- registration and check-out ---

    def assign_and_open(self, visit_id: str, *, actor: str = "guest") -> LockerAssignment:
        """Give the visit a working locker and open it; raise LockerUnavailable (visit untouched) if none."""
        with self._lock:
            visit = self.visits.get(visit_id)
            held = self.repo.for_visit(visit_id)
            if held is not None and held.state == L.ASSIGNED:
                return LockerAssignment(visit_id, held.door)  # asked twice: same door, no second opening
            if not visit.is_open:
                raise VisitNotOpen(visit_id, visit.state.value)
            faulty: list[int] = []
            silent: dict[int, LockerBoardError] = {}
            try:
                states, silent = self._status_boards()
                if len(silent) == len(self.door_map.boards):
                    raise next(iter(silent.values()))
                candidates = [
                    d for d in self.repo.free_doors()
                    if d in states and not states[d].occupied  # a silent board's doors are not offered
                ]
                tried = 0
                for door in candidates:
                    board_addr = self.door_map.locate(door)[0]
                    if board_addr in silent:
                        continue
                    if tried >= self.cfg.doors_tried:
                        break
                    tried += 1
                    try:
                        opened = self._open_and_confirm(door)
                    except LockerPortError:
                        raise
                    except LockerBoardError as exc:  # this board went silent: the others may still serve
                        silent[board_addr] = exc
                        continue
                    if not opened:
                        self._mark_faulty(door, visit_id, actor, "did not open")
                        faulty.append(door)
                        continue
                    if self._record_assignment(visit_id, door, actor, faulty):
                        log.info("locker assigned", extra={"visit_id": visit_id, "door": door, "faulty": faulty})
                        return LockerAssignment(visit_id, door, tuple(faulty))
                if silent and len(silent) == len(self.door_map.boards):
                    raise next(iter(silent.values()))
            except LockerBoardError as exc:
                self.last_error = exc.text_en
                self._record_unavailable(visit_id, actor, LockerSystemDown.code, faulty)
                raise LockerSystemDown(exc.code) from exc
            self._record_unavailable(visit_id, actor, NoFreeLocker.code, faulty)
            raise NoFreeLocker(tried=len(faulty))

    def release(self, visit_id: str, *, actor: str = "guest", open_door: bool = True) -> LockerRelease | None:
        """At check-out: open the guest's door for their belongings and free it. None if the visit had none."""
        with self._lock:
            held = self.repo.for_visit(visit_id)
            if held is None:
                return None
            opened: bool | None = None
            if open_door:
                try:
                    opened = self._open_and_confirm(held.door)
                except LockerBoardError as exc:
                    self.last_error = exc.text_en
                    opened = False
            now = self.clock.now()
            with self.db.transaction() as conn:
                self.repo.release(conn, held.door, now, out_of_service=held.door in self.cfg.out_of_service)
                if opened is False:
                    # The guest's things may be behind a door that will not open: staff must come.
                    self.repo.mark(conn, held.door, L.FAULTY, f"did not open at release {to_iso(now)}", now)
                self.visits.append_event(conn, self._event(visit_id, "locker_released", actor, door=held.door, opened=opened))
            log.info("locker released", extra={"visit_id": visit_id, "door": held.door, "opened": opened})
            return LockerRelease(visit_id, held.door, opened)

    def report_end_of_day(self) -> list[LockerHeldAtClose]:
        """Doors still held by open visits (belongings possibly left), with what the hardware says."""
        states = self._try_status()
        report = []
        for row, visit_state, created in self.repo.assigned_to_open_visits([s.value for s in OPEN_STATES]):
            item = LockerHeldAtClose(row.door, row.visit_id or "", visit_state, created, _door_state(states, row.door))
            log.warning("locker held at end of day", extra={"door": row.door, "visit_id": row.visit_id, "door_state": item.door_state})
            report.append(item)
        return report

    # --- staff ---

    def status(self) -> list[LockerStatus]:
        states = self._try_status()
        return [
            LockerStatus(
                r.door,
                r.state,
                r.visit_id,
                _door_state(states, r.door),
                states[r.door].occupied if states and r.door in states else None,
                r.note,
            )
            for r in self.repo.all()
        ]

    def open_door(self, door: int, *, actor: str = "staff") -> None:
        """Open one door by number; a confirmed opening clears a 'faulty' mark, a failed one sets it."""
        self.door_map.locate(door)  # UnknownDoor for a number that is not on the bus
        with self._lock:
            row = self.repo.get(door)
            opened = self._open_and_confirm(door)
            now = self.clock.now()
            with self.db.transaction() as conn:
                if opened and row is not None and row.state == L.FAULTY:
                    self.repo.mark(conn, door, L.FREE, "", now)
                elif not opened and row is not None and row.state != L.OUT_OF_SERVICE:
                    # An assigned door stays with its visit; the note tells staff it would not open.
                    state = row.state if row.state == L.ASSIGNED else L.FAULTY
                    self.repo.mark(conn, door, state, f"did not open for {actor} {to_iso(now)}", now)
                if row is not None and row.visit_id:
                    self.visits.append_event(
                        conn, self._event(row.visit_id, "locker_opened_by_staff", actor, door=door, opened=opened)
                    )
            log.info("locker opened by staff", extra={"door": door, "opened": opened})
            if not opened:
                raise LockerDidNotOpen(door)

    def open_all(self, *, actor: str = "staff") -> list[int]:
        """Emergency: unlock every door on every board, each board confirmed on its own; return the doors
        not confirmed open (still closed, or on a board that does not answer: `unreachable_boards`)."""
        with self._lock:
            log.warning("all lockers opened", extra={"actor": actor})
            shut: list[int] = []
            self.unreachable_boards = {}
            for spec in self.door_map.boards:
                try:
                    shut += self._open_board_and_confirm(spec.address)
                except LockerPortError:
                    raise
                except LockerBoardError as exc:
                    self._board_failed(spec.address, exc)
                    self.unreachable_boards[spec.address] = exc.text_en
                    shut += [d for d in self.door_map.doors() if self.door_map.locate(d)[0] == spec.address]
            return sorted(shut)

    def _open_board_and_confirm(self, board_addr: int) -> list[int]:
        still: list[int] = []
        for _attempt in range(self.cfg.unlock_attempts):
            self.board.open_board(board_addr)
            deadline = time.monotonic() + self.cfg.confirm_timeout_s
            while True:
                still = [d for d, s in self.board.board_states(board_addr).items() if not s.open]
                if not still or time.monotonic() >= deadline:
                    break
                time.sleep(POLL_S)
            if not still:
                break
        self._board_answered(board_addr)
        return still

    # --- helpers ---

    def _status_boards(self) -> tuple[dict[int, DoorState], dict[int, LockerBoardError]]:
        try:
            states, errors = self.board.status_boards()
        except LockerPortError as exc:
            self._board_failed(-1, exc)
            raise
        self.unreachable_boards = {b: e.text_en for b, e in errors.items()}
        for spec in self.door_map.boards:
            if spec.address in errors:
                self._board_failed(spec.address, errors[spec.address])
            else:
                self._board_answered(spec.address)
        return states, errors

    def _try_status(self) -> dict[int, DoorState] | None:
        """Door states of the boards that answer (None if the port itself is unusable)."""
        self.last_error = ""
        try:
            states, errors = self._status_boards()
        except LockerBoardError as exc:
            self.last_error = exc.text_en
            self.unreachable_boards = {b.address: exc.text_en for b in self.door_map.boards}
            return None
        if errors:
            self.last_error = "; ".join(f"board {b}: {e.text_en}" for b, e in sorted(errors.items()))
        return states

    def _event(self, visit_id: str, kind: str, actor: str, **data: Any) -> VisitEvent:
        return VisitEvent(
            visit_id=visit_id,
            kind=kind,
            at=self.clock.now(),
            actor=actor,
            device_id=self.config.kiosk.device_id,
            data=data,
        )

    def _record_assignment(self, visit_id: str, door: int, actor: str, faulty: list[int]) -> bool:
        """Door on the lockers row, on the visit, and the event: one transaction."""
        now = self.clock.now()
        with self.db.transaction() as conn:
            if not self.repo.assign(conn, door, visit_id, now):
                return False
            visit = self.visits.get(visit_id)
            self.visits.update(conn, replace(visit, locker_door=door, updated_at=now))
            self.visits.append_event(conn, self._event(visit_id, "locker_assigned", actor, door=door, faulty=faulty))
        return True

    def _mark_faulty(self, door: int, visit_id: str, actor: str, why: str) -> None:
        now = self.clock.now()
        with self.db.transaction() as conn:
            self.repo.mark(conn, door, L.FAULTY, f"{why} {to_iso(now)}", now)
            self.visits.append_event(conn, self._event(visit_id, "locker_faulty", actor, door=door))
        log.warning("locker marked faulty", extra={"door": door, "visit_id": visit_id})

    def _record_unavailable(self, visit_id: str, actor: str, reason: str, faulty: list[int]) -> None:
        with self.db.transaction() as conn:
            self.visits.append_event(conn, self._event(visit_id, "locker_unavailable", actor, reason=reason, faulty=faulty))
        log.warning("no locker for visit", extra={"visit_id": visit_id, "reason": reason})
