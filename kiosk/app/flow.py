"""The guest's registration flow: a draft the screens fill step by step, then `complete` commits and runs the devices.

Order in `complete` (the visit is never lost): the visit and the guest's consent are committed
FIRST; then the photo is written and referenced; then a locker is opened (before printing, so the
door number is on the pass), the pass is printed and the host is notified. A failing device step
is recorded and alerted to staff, and turns into an outcome the screen can explain; it never
undoes the visit.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.app.camera_feed import open_frame_source
from kiosk.app.registration import GuestIdentity, UnknownPurpose
from kiosk.app.scanning import start_code_scanner
from kiosk.domain.errors import KioskError, NotFound
from kiosk.domain.identity import parse_identity_payload
from kiosk.domain.ktp import FieldReading, cross_check
from kiosk.domain.nik import parse_nik
from kiosk.domain.sla import CAPTURE_STARTED
from kiosk.domain.visit import Visit, VisitEvent, new_id
from kiosk.domain.words import catalog_path, load
from kiosk.files import private_dir, write_private

if TYPE_CHECKING:
    from kiosk.app.devices import DeviceServices
    from kiosk.app.ktp import KtpEvent, KtpReaderService, LiveKtpScan
    from kiosk.app.lockers import LockerService
    from kiosk.app.notifications import NotificationService
    from kiosk.app.printing import TicketService
    from kiosk.app.registration import RegistrationService
    from kiosk.config import Config, PurposeEntry
    from kiosk.domain.clock import Clock
    from kiosk.domain.ktp import KtpFlag, KtpReading
    from kiosk.store.db import Database
    from kiosk.store.guests import GuestRepository
    from kiosk.store.hosts import Host, HostRepository
    from kiosk.store.visits import VisitRepository

log = logging.getLogger(__name__)

DATA_CAPTURE_STANDARD_S = 180  # seed 000: data capture, 3 minutes
CONSENT_NOTICE_VERSION = "2026-11"
PHOTO_DIR = "photos"
_CODE_FORMATS = None


class UnreadableCode(KioskError):
    code = "unreadable_code"

    def __init__(self) -> None:
        super().__init__()


class IncompleteDraft(KioskError):
    code = "incomplete_registration"

    def __init__(self, missing: str) -> None:
        super().__init__(missing=missing)


@dataclass
class StepTiming:
    step: str
    started_at: datetime
    ended_at: datetime | None = None

    @property
    def seconds(self) -> float:
        return (self.ended_at - self.started_at).total_seconds() if self.ended_at else 0.0


@dataclass
class RegistrationDraft:
    """What the guest has told the kiosk so far; lives only in memory until `complete`."""

    id: str
    started_at: datetime
    nik: str = ""
    name: str = ""
    phone: str = ""
    institution: str = ""
    address: str = ""
    identity_source: str = ""  # manual | scan | ocr
    # What the camera read from the e-KTP's face (identity_source "ocr"): the confirm step highlights
    # its doubtful fields and asks the guest to confirm a NIK that disagrees with the printed data.
    ktp: KtpReading | None = None
    ktp_flags_confirmed: bool = False
    returning: bool = False
    purpose: str = ""
    host_id: str = ""
    host_name: str = ""
    photo: bytes | None = None
    consent: bool = False
    consent_at: datetime | None = None
    steps: list[StepTiming] = field(default_factory=list)

    def identity(self) -> GuestIdentity:
        return GuestIdentity(self.nik, self.name.strip(), self.phone.strip(), self.institution.strip(), self.address.strip())


@dataclass(frozen=True)
class StepResult:
    """How one device step went; `message` is for the guest (None when all went well)."""

    ok: bool
    code: str = ""
    text_id: str = ""
    text_en: str = ""

    def text(self, lang: str) -> str:
        return self.text_id if lang == "id" else self.text_en

    @classmethod
    def failed(cls, code: str, text_id: str, text_en: str) -> StepResult:
        return cls(False, code, text_id, text_en)

    @classmethod
    def from_error(cls, exc: BaseException, fallback_code: str) -> StepResult:
        if isinstance(exc, KioskError):
            return cls(False, exc.code, exc.text_id, exc.text_en)
        return cls(False, fallback_code, *_fault_text(fallback_code))


def _fault_text(code: str) -> tuple[str, str]:
    """The guest's words for a device step that failed (assets/i18n/strings.toml, section `fault`)."""
    entry = load(catalog_path("strings"))[f"fault.{code}"]
    return entry["id"], entry["en"]


@dataclass(frozen=True)
class FlowOutcome:
    visit: Visit
    printed: StepResult
    locker: StepResult
    notified: StepResult
    locker_door: int | None = None
    pass_id: str = ""
    photo_saved: bool = False

    @property
    def needs_desk(self) -> bool:
        """The guest must go to the PTSP desk (no pass in hand)."""
        return not self.printed.ok


# Fields of the card -> the confirm step's field that shows them.
CONFIRM_FIELD = {"nik": "nik", "name": "name", "address": "address", "rt_rw": "address", "village": "address",
                 "district": "address", "birth_place": "born", "birth_date": "born", "sex": "born"}


def ktp_born(reading: KtpReading) -> str:
    """Place and date of birth and sex as printed, for the guest to compare with the NIK."""
    place = ", ".join(p for p in (reading.value("birth_place"), reading.value("birth_date")) if p)
    return "\n".join(p for p in (place, reading.value("sex")) if p)


def ktp_address(reading: KtpReading) -> str:
    """The card's address lines as one line: street, RT/RW, village, district."""
    street, rt_rw = reading.value("address"), reading.value("rt_rw")
    parts = [street, f"RT/RW {rt_rw}" if rt_rw else "", reading.value("village"), reading.value("district")]
    return ", ".join(p for p in parts if p)


class RegistrationFlow:
    def __init__(self, *, config: Config, clock: Clock, db: Database, visits: VisitRepository,
                 guests: GuestRepository, hosts: HostRepository, registration: RegistrationService,
                 ktp_reader: KtpReaderService, lockers: LockerService, tickets: TicketService,
                 notifications: NotificationService, devices: DeviceServices, simulate: bool = False) -> None:
        self.config, self.clock, self.db, self.visits, self.guests, self.hosts = config, clock, db, visits, guests, hosts
        self.registration, self.ktp_reader = registration, ktp_reader
        self.lockers, self.tickets, self.notifications = lockers, tickets, notifications
        self.devices, self.simulate = devices, simulate
        # Tests and the demo may point a step's camera at other files (see open_camera).
        self.camera_sources: dict[str, str] = {}

    # --- the draft ---------------------------------------------------------------------------

    def start(self) -> RegistrationDraft:
        return RegistrationDraft(id=new_id(), started_at=self.clock.now())

    def enter_step(self, draft: RegistrationDraft, step: str) -> None:
        """Close the running step's timing and open `step` (going back re-opens a step: both count)."""
        now = self.clock.now()
        if draft.steps and draft.steps[-1].ended_at is None:
            if draft.steps[-1].step == step:
                return
            draft.steps[-1].ended_at = now
        draft.steps.append(StepTiming(step, now))

    def cancel(self, draft: RegistrationDraft | None, reason: str = "cancel") -> None:
        """Forget an unfinished registration; the photo only ever lived in memory."""
        if draft is None:
            return
        draft.photo = None
        draft.ktp = None
        draft.nik = draft.name = draft.phone = draft.institution = draft.address = ""
        log.info("registration abandoned", extra={"draft": draft.id, "reason": reason, "steps": len(draft.steps)})

    # --- identity ----------------------------------------------------------------------------

    def check_nik(self, text: str) -> str:
        """The 16 digits of a valid NIK, or a KioskError that says what is wrong."""
        return parse_nik(text).nik

    def set_nik(self, draft: RegistrationDraft, text: str, source: str = "manual") -> bool:
        """Validate and keep the NIK; a returning guest who consented before gets name, phone and
        institution filled in. Returns whether the guest was recognised."""
        nik = self.check_nik(text)
        if nik != draft.nik:
            draft.name = draft.phone = draft.institution = draft.address = ""
        draft.nik = nik
        draft.identity_source = source
        draft.ktp = None
        known = self.guests.find_by_nik(nik)
        draft.returning = bool(known and known.consent_at)
        if draft.returning:
            draft.name = draft.name or known.name
            draft.phone = draft.phone or known.phone
            draft.institution = draft.institution or known.institution
        return draft.returning

    def read_code(self, draft: RegistrationDraft, text: str) -> bool:
        """A scanned code (camera QR, HID or serial scanner) that carries a NIK or an identity payload."""
        found = parse_identity_payload(text)  # InvalidPayload says what is wrong with the code
        if found.nik is None:  # a KK verification link carries no NIK: the guest types it
            raise UnreadableCode()
        return self.set_nik(draft, found.nik.nik, source="scan")

    def watch_card(self, on_event: Callable[[KtpEvent], None]) -> LiveKtpScan:
        """Read the e-KTP's printed face from frames the scan screen's camera offers (kiosk/app/ktp.py)."""
        return self.ktp_reader.watch(on_event)

    def apply_ktp(self, draft: RegistrationDraft, reading: KtpReading) -> bool:
        """Fill the draft from a card the camera read. A NIK that breaks the NIK rules is kept as read for
        the guest to correct on the confirm step (which will not go on until it is valid). Returns whether
        the guest was recognised."""
        nik = reading.value("nik")
        returning = False
        try:
            returning = self.set_nik(draft, nik, source="ocr")
        except KioskError:
            draft.name = draft.phone = draft.institution = draft.address = ""
            draft.nik, draft.identity_source, draft.returning = nik, "ocr", False
        draft.ktp, draft.ktp_flags_confirmed = reading, False
        # The card is today's truth for name and address; phone and institution come from a past visit.
        draft.name = reading.value("name") or draft.name
        draft.address = ktp_address(reading) or draft.address
        return returning

    def ktp_flags(self, draft: RegistrationDraft) -> list[KtpFlag]:
        """What still disagrees between the draft's NIK (as corrected by the guest) and the printed card."""
        if draft.ktp is None:
            return []
        fields = dict(draft.ktp.fields)
        fields["nik"] = FieldReading(draft.nik, 1.0)
        return cross_check(fields, today=self.clock.now().date())

    def ktp_checks(self, draft: RegistrationDraft) -> set[str]:
        """The confirm step's fields the guest must look at: read with doubt, missing, or in disagreement
        with the NIK (nik, name, address, born)."""
        if draft.ktp is None:
            return set()
        doubtful = set(draft.ktp.low_confidence())
        checks = {CONFIRM_FIELD.get(name, "") for name in doubtful} - {""}
        for flag in self.ktp_flags(draft):
            checks.add("nik")
            if flag.field in ("birth_date", "sex"):
                checks.add("born")
        return checks

    def correct_nik(self, draft: RegistrationDraft, text: str) -> None:
        """The guest typed over the NIK read from the card on the confirm step; the rest of the draft stays."""
        nik = self.check_nik(text)
        if nik != draft.nik:
            draft.nik, draft.ktp_flags_confirmed = nik, False

    def confirm_ktp_flags(self, draft: RegistrationDraft, flags: list[KtpFlag]) -> None:
        """The guest looked at the highlighted disagreement and said the data is right."""
        draft.ktp_flags_confirmed = True
        log.info("ktp disagreement confirmed by guest", extra={"draft": draft.id, "flags": [f.code for f in flags]})

    # --- purpose and host --------------------------------------------------------------------

    def purposes(self) -> list[PurposeEntry]:
        return list(self.config.purposes)

    def purpose(self, purpose_id: str) -> PurposeEntry | None:
        return next((p for p in self.config.purposes if p.id == purpose_id), None)

    def choose_purpose(self, draft: RegistrationDraft, purpose_id: str) -> bool:
        """Keep the purpose; True when it is a complaint that goes to the Head of Intelligence (seed 002),
        who is then set as the host (the guest does not pick one)."""
        entry = self.purpose(purpose_id)
        if entry is None:
            raise UnknownPurpose(purpose_id)
        draft.purpose = entry.id
        intel = self.config.notifier.intel_head_host_id
        if entry.routes_to_intel and intel:
            host = self.hosts.get(intel)
            draft.host_id, draft.host_name = intel, host.name if host else intel
            return True
        if draft.host_id == intel:
            draft.host_id = draft.host_name = ""
        return False

    def find_hosts(self, text: str = "") -> list[Host]:
        return self.hosts.search(text) if text.strip() else self.hosts.active()

    def choose_host(self, draft: RegistrationDraft, host_id: str) -> None:
        host = self.hosts.get(host_id)
        if host is None:
            raise NotFound("Host", host_id)
        draft.host_id, draft.host_name = host.id, host.name

    # --- photo and consent -------------------------------------------------------------------

    def open_camera(self, step: str):
        """A frame source for the scan or photo step (BGR frames), from the configured camera."""
        return open_frame_source(self.config, self.camera_sources.get(step), simulate=self.simulate, step=step,
                                 camera=self.devices.camera)

    def decode_code(self, frame) -> str | None:
        """The text of a QR (or PDF417) code in a camera frame, if any."""
        import zxingcpp  # native decoder: loaded at the first camera frame, not at start

        global _CODE_FORMATS
        if _CODE_FORMATS is None:
            _CODE_FORMATS = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.PDF417)
        found = zxingcpp.read_barcodes(frame, formats=_CODE_FORMATS)
        return found[0].text if found else None

    def start_scanner(self, on_code) -> object | None:
        """Listen to the HID/serial scanner service, calling `on_code(text)` from its thread; `.stop()` ends it."""
        return start_code_scanner(self.devices.scanner, on_code)

    @cached_property
    def faces(self):
        from kiosk.app.faces import FaceFinder  # OpenCV: loaded when the photo step opens

        return FaceFinder()

    def portrait(self, frame, face) -> bytes:
        """The photo kept with the visit: head and shoulders around the face, JPEG."""
        from kiosk.app.faces import portrait_jpeg  # OpenCV: loaded when the photo step opens

        return portrait_jpeg(frame, face)

    def retention_days(self) -> int:
        return self.config.privacy.retention_days

    def give_consent(self, draft: RegistrationDraft) -> None:
        draft.consent = True
        draft.consent_at = self.clock.now()

    # --- the end -----------------------------------------------------------------------------

    def complete(self, draft: RegistrationDraft) -> FlowOutcome:
        """Commit the visit first, then photo, locker, pass and host notice (see the module doc)."""
        for name, value in (("nik", draft.nik), ("name", draft.name.strip()), ("purpose", draft.purpose),
                            ("host", draft.host_id)):
            if not value:
                raise IncompleteDraft(name)
        if not draft.consent:
            raise IncompleteDraft("consent")
        self.enter_step(draft, "finish")
        visit = self.registration.register(
            draft.identity(), purpose=draft.purpose, host_id=draft.host_id, host_name=draft.host_name, consent=True
        )
        photo_saved = self._record_capture(draft, visit)
        visit = self.visits.get(visit.id)
        locker, door = self._open_locker(visit)
        printed, pass_id = self._print_pass(visit)
        notified = self._notify_host(visit)
        draft.photo = None
        outcome = FlowOutcome(self.visits.get(visit.id), printed, locker, notified, door, pass_id, photo_saved)
        log.info(
            "registration complete",
            extra={"visit_id": visit.id, "printed": printed.ok, "locker": door, "notified": notified.ok},
        )
        return outcome

    def photo_path(self, visit: Visit) -> Path | None:
        return self.config.data_dir / visit.photo_path if visit.photo_path else None

    def _record_capture(self, draft: RegistrationDraft, visit: Visit) -> bool:
        """Step timings, the consent's legal basis, and the photo file referenced by the visit."""
        cfg = self.config
        rel = ""
        if draft.photo:
            rel = f"{PHOTO_DIR}/{visit.id}.jpg"
            path = cfg.data_dir / rel
            private_dir(path.parent)  # a guest's face: 0600 in a 0700 folder whatever the umask
            tmp = path.with_suffix(".tmp")
            write_private(tmp, draft.photo)
            tmp.replace(path)
        capture_end = draft.steps[-1].started_at if draft.steps else draft.started_at
        capture_s = (capture_end - draft.started_at).total_seconds()
        # The service report (kiosk.app.service_report) measures data capture from this event's time to the registration.
        started = VisitEvent(visit.id, "step", draft.started_at, "guest", cfg.kiosk.device_id,
                             data={"step": CAPTURE_STARTED})
        events = [started]
        events += [self._event(visit, "step", step=s.step, seconds=round(s.seconds, 3)) for s in draft.steps if s.ended_at]
        events.append(self._event(visit, "step", step="data_capture", seconds=round(capture_s, 3),
                                  standard_s=DATA_CAPTURE_STANDARD_S, within=capture_s <= DATA_CAPTURE_STANDARD_S))
        events.append(self._event(
            visit, "consent", basis="consent", notice=CONSENT_NOTICE_VERSION, retention_days=cfg.privacy.retention_days,
            purpose="guest registration and building security", photo=bool(rel),
            given_at=(draft.consent_at or self.clock.now()).isoformat(),
        ))
        if rel:
            events.append(self._event(visit, "photo_saved", path=rel))
        else:
            events.append(self._event(visit, "staff_alert", code="no_photo"))
        with self.db.transaction() as conn:
            if rel:
                self.visits.update(conn, replace(visit, photo_path=rel))
            for event in events:
                # Timings and consent stay local (the service report reads them); alerts go out.
                self.visits.append_event(conn, event, outbox=event.kind == "staff_alert")
        return bool(rel)

    def _event(self, visit: Visit, kind: str, **data: Any) -> VisitEvent:
        return VisitEvent(visit.id, kind, self.clock.now(), "guest", self.config.kiosk.device_id, data=data)

    def alert_staff(self, code: str, visit_id: str | None = None) -> None:
        """Tell the PTSP staff something needs a person (device fault); through the outbox, never lost."""
        log.warning("staff alert", extra={"code": code, "visit_id": visit_id})
        cfg = self.config
        with self.db.transaction() as conn:
            if visit_id:
                event = VisitEvent(visit_id, "staff_alert", self.clock.now(), "kiosk", cfg.kiosk.device_id,
                                   data={"code": code})
                self.visits.append_event(conn, event)
            else:
                self.visits.outbox.enqueue(
                    conn, key=f"alert:{new_id()}", topic="staff.alert", aggregate_id=f"device:{cfg.kiosk.device_id}",
                    payload={"code": code, "device_id": cfg.kiosk.device_id}, at=self.clock.now(),
                )

    def _open_locker(self, visit: Visit) -> tuple[StepResult, int | None]:
        if self.config.devices.lockers.kind == "none":
            return StepResult(True, "no_lockers"), None
        try:
            assignment = self.lockers.assign_and_open(visit.id)
        except Exception as exc:  # a device step never undoes the visit
            result = StepResult.from_error(exc, "locker_fault")
            log.warning("no locker", extra={"visit_id": visit.id, "code": result.code}, exc_info=not isinstance(exc, KioskError))
            self.alert_staff(result.code, visit.id)
            return result, None
        return StepResult(True), assignment.door

    def _print_pass(self, visit: Visit) -> tuple[StepResult, str]:
        if self.config.devices.printer.kind == "none":
            self.alert_staff("printer_missing", visit.id)
            return StepResult.failed("printer_missing", *_fault_text("printer_missing")), ""
        try:
            printed = self.tickets.issue_and_print(visit.id)
        except Exception as exc:
            result = StepResult.from_error(exc, "printer_fault")
            log.warning("pass not printed", extra={"visit_id": visit.id, "code": result.code}, exc_info=not isinstance(exc, KioskError))
            self.alert_staff(result.code, visit.id)
            return result, ""
        # PrintOutcome (kiosk/app/printing.py): printed, reason, message_id/message_en for the guest.
        if printed.printed:
            return StepResult(True), printed.pass_id
        code = printed.reason or "printer_fault"
        fallback_id, fallback_en = _fault_text("printer_fault")
        self.alert_staff(code, visit.id)
        return StepResult.failed(code, printed.message_id or fallback_id, printed.message_en or fallback_en), printed.pass_id

    def _notify_host(self, visit: Visit) -> StepResult:
        try:
            self.notifications.notify_host(visit.id)
        except Exception as exc:
            result = StepResult.from_error(exc, "notify_fault")
            log.warning("host not notified", extra={"visit_id": visit.id, "code": result.code}, exc_info=not isinstance(exc, KioskError))
            self.alert_staff(result.code, visit.id)
            return result
        return StepResult(True)

