"""The security gate: scan a gate pass, decide enter / exit / refuse, move the visit, and keep "inside now" true.

Offline the signature and expiry decide (kiosk.domain.gatepass); with the local store fed by
the sync pull (kiosk.sync.pull) the visit's state decides too: entry moves accepted -> inside, exit moves
inside -> checked_out, and a pass that went out never comes in again. Every scan is logged: as a visit
event (kind 'gate_scan', which travels to the other devices) when the visit is known, and always in the
gate_scans table, so forged and unreadable codes leave a trace too.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from kiosk import BUILD_TIME
from kiosk.devices.printer import PrinterError
from kiosk.domain.clock import from_iso, to_iso
from kiosk.domain.gatepass import verify_pass
from kiosk.domain.ticket import receipt
from kiosk.domain.visit import Visit, VisitEvent, VisitState
from kiosk.store.gate_scans import SCAN_EVENT, GateScanRepository, ScanRecord

if TYPE_CHECKING:
    from kiosk.app.lockers import LockerService
    from kiosk.app.passes import PassService
    from kiosk.app.printing import TicketService
    from kiosk.config import Config
    from kiosk.domain.clock import Clock
    from kiosk.store.db import Database
    from kiosk.store.guests import GuestRepository
    from kiosk.store.photos import PhotoFiles
    from kiosk.store.visits import VisitRepository

log = logging.getLogger(__name__)
S = VisitState
AUTO_CHECKOUT_FLAG = "auto_checkout"
# Outbox topic of a scan whose visit the device does not know (offline): the pass id, device, time and verdict.
PASS_SCAN_TOPIC = "gate.pass_scan"
# A clock this far before the newest time already seen is wrong (NTP steps and skew stay well inside it).
CLOCK_TOLERANCE = timedelta(minutes=5)


class GateVerdict(StrEnum):
    ENTER = "enter"
    EXIT = "exit"
    EXPIRED = "expired"
    DECLINED = "declined"  # declined by the host
    WAITING_HOST = "waiting_host"  # the host has not answered yet
    ALREADY_OUT = "already_checked_out"
    OTHER_OFFICE = "other_office"
    FORGED = "forged"  # forged or unreadable
    DEMO = "demo"  # a `kiosk ticket --demo` pass: a sample, never a way in
    CLOCK_BEHIND = "clock_behind"  # this device's clock is before a time it has already seen: no time verdicts


GREEN = frozenset({GateVerdict.ENTER, GateVerdict.EXIT})


@dataclass(frozen=True)
class GateResult:
    """What the guard sees: a big green or red verdict, who it is, and what to do with the ID card."""

    verdict: GateVerdict
    reason: str = ""
    pass_id: str = ""
    visit_id: str = ""
    guest_name: str = ""
    photo_path: str = ""
    host_name: str = ""
    host_phone: str = ""  # the host's number or extension, for the guard to call when the host has not answered
    locker_door: int | None = None
    return_id_card: bool = False  # the guest leaves: hand back the ID card, take back the badge; the guard
    # compares the person with the ID card (and the photo when there is one): a copied pass meets a stranger here
    offline: bool = False  # decided from the signature alone; the visit is not in the local store yet
    expires_at: datetime | None = None

    @property
    def green(self) -> bool:
        return self.verdict in GREEN


@dataclass(frozen=True)
class SurveyCheckout:
    """A pass scanned at the survey desk: the visit the answers belong to, and the locker to empty."""

    visit_id: str
    locker_door: int | None
    checked_out_now: bool  # False: the guest had already left by the gate


@dataclass(frozen=True)
class InsideEntry:
    visit_id: str
    guest_name: str
    photo_path: str
    host_name: str
    locker_door: int | None
    since: datetime


@dataclass(frozen=True)
class ScanConflict:
    """Found when the devices' scans meet: the same pass let in twice, or in again after it went out."""

    visit_id: str
    kind: str  # "duplicate_entry" | "entry_after_exit"
    devices: tuple[str, ...]
    times: tuple[datetime, ...]


# A verifier takes the scanned text and the time, and answers like gatepass.verify_pass's PassVerdict:
# an object with valid, reason, pass_id, office, expires_at.
Verifier = Callable[[str, datetime], Any]


def _short_code(text: str) -> str | None:
    """The pass id when `text` is the code printed under the QR (`ABCDE-FGHJK`, any case), else None."""
    from kiosk.domain.gatepass import InvalidGatePass, format_pass_id, parse_pass_id

    cleaned = text.strip().replace(" ", "")
    if len(cleaned.replace("-", "")) != 10:
        return None
    try:
        return format_pass_id(parse_pass_id(cleaned))
    except InvalidGatePass:
        return None


def _reason_to_verdict(reason: str) -> GateVerdict:
    """gatepass's reasons (kiosk.domain.gatepass.REASONS) onto the gate's verdicts."""
    r = (reason or "").lower()
    if r in ("expired", "not_yet_valid", "cancelled"):
        return GateVerdict.EXPIRED  # not valid now; not_yet_valid means the clocks disagree
    if r == "other_office":
        return GateVerdict.OTHER_OFFICE
    if r == "declined":
        return GateVerdict.DECLINED
    if r == "checked_out":
        return GateVerdict.ALREADY_OUT
    if r == "demo":
        return GateVerdict.DEMO
    return GateVerdict.FORGED  # bad_signature, unknown_key, revoked (replaced by a reprint), unreadable


class GateService:
    def __init__(self, *, config: Config, clock: Clock, db: Database, visits: VisitRepository,
                 guests: GuestRepository, passes: PassService, lockers: LockerService, tickets: TicketService,
                 photos: PhotoFiles, verifier: Verifier | None = None) -> None:
        self.config, self.clock, self.db, self.visits, self.guests = config, clock, db, visits, guests
        self.photos = photos
        self.passes, self.lockers, self.tickets = passes, lockers, tickets
        self.scans = GateScanRepository(db)
        self._verifier = verifier

    # --- verifying ---

    @property
    def verifier(self) -> Verifier:
        if self._verifier is None:
            passes = self.passes
            office = self.config.office.code

            def verify(token: str, at: datetime):
                # No visit_state_lookup: the gate decides from the state itself, because an expired pass
                # must still let an inside guest out and a declined guest is checked out, not just refused.
                return verify_pass(token, at=at, office_code=office, public_keys=passes.public_keys,
                                   revoked=passes.repo.revoked_ids())  # fmt: skip

            self._verifier = verify
        return self._verifier

    def _verify(self, token: str, at: datetime):
        verifier = self.verifier  # outside the try: a missing verifier is a set-up error, not a forged pass
        try:
            return verifier(token.strip(), at)
        except Exception as exc:  # a scanner can deliver any bytes; nothing it sends may crash the gate
            log.warning("pass unreadable", extra={"error": type(exc).__name__})
            return None

    def _lookup(self, pass_id: str) -> Visit | None:
        """The visit a pass belongs to. A visit pulled from another device arrives without its pass id; its
        pass_printed event (pulled too) names it."""
        if not pass_id:
            return None
        found = self.visits.find_by_pass(pass_id)
        if found is None:
            visit_id = self.scans.visit_for_pass(pass_id)  # the lobby's pass_printed event, pulled here
            found = self.visits.find(visit_id) if visit_id else None
        return found

    # --- scanning ---

    # --- the device's own clock ---

    def newest_seen(self) -> datetime:
        """The newest time this device knows has passed: its own last event and scan, its last pull, and the
        program's build time (times written by other devices' clocks are not its to judge). A clock before it
        is wrong (a Raspberry Pi without RTC boots with an old time) and would call an expired pass valid."""
        seen = [datetime.fromisoformat(BUILD_TIME)]
        conn = self.db.conn
        device = self.config.kiosk.device_id
        for sql, args in (("SELECT MAX(at) FROM visit_events WHERE device_id=?", (device,)),
                          ("SELECT MAX(scanned_at) FROM gate_scans WHERE device_id=?", (device,)),
                          ("SELECT MAX(updated_at) FROM sync_state", ())):  # fmt: skip
            value = conn.execute(sql, args).fetchone()[0]
            if value:
                try:
                    seen.append(from_iso(value))
                except ValueError:
                    continue
        return max(seen)

    def _clock_behind(self, now: datetime) -> datetime | None:
        newest = self.newest_seen()
        return newest if now < newest - CLOCK_TOLERANCE else None

    # --- scanning ---

    def scan(self, token: str) -> GateResult:
        """One scan at the gate. The visit's state decides the direction: accepted goes in, inside goes out."""
        now = self.clock.now()
        short = _short_code(token)
        if short is not None:
            return self._scan_short_code(token, short, now)
        pv = self._verify(token, now)
        if pv is None:
            return self._log(token, now, GateResult(GateVerdict.FORGED, "unreadable"))
        pass_id = getattr(pv, "pass_id", "") or ""
        visit = self._lookup(pass_id)
        behind = self._clock_behind(now)
        if behind is not None and not (visit is not None and visit.state is S.INSIDE):
            # Every verdict but letting an inside guest out depends on the time: refuse, and say why.
            reason = (f"clock_behind: device time {now.astimezone(UTC):%Y-%m-%d %H:%M} UTC is before "
                      f"{behind.astimezone(UTC):%Y-%m-%d %H:%M} UTC already seen; set the clock")
            log.error("gate clock behind", extra={"now": now.isoformat(), "newest_seen": behind.isoformat()})
            return self._log(token, now, self._describe(GateResult(GateVerdict.CLOCK_BEHIND, reason, pass_id), visit),
                             visit)
        if not pv.valid:
            verdict = _reason_to_verdict(pv.reason)
            if verdict is GateVerdict.DEMO:
                return self._log(token, now, GateResult(verdict, "demo pass"))
            if verdict is GateVerdict.FORGED:
                # The pass id of a forged code is the forger's claim: show and touch nobody's visit.
                return self._log(token, now, GateResult(verdict, pv.reason, pass_id))
            # An expired pass must still let its guest OUT: the guest is inside and must leave.
            if verdict is GateVerdict.EXPIRED and visit is not None and visit.state is S.INSIDE:
                return self._exit(token, now, visit, reason="pass expired")
            return self._log(token, now, self._describe(GateResult(verdict, pv.reason, pass_id), visit), visit)
        if visit is None:
            return self._offline(token, now, pass_id, pv.expires_at)
        return self._by_state(token, now, visit)

    def _scan_short_code(self, token: str, pass_id: str, now: datetime) -> GateResult:
        """The code printed under the QR, typed by the guard: it names a pass this office issued. There is no
        signature to check, so only a visit known here is let through; an unknown code is not a pass."""
        visit = self._lookup(pass_id)
        if visit is None or pass_id in self.passes.repo.revoked_ids():
            return self._log(token, now, GateResult(GateVerdict.FORGED, "short code unknown", pass_id))
        behind = self._clock_behind(now)
        if behind is not None and visit.state is not S.INSIDE:
            reason = f"clock_behind: device time before {behind.astimezone(UTC):%Y-%m-%d %H:%M} UTC already seen"
            return self._log(token, now, self._describe(GateResult(GateVerdict.CLOCK_BEHIND, reason, pass_id), visit),
                             visit)
        expired = visit.expires_at is not None and visit.expires_at <= now
        if expired and visit.state is not S.INSIDE:
            result = self._describe(GateResult(GateVerdict.EXPIRED, "short code: pass expired", pass_id), visit)
            return self._log(token, now, result, visit)
        return self._by_state(token, now, visit)

    def _offline(self, token: str, now: datetime, pass_id: str, expires_at: datetime | None) -> GateResult:
        """Offline, or the visit not pulled yet: the signature, the expiry and what this device remembers of the
        pass id decide. First scan in, second out (the guard compares the person with the ID card held), then
        refused: a copy of the pass gets in once at most, and every scan is queued for the other devices."""
        last = self.scans.last_green(pass_id)
        if last is None:
            result = GateResult(GateVerdict.ENTER, "signature valid; visit not in local store", pass_id,
                                offline=True, expires_at=expires_at)  # fmt: skip
        elif last.verdict == GateVerdict.ENTER:
            result = GateResult(GateVerdict.EXIT, f"offline; entered {last.scanned_at.astimezone(UTC):%H:%M} UTC on "
                                f"{last.device_id}: compare the person with the ID card", pass_id,
                                return_id_card=True, offline=True, expires_at=expires_at)  # fmt: skip
        else:
            result = GateResult(GateVerdict.ALREADY_OUT, "pass already used for entry and exit", pass_id,
                                offline=True, expires_at=expires_at)  # fmt: skip
        return self._log(token, now, result)

    def _by_state(self, token: str, now: datetime, visit: Visit) -> GateResult:
        state = visit.state
        if state is S.ACCEPTED:
            # This device may have let the pass in (or out) offline, before it knew the visit.
            last = self.scans.last_green(visit.pass_id) if visit.pass_id else None
            if last is not None and last.verdict == GateVerdict.EXIT:
                result = self._describe(GateResult(GateVerdict.ALREADY_OUT, "pass already used for exit"), visit)
                return self._log(token, now, result, visit)
            if last is not None and last.verdict == GateVerdict.ENTER:
                device = self.config.kiosk.device_id
                inside, event = visit.transition(S.INSIDE, at=last.scanned_at, actor="security", device_id=device,
                                                 via="gate_scan", reason="entered while offline")  # fmt: skip
                self.visits.save_transition(inside, event)
                return self._exit(token, now, inside)
            return self._move(token, now, visit, S.INSIDE, GateVerdict.ENTER)
        if state is S.INSIDE:
            return self._exit(token, now, visit)
        if state is S.DECLINED:
            # The host will not meet the guest: not in; the guest leaves, so check out and return the ID card.
            return self._move(token, now, visit, S.CHECKED_OUT, GateVerdict.DECLINED, reason="declined by host")
        if state in (S.REGISTERED, S.WAITING_HOST):
            result = self._describe(GateResult(GateVerdict.WAITING_HOST, "host has not answered"), visit)
            return self._log(token, now, result, visit)
        if state is S.CHECKED_OUT:
            result = self._describe(GateResult(GateVerdict.ALREADY_OUT, "pass already used for exit"), visit)
            return self._log(token, now, result, visit)
        result = self._describe(GateResult(GateVerdict.EXPIRED, f"visit {state.value}"), visit)
        return self._log(token, now, result, visit)

    def _exit(self, token: str, now: datetime, visit: Visit, reason: str = "") -> GateResult:
        return self._move(token, now, visit, S.CHECKED_OUT, GateVerdict.EXIT, reason=reason)

    def _move(
        self, token: str, now: datetime, visit: Visit, target: VisitState, verdict: GateVerdict, reason: str = ""
    ) -> GateResult:
        device = self.config.kiosk.device_id
        new, event = visit.transition(target, at=now, actor="security", device_id=device, via="gate_scan")
        leaving = target is S.CHECKED_OUT
        result = self._describe(GateResult(verdict, reason, visit.pass_id, return_id_card=leaving), visit)
        with self.db.transaction():
            self.visits.save_transition(new, event)
            self._log(token, now, result, visit)
        if leaving:
            self._free_locker(new)
        return result

    def _describe(self, result: GateResult, visit: Visit | None) -> GateResult:
        if visit is None:
            return result
        guest = self.guests.get(visit.guest_id) if visit.guest_id else None
        return replace(
            result,
            pass_id=result.pass_id or visit.pass_id,
            visit_id=visit.id,
            guest_name=guest.name if guest else "",
            photo_path=self.photo_file(visit.photo_path),
            host_name=visit.host_name,
            host_phone=self._host_phone(visit.host_id),
            locker_door=visit.locker_door,
            expires_at=visit.expires_at,
        )

    def photo_bytes(self, photo_path: str) -> bytes | None:
        """The JPEG of a verdict's or an inside-now row's photo (decrypted here, never written out in clear);
        None for none, a purged one, or a link (a visit pulled from another kiosk)."""
        return self.photos.read(photo_path)

    def photo_file(self, photo_path: str) -> str:
        """A visit's photo as a path that opens whatever the working directory: visits store it relative to
        the data folder (a pulled visit may carry a URL, kept as it is)."""
        if not photo_path or "://" in photo_path:
            return photo_path or ""
        p = Path(photo_path)
        return str(p if p.is_absolute() else self.config.data_dir / p)

    def _host_phone(self, host_id: str) -> str:
        return next((h.phone for h in self.config.hosts if h.id == host_id), "")

    def _log(self, token: str, now: datetime, result: GateResult, visit: Visit | None = None) -> GateResult:
        device = self.config.kiosk.device_id
        token_hash = hashlib.sha256(token.strip().encode("utf-8", "replace")).hexdigest()[:16]
        rec = ScanRecord(now, device, result.pass_id, visit.id if visit else "", result.verdict.value, result.reason)
        with self.db.transaction() as conn:
            self.scans.log(conn, rec, token_hash)
            if visit is not None:
                event = VisitEvent(visit.id, SCAN_EVENT, now, "security", device,
                                   data={"verdict": result.verdict.value, "reason": result.reason})  # fmt: skip
                self.visits.append_event(conn, event)
            elif result.pass_id and result.verdict is not GateVerdict.FORGED:
                # A signed pass whose visit this device does not know: the scan still travels, by pass id.
                self.visits.outbox.enqueue(
                    conn, key=f"scan:{device}:{token_hash}:{to_iso(now)}", topic=PASS_SCAN_TOPIC,
                    aggregate_id=f"pass:{result.pass_id}",
                    payload={"pass_id": result.pass_id, "device_id": device, "at": to_iso(now),
                             "verdict": result.verdict.value, "reason": result.reason},
                    at=now,
                )  # fmt: skip
        log.info("gate scan", extra={"verdict": result.verdict.value, "visit_id": result.visit_id, "offline": result.offline})
        return result

    def _free_locker(self, visit: Visit) -> None:
        """The guest left: the locker service opens the door for the belongings and frees it."""
        if visit.locker_door is None:
            return
        try:
            self.lockers.release(visit.id, actor="security")
        except Exception as exc:  # the guest still leaves; staff frees the door by hand
            log.warning("locker not freed", extra={"door": visit.locker_door, "error": type(exc).__name__})

    # --- the survey desk: scanning also checks the guest out ---

    def checkout_for_survey(self, token: str) -> str | None:
        """Scan at the survey desk: check the guest out if still open, return the visit id to link the answers."""
        done = self.survey_checkout(token)
        return done.visit_id if done is not None else None

    def survey_checkout(self, token: str) -> SurveyCheckout | None:
        """Scan (or short code) at the survey desk: check the guest out if still open; None: not a pass of ours."""
        now = self.clock.now()
        short = _short_code(token)
        if short is not None:
            pass_id = short if short not in self.passes.repo.revoked_ids() else ""
        else:
            pv = self._verify(token, now)
            trusted = pv is not None and (pv.valid or _reason_to_verdict(pv.reason) is GateVerdict.EXPIRED)
            pass_id = (getattr(pv, "pass_id", "") or "") if trusted else ""
        visit = self._lookup(pass_id)
        if visit is None:
            return None
        moved = visit.can_move_to(S.CHECKED_OUT)
        if moved:
            self._move(token, now, visit, S.CHECKED_OUT, GateVerdict.EXIT, reason="checked out at survey desk")
        return SurveyCheckout(visit.id, visit.locker_door, checked_out_now=moved)

    # --- inside now, closing time, reconciliation ---

    def inside_now(self) -> list[InsideEntry]:
        out = []
        for v in self.visits.list_in_states([S.INSIDE]):
            guest = self.guests.get(v.guest_id) if v.guest_id else None
            since = next((e.at for e in reversed(self.visits.events(v.id)) if e.to_state is S.INSIDE), v.updated_at)
            out.append(InsideEntry(v.id, guest.name if guest else "", self.photo_file(v.photo_path), v.host_name,
                                   v.locker_door, since))
        return out

    def inside_now_lines(self) -> list[str]:
        """The evacuation list as plain lines for the thermal printer (the printer service prints text lines)."""
        tz = ZoneInfo(self.config.office.timezone)
        now = self.clock.now().astimezone(tz)
        entries = self.inside_now()
        lines = [f"TAMU DI DALAM / INSIDE NOW: {len(entries)}", now.strftime("%Y-%m-%d %H:%M")]
        for e in entries:
            locker = f" L{e.locker_door}" if e.locker_door else ""
            lines.append(f"{e.since.astimezone(tz):%H:%M} {e.guest_name} -> {e.host_name}{locker}")
        return lines

    def print_inside_now(self) -> str | None:
        """The evacuation list on the thermal printer (main, then backup). Returns the printer's name, or None."""
        tz = ZoneInfo(self.config.office.timezone)
        now = self.clock.now().astimezone(tz)
        entries = self.inside_now()
        lines: list[str | tuple[str, str]] = []
        for e in entries:
            lines.append((e.guest_name or "-", e.since.astimezone(tz).strftime("%H:%M")))
            lines.append(f"  -> {e.host_name}" + (f"  (loker {e.locker_door})" if e.locker_door else ""))
        for printer in self.tickets.printers:
            doc = receipt("DI DALAM / INSIDE", lines, width_dots=printer.width_dots,
                          subtitle=f"{self.config.office.name}: {len(entries)} tamu / guests", at=now)  # fmt: skip
            try:
                printer.print_document(doc)
            except PrinterError as exc:
                log.warning("evacuation list not printed", extra={"printer": printer.name, "reason": exc.reason})
                continue
            return printer.name
        return None

    def closing_moment(self, day_of: datetime) -> datetime:
        tz = ZoneInfo(self.config.office.timezone)
        local = day_of.astimezone(tz)
        return datetime.combine(local.date(), time.fromisoformat(self.config.office.closing_time), tz)

    def auto_checkout(self) -> list[str]:
        """After closing time, close every visit still open and flag it for staff. Returns the visit ids."""
        now = self.clock.now()
        closing = self.closing_moment(now)
        if now < closing:
            return []
        device = self.config.kiosk.device_id
        done = []
        open_states = [S.REGISTERED, S.WAITING_HOST, S.ACCEPTED, S.DECLINED, S.INSIDE]
        for visit in self.visits.list_in_states(open_states):
            if visit.created_at >= closing:
                continue  # registered after closing (staff working late): not today's leftover
            target = S.CHECKED_OUT if visit.can_move_to(S.CHECKED_OUT) else S.EXPIRED
            flagged = replace(visit, flags=tuple(dict.fromkeys((*visit.flags, AUTO_CHECKOUT_FLAG))))
            new, event = flagged.transition(target, at=now, actor="system", device_id=device, auto=True,
                                            reason="open at closing time")  # fmt: skip
            self.visits.save_transition(new, event)
            if target is S.CHECKED_OUT:
                self._free_locker(new)
            done.append(visit.id)
        if done:
            log.warning("visits checked out at closing time", extra={"count": len(done)})
        return done

    def flagged_for_staff(self, since: timedelta = timedelta(days=7)) -> list[Visit]:
        now = self.clock.now().astimezone(UTC)
        rows = self.visits.list_between(now - since, now + timedelta(days=1))
        return [v for v in rows if AUTO_CHECKOUT_FLAG in v.flags]

    def reconcile(self, since: datetime | None = None) -> list[ScanConflict]:
        """Walk every device's scan events per visit: a second entry, or an entry after the exit, is reported."""
        by_visit: dict[str, list] = {}
        for ev in self.scans.scan_events(since):
            by_visit.setdefault(ev.visit_id, []).append(ev)
        # Offline scans of passes whose visit was unknown here: keyed by pass id until the visit is known.
        for ev in self.scans.offline_scan_events(since):
            visit_id = self.scans.visit_for_pass(ev.visit_id[len("pass:"):]) or ev.visit_id
            by_visit.setdefault(visit_id, []).append(ev)
        conflicts = []
        for visit_id, evs in by_visit.items():
            # An offline scan pushed later comes back as the visit's event: count each (device, time) once.
            evs = list({(e.device_id, e.at, e.verdict): e for e in sorted(evs, key=lambda e: e.at)}.values())
            entries = [e for e in evs if e.verdict == GateVerdict.ENTER]
            exits = [e for e in evs if e.verdict == GateVerdict.EXIT]
            if len(entries) > 1:
                conflicts.append(ScanConflict(visit_id, "duplicate_entry", tuple(e.device_id for e in entries),
                                              tuple(e.at for e in entries)))  # fmt: skip
            if exits and any(e.at > exits[0].at for e in entries):
                late = [e for e in entries if e.at > exits[0].at]
                conflicts.append(ScanConflict(visit_id, "entry_after_exit", tuple(e.device_id for e in late),
                                              tuple(e.at for e in late)))  # fmt: skip
        return conflicts
