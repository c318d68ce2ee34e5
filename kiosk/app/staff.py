"""The staff service behind the PIN: lock-out, and everything the staff screen shows or does.

It gathers status from whichever services exist (a service whose module is not installed is listed as
"not available") so that the screen keeps working as features are added. Screens call only this.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from kiosk.domain.errors import KioskError
from kiosk.domain.masking import mask_nik
from kiosk.domain.visit import VisitState
from kiosk.store.operations import OperationsRepository, PinState

if TYPE_CHECKING:
    from kiosk.app.context import AppContext

log = logging.getLogger(__name__)

MAX_LOCKOUT = timedelta(days=1)


class StaffPinNotSet(KioskError):
    code = "staff_pin_not_set"

    def __init__(self) -> None:
        super().__init__(
            "PIN petugas belum diatur (ui.staff_pin_hash)", "No staff PIN is configured (ui.staff_pin_hash)"
        )


class StaffPinWrong(KioskError):
    code = "staff_pin_wrong"

    def __init__(self, attempts_left: int) -> None:
        super().__init__(
            f"PIN salah. Sisa percobaan: {attempts_left}", f"Wrong PIN. Attempts left: {attempts_left}",
            attempts_left=attempts_left,
        )
        self.attempts_left = attempts_left


class StaffLockedOut(KioskError):
    code = "staff_locked_out"

    def __init__(self, seconds: int) -> None:
        minutes = max(1, -(-seconds // 60))
        super().__init__(
            f"Terlalu banyak PIN salah. Coba lagi dalam {minutes} menit.",
            f"Too many wrong PINs. Try again in {minutes} minutes.",
            seconds=seconds,
        )
        self.seconds = seconds


class InvalidPin(KioskError):
    code = "invalid_pin"

    def __init__(self) -> None:
        super().__init__("PIN harus 4-12 digit angka", "The PIN must be 4 to 12 digits")


class ServiceNotAvailable(KioskError):
    code = "service_not_available"

    def __init__(self, service: str) -> None:
        super().__init__(
            f"Layanan '{service}' belum tersedia di kios ini", f"The '{service}' service is not available on this kiosk",
            service=service,
        )


class ReprintFailed(KioskError):
    code = "reprint_failed"

    def __init__(self, reason: str) -> None:
        super().__init__(f"Cetak ulang gagal: {reason}", f"Reprint failed: {reason}", reason=reason)


def _hasher():
    from argon2 import PasswordHasher

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


class StaffService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.ops = OperationsRepository(ctx.db)

    # --- the PIN ---

    @property
    def pin_configured(self) -> bool:
        return bool(self.ctx.config.ui.staff_pin_hash)

    def lockout_remaining_s(self) -> int:
        state = self.ops.pin_state()
        now = self.ctx.clock.now()
        if state.locked_until and state.locked_until > now:
            return int((state.locked_until - now).total_seconds() + 0.999)
        return 0

    def check_pin(self, pin: str) -> None:
        """Return when the PIN is right; raise StaffLockedOut / StaffPinWrong / StaffPinNotSet otherwise.

        The count of wrong PINs and the lock-out time are in the database, so a restart does not reset them.
        """
        from argon2.exceptions import InvalidHashError, VerificationError

        ui = self.ctx.config.ui
        if not ui.staff_pin_hash:
            raise StaffPinNotSet()
        remaining = self.lockout_remaining_s()
        if remaining:
            raise StaffLockedOut(remaining)
        now = self.ctx.clock.now()
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

    def _service(self, name: str):
        if not hasattr(type(self.ctx), name):
            return None
        try:
            return getattr(self.ctx, name)
        except ModuleNotFoundError:
            return None

    def device_status(self) -> list[ServiceLine]:
        """Each peripheral's state as its service knows it (never opening a device here), then the central
        API and notifier checks (slow: run it off the UI thread)."""
        from kiosk.app.selftest import run_checks

        lines = []
        for service in self.ctx.devices.all():
            # A kiosk whose services run has fresh states; a CLI context checks each device once, now.
            snap = service.snapshot if service.started_checks() else service.check_now()
            detail = snap.last_error or snap.detail
            lines.append(ServiceLine(snap.device, snap.state, detail, device=True))
        words = {"ok": "ok", "fail": "fault", "skip": "skip"}
        lines += [ServiceLine(r.name, words[r.status], r.detail) for r in run_checks(self.ctx, only=("central", "notifier"))]
        return lines

    def watch_devices(self, listener) -> list:
        """Subscribe `listener(DeviceState)` to every peripheral's service; returns the unsubscribe functions."""
        return [service.subscribe(listener) for service in self.ctx.devices.all()]

    def services(self) -> list[ServiceLine]:
        """Which application services this kiosk has (the rest are listed as not available)."""
        wanted = [("tickets", "printing / cetak"), ("lockers", "lockers / loker"), ("sync", "sync / sinkron"),
                  ("gate", "gate / gerbang"), ("surveys", "survey / survei"), ("notifications", "WhatsApp")]
        out = []
        for attr, label in wanted:
            svc = self._service(attr)
            out.append(ServiceLine(label, "ok" if svc is not None else "not_available"))
        return out

    def outbox(self) -> dict[str, Any]:
        """Backlog counts, the worker's state and the parked messages with their reasons."""
        outbox = self.ctx.visits.outbox
        sync = self._service("sync")
        worker: dict[str, Any] = {"state": "not_available", "last_error": ""}
        if sync is not None:
            try:
                worker = sync.status().worker
            except Exception as exc:
                worker = {"state": "unknown", "last_error": type(exc).__name__}
        parked = [
            {"id": m.id, "topic": m.topic, "aggregate_id": m.aggregate_id, "reason": m.last_error, "attempts": m.attempts}
            for m in outbox.by_status("parked", 50)
        ]
        return {"counts": outbox.counts(), "worker": worker, "parked": parked}

    def retry_parked(self) -> int:
        sync = self._service("sync")
        if sync is None:
            raise ServiceNotAvailable("sync")
        return sync.retry_parked()

    # --- visits ---

    def todays_visits(self) -> list[VisitLine]:
        tz = ZoneInfo(self.ctx.config.office.timezone)
        day = self.ctx.clock.now().astimezone(tz).date()
        start = datetime.combine(day, time.min, tz)
        out = []
        for v in self.ctx.visits.list_between(start, start + timedelta(days=1)):
            guest = self.ctx.guests.get(v.guest_id) if v.guest_id else None
            out.append(VisitLine(
                v.id, v.created_at.astimezone(tz).strftime("%H:%M"), v.state.value,
                guest.name if guest else "", mask_nik(guest.nik) if guest else "", v.host_name, v.locker_door,
                v.pass_id, v.is_open,
            ))
        return out

    def check_out(self, visit_id: str, *, actor: str = "staff") -> None:
        """Check a guest out by hand (the guest left without scanning): state, event, outbox, locker freed."""
        visit = self.ctx.visits.get(visit_id)
        # A visit still `registered` (the host was never asked) cannot be checked out; it is cancelled instead.
        target = VisitState.CHECKED_OUT
        if not visit.can_move_to(target) and visit.can_move_to(VisitState.CANCELLED):
            target = VisitState.CANCELLED
        self.ctx.registration.transition(visit_id, target, actor=actor, reason="manual_checkout")
        if visit.locker_door is not None and self._service("lockers") is not None:
            try:
                self.ctx.lockers.release(visit_id, actor=actor, open_door=False)
            except KioskError as exc:
                log.warning("locker not released at manual checkout", extra={"visit_id": visit_id, "code": exc.code})
        log.info("visit checked out by staff", extra={"visit_id": visit_id})

    def host_answer(self, visit_id: str, accepted: bool, *, actor: str = "staff") -> None:
        """The host answered by phone or in person, not on WhatsApp: staff record it (waiting_host only)."""
        notifications = self._service("notifications")
        if notifications is None:
            raise ServiceNotAvailable("notifications")
        notifications.record_host_answer(visit_id, accepted, actor)
        log.info("host answer recorded by staff", extra={"visit_id": visit_id, "accepted": accepted})

    def reprint(self, visit_id: str, *, actor: str = "staff") -> Any:
        tickets = self._service("tickets")
        if tickets is None:
            raise ServiceNotAvailable("tickets")
        outcome = tickets.reprint(visit_id)
        if not getattr(outcome, "printed", True):
            raise ReprintFailed(getattr(outcome, "reason", "offline"))
        log.info("pass reprinted by staff", extra={"visit_id": visit_id, "actor": actor})
        return outcome

    # --- lockers ---

    def lockers(self):
        svc = self._service("lockers")
        if svc is None or self.ctx.config.devices.lockers.kind == "none":
            return []
        return svc.status()

    def open_locker(self, door: int, *, actor: str = "staff") -> None:
        svc = self._service("lockers")
        if svc is None:
            raise ServiceNotAvailable("lockers")
        svc.open_door(door, actor=actor)

    def open_all_lockers(self, *, actor: str = "staff") -> list[int]:
        svc = self._service("lockers")
        if svc is None:
            raise ServiceNotAvailable("lockers")
        return svc.open_all(actor=actor)
