"""The staff service behind the PIN: lock-out, and everything the staff screen shows or does.

It is given the services it reports on and acts through; screens call only this.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from kiosk.domain.errors import KioskError
from kiosk.domain.masking import mask_nik
from kiosk.domain.visit import VisitState
from kiosk.store.operations import OperationsRepository, PinState

if TYPE_CHECKING:
    from kiosk.app.devices import DeviceServices
    from kiosk.app.lockers import LockerService
    from kiosk.app.notifications import NotificationService
    from kiosk.app.printing import TicketService
    from kiosk.app.registration import RegistrationService
    from kiosk.app.selftest import SelfTest
    from kiosk.config import Config
    from kiosk.domain.clock import Clock
    from kiosk.store.db import Database
    from kiosk.store.guests import GuestRepository
    from kiosk.store.visits import VisitRepository
    from kiosk.sync.service import SyncService

log = logging.getLogger(__name__)

MAX_LOCKOUT = timedelta(days=1)


class StaffPinNotSet(KioskError):
    code = "staff_pin_not_set"

    def __init__(self) -> None:
        super().__init__()


class StaffPinWrong(KioskError):
    code = "staff_pin_wrong"

    def __init__(self, attempts_left: int) -> None:
        super().__init__(attempts_left=attempts_left)
        self.attempts_left = attempts_left


class StaffLockedOut(KioskError):
    code = "staff_locked_out"

    def __init__(self, seconds: int) -> None:
        minutes = max(1, -(-seconds // 60))
        super().__init__(seconds=seconds, minutes=minutes)
        self.seconds = seconds


class InvalidPin(KioskError):
    code = "invalid_pin"

    def __init__(self) -> None:
        super().__init__()


class ReprintFailed(KioskError):
    code = "reprint_failed"

    def __init__(self, reason: str) -> None:
        super().__init__(reason=reason)


def _hasher():
    from argon2 import PasswordHasher  # native library: only when a PIN is checked

    return PasswordHasher()


def hash_pin(pin: str) -> str:
    if not (4 <= len(pin) <= 12 and pin.isdigit()):
        raise InvalidPin()
    return _hasher().hash(pin)


@dataclass(frozen=True)
class ServiceLine:
    """One line of the status panel: what, its state in a word, and details for staff."""

    name: str
    state: str  # ok | fault | skip | not_available; a device: ok | degraded | offline | unknown
    detail: str = ""
    device: bool = False  # a peripheral's service state (the words come from the "device." strings)


@dataclass(frozen=True)
class VisitLine:
    id: str
    time: str
    state: str
    guest: str
    nik: str  # masked
    host: str
    locker: int | None
    pass_id: str
    open: bool
    created_at: datetime  # in the office's time zone
    purpose: str
    reprint_asked: bool = False  # the web desk asked for a reprint (pulled) and none was printed since


class StaffService:
    def __init__(self, *, config: Config, clock: Clock, db: Database, visits: VisitRepository,
                 guests: GuestRepository, registration: RegistrationService, locker_service: LockerService,
                 tickets: TicketService, notifications: NotificationService, sync: SyncService,
                 selftest: SelfTest, devices: DeviceServices) -> None:
        self.config, self.clock, self.visits, self.guests = config, clock, visits, guests
        self.registration, self.locker_service, self.tickets = registration, locker_service, tickets
        self.notifications, self.sync, self.selftest, self.devices = notifications, sync, selftest, devices
        self.ops = OperationsRepository(db)

    # --- the PIN ---

    @property
    def pin_configured(self) -> bool:
        return bool(self.config.ui.staff_pin_hash)

    def lockout_remaining_s(self) -> int:
        state = self.ops.pin_state()
        now = self.clock.now()
        if state.locked_until and state.locked_until > now:
            return int((state.locked_until - now).total_seconds() + 0.999)
        return 0

    def check_pin(self, pin: str) -> None:
        """Return when the PIN is right; raise StaffLockedOut / StaffPinWrong / StaffPinNotSet otherwise.

        The count of wrong PINs and the lock-out time are in the database, so a restart does not reset them.
        """
        from argon2.exceptions import InvalidHashError, VerificationError  # as above

        ui = self.config.ui
        if not ui.staff_pin_hash:
            raise StaffPinNotSet()
        remaining = self.lockout_remaining_s()
        if remaining:
            raise StaffLockedOut(remaining)
        now = self.clock.now()
        state = self.ops.pin_state()
        quiet_since = max(t for t in (state.updated_at, state.locked_until) if t) if state.failures else None
        if quiet_since is not None and now - quiet_since >= timedelta(seconds=ui.staff_pin_forget_s):
            state = PinState(0, None)  # a quiet spell: the earlier wrong PINs are forgotten
        try:
            _hasher().verify(ui.staff_pin_hash, pin)
        except (VerificationError, InvalidHashError):
            failures = state.failures + 1
            locked_until = None
            if failures >= ui.staff_pin_attempts:
                # Each wrong PIN past the limit doubles the wait: guessing 4 digits takes years, not hours.
                extra = failures - ui.staff_pin_attempts
                locked_until = now + min(timedelta(seconds=ui.staff_lockout_s * 2**min(extra, 16)), MAX_LOCKOUT)
            self.ops.save_pin_state(PinState(failures, locked_until), now)
            log.warning("staff PIN wrong", extra={"failures": failures, "locked": locked_until is not None})
            if locked_until is not None:
                raise StaffLockedOut(int((locked_until - now).total_seconds())) from None
            raise StaffPinWrong(ui.staff_pin_attempts - failures) from None
        self.ops.save_pin_state(PinState(0, None), now)
        log.info("staff screen unlocked")

    # --- status ---

    def device_status(self) -> list[ServiceLine]:
        """Each peripheral's state as its service knows it (never opening a device here), then the central
        API and notifier checks (slow: run it off the UI thread)."""
        lines = []
        for service in self.devices.all():
            # A kiosk whose services run has fresh states; a CLI context checks each device once, now.
            snap = service.snapshot if service.started_checks() else service.check_now()
            detail = snap.last_error or snap.detail
            lines.append(ServiceLine(snap.device, snap.state, detail, device=True))
        words = {"ok": "ok", "fail": "fault", "skip": "skip"}
        lines += [ServiceLine(r.name, words[r.status], r.detail) for r in self.selftest.run(only=("central", "notifier"))]
        return lines

    def watch_devices(self, listener) -> list:
        """Subscribe `listener(DeviceState)` to every peripheral's service; returns the unsubscribe functions."""
        return [service.subscribe(listener) for service in self.devices.all()]

    def services(self) -> list[ServiceLine]:
        """Which services this kiosk runs by its config (one whose device or server is "none" is not available)."""
        cfg = self.config
        on = [
            ("printing / cetak", cfg.devices.printer.kind != "none" or cfg.devices.backup_printer.kind != "none"),
            ("lockers / loker", cfg.devices.lockers.kind != "none"),
            ("sync / sinkron", bool(cfg.central.url) or cfg.notifier.kind != "none"),
            ("gate / gerbang", True),
            ("survey / survei", True),
            ("WhatsApp", cfg.notifier.kind != "none"),
        ]
        return [ServiceLine(label, "ok" if available else "not_available") for label, available in on]

    def outbox(self) -> dict[str, Any]:
        """Backlog counts, the worker's state and the parked messages with their reasons."""
        outbox = self.visits.outbox
        try:
            worker = self.sync.status().worker
        except Exception as exc:
            worker = {"state": "unknown", "last_error": type(exc).__name__}
        parked = [
            {"id": m.id, "topic": m.topic, "aggregate_id": m.aggregate_id, "reason": m.last_error, "attempts": m.attempts}
            for m in outbox.by_status("parked", 50)
        ]
        return {"counts": outbox.counts(), "worker": worker, "parked": parked}

    def retry_parked(self) -> int:
        return self.sync.retry_parked()

    # --- visits ---

    def todays_visits(self) -> list[VisitLine]:
        return self.visits_on(None)

    def visits_on(self, day: date | None) -> list[VisitLine]:
        """The visits registered on one calendar day of the office (default: today), oldest first."""
        tz = ZoneInfo(self.config.office.timezone)
        day = day or self.clock.now().astimezone(tz).date()
        start = datetime.combine(day, time.min, tz)
        out = []
        for v in self.visits.list_between(start, start + timedelta(days=1)):
            guest = self.guests.get(v.guest_id) if v.guest_id else None
            local = v.created_at.astimezone(tz)
            out.append(VisitLine(
                v.id, local.strftime("%H:%M"), v.state.value,
                guest.name if guest else "", mask_nik(guest.nik) if guest else "", v.host_name, v.locker_door,
                v.pass_id, v.is_open, local, v.purpose, self._reprint_asked(v.id),
            ))
        return out

    def _reprint_asked(self, visit_id: str) -> bool:
        """A `reprint_requested` event from the web desk (pulled from central) with no pass printed after it."""
        asked = False
        for e in self.visits.events(visit_id):
            if e.kind == "reprint_requested":
                asked = True
            elif e.kind == "pass_printed":
                asked = False
        return asked

    def check_out(self, visit_id: str, *, actor: str = "staff") -> None:
        """Check a guest out by hand (the guest left without scanning): state, event, outbox, locker freed."""
        visit = self.visits.get(visit_id)
        # A visit still `registered` (the host was never asked) cannot be checked out; it is cancelled instead.
        target = VisitState.CHECKED_OUT
        if not visit.can_move_to(target) and visit.can_move_to(VisitState.CANCELLED):
            target = VisitState.CANCELLED
        self.registration.transition(visit_id, target, actor=actor, reason="manual_checkout")
        if visit.locker_door is not None:
            try:
                self.locker_service.release(visit_id, actor=actor, open_door=False)
            except KioskError as exc:
                log.warning("locker not released at manual checkout", extra={"visit_id": visit_id, "code": exc.code})
        log.info("visit checked out by staff", extra={"visit_id": visit_id})

    def host_answer(self, visit_id: str, accepted: bool, *, actor: str = "staff") -> None:
        """The host answered by phone or in person, not on WhatsApp: staff record it (waiting_host only)."""
        self.notifications.record_host_answer(visit_id, accepted, actor)
        log.info("host answer recorded by staff", extra={"visit_id": visit_id, "accepted": accepted})

    def reprint(self, visit_id: str, *, actor: str = "staff") -> Any:
        outcome = self.tickets.reprint(visit_id)
        if not outcome.printed:
            raise ReprintFailed(outcome.reason or "offline")
        log.info("pass reprinted by staff", extra={"visit_id": visit_id, "actor": actor})
        return outcome

    # --- lockers ---

    def lockers(self):
        if self.config.devices.lockers.kind == "none":
            return []
        return self.locker_service.status()

    def open_locker(self, door: int, *, actor: str = "staff") -> None:
        self.locker_service.open_door(door, actor=actor)

    def open_all_lockers(self, *, actor: str = "staff") -> list[int]:
        return self.locker_service.open_all(actor=actor)
