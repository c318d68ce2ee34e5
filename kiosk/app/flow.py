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
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kiosk.app.camera_feed import open_frame_source
from kiosk.app.registration import UnknownPurpose
from kiosk.app.scanning import start_code_scanner
from kiosk.devices.barcode import DecoderUnavailable, make_decoder
from kiosk.domain.errors import KioskError, NotFound
from kiosk.domain.ktp import FieldReading, cross_check
from kiosk.domain.registration import (
    CONSENT_NOTICE_VERSION,
    CONSENT_PURPOSE,
    DATA_CAPTURE_STANDARD_S,
    IncompleteDraft,
    RegistrationDraft,
    StepTiming,
    card_address,
    card_born,
    card_checks,
)
from kiosk.domain.sla import CAPTURE_STARTED
from kiosk.domain.tokens import KIND_INVITATION, peek_kind
from kiosk.domain.visit import Visit, VisitEvent, new_id
from kiosk.domain.words import catalog_path, load

if TYPE_CHECKING:
    from kiosk.app.devices import DeviceServices
    from kiosk.app.identity import IdentityService
    from kiosk.app.invitations import InvitationService
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
    from kiosk.store.photos import PhotoFiles
    from kiosk.store.visits import VisitRepository

__all__ = ["FlowOutcome", "IncompleteDraft", "RegistrationDraft", "RegistrationFlow", "StepResult", "StepTiming",
           "UnreadableCode", "card_born"]

log = logging.getLogger(__name__)


class UnreadableCode(KioskError):
    code = "unreadable_code"

    def __init__(self) -> None:
        super().__init__()


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


class RegistrationFlow:
    """Orchestrates one guest's registration; the rules live in kiosk.domain.registration."""

    def __init__(self, *, config: Config, clock: Clock, db: Database, visits: VisitRepository,
                 guests: GuestRepository, hosts: HostRepository, registration: RegistrationService,
                 identity: IdentityService, invitations: InvitationService,
                 ktp_reader: KtpReaderService, lockers: LockerService, tickets: TicketService,
                 notifications: NotificationService, devices: DeviceServices, photos: PhotoFiles,
                 simulate: bool = False) -> None:
        self.config, self.clock, self.db, self.visits, self.guests, self.hosts = config, clock, db, visits, guests, hosts
        self.registration, self.identity, self.invitations = registration, identity, invitations
        self.ktp_reader, self.lockers, self.tickets, self.notifications = ktp_reader, lockers, tickets, notifications
        self.devices, self.simulate, self.photos = devices, simulate, photos
        # Tests and the demo may point a step's camera at other files (see open_camera).
        self.camera_sources: dict[str, str] = {}
        self._decoder = None

    # --- the draft ---------------------------------------------------------------------------

    def start(self) -> RegistrationDraft:
        return RegistrationDraft(id=new_id(), started_at=self.clock.now())

    def enter_step(self, draft: RegistrationDraft, step: str) -> None:
        draft.enter_step(step, self.clock.now())

    def cancel(self, draft: RegistrationDraft | None, reason: str = "cancel") -> None:
        """Forget an unfinished registration; the photo only ever lived in memory."""
        if draft is None:
            return
        draft.forget()
        log.info("registration abandoned", extra={"draft": draft.id, "reason": reason, "steps": len(draft.steps)})

    # --- consent: before anything is captured ------------------------------------------------

    def retention_days(self) -> int:
        return self.config.privacy.retention_days

    def consent_version(self) -> str:
        return CONSENT_NOTICE_VERSION

    def give_consent(self, draft: RegistrationDraft) -> None:
        draft.give_consent(self.clock.now())

    # --- identity ----------------------------------------------------------------------------

    def check_nik(self, text: str) -> str:
        """The 16 digits of a valid NIK, or a KioskError that says what is wrong (and which digits)."""
        return self.identity.parse_nik(text).nik

    def set_nik(self, draft: RegistrationDraft, text: str, source: str = "manual") -> bool:
        """Validate and keep the NIK. Nothing stored about it is shown yet: returns whether the guest must
        now answer the proof question (last 4 phone digits, or "first visit")."""
        draft.require_consent()
        nik = self.check_nik(text)
        draft.set_identity(nik, source, self.identity.stored(nik))  # type: ignore[arg-type]
        return draft.needs_proof()

    def prove_by_phone(self, draft: RegistrationDraft, digits: str) -> None:
        """Right digits fill the draft from the last visit; wrong ones raise WrongProof, then ProofLocked."""
        self.identity.prove_by_phone(draft, digits)

    def skip_proof(self, draft: RegistrationDraft) -> None:
        draft.skip_proof()

    def read_code(self, draft: RegistrationDraft, text: str) -> str:
        """A scanned code (camera QR, HID or serial scanner): an invitation ("invitation") or a code that
        carries a NIK ("identity"). Raises a KioskError that says what is wrong with it."""
        draft.require_consent()
        token = text.strip()
        try:
            kind = peek_kind(token)
        except Exception:  # not one of our tokens: an identity document's code
            kind = None
        if kind == KIND_INVITATION:
            self.accept_invitation(draft, token)
            return "invitation"
        found = self.identity.from_code(text)  # InvalidPayload says what is wrong with the code
        if found.nik is None:  # a KK verification link carries no NIK: the guest types it
            raise UnreadableCode()
        self.set_nik(draft, found.nik.nik, source="scan")
        return "identity"

    def accept_invitation(self, draft: RegistrationDraft, token: str) -> None:
        """Our signed pre-registration: purpose and host come from it; the guest still shows who they are."""
        invite = self.invitations.open(token)  # InvalidInvitation says why not
        draft.accept_invitation(invite.id, purpose=invite.purpose, host_id=invite.host_id,
                                host_name=invite.host_name, nik=invite.nik, name=invite.name, phone=invite.phone)
        log.info("invitation accepted", extra={"draft": draft.id, "invitation": invite.id})

    def watch_card(self, on_event: Callable[[KtpEvent], None]) -> LiveKtpScan:
        """Read the e-KTP's printed face from frames the scan screen's camera offers (kiosk/app/ktp.py)."""
        return self.ktp_reader.watch(on_event)

    def apply_ktp(self, draft: RegistrationDraft, reading: KtpReading) -> bool:
        """Fill the draft from a card the camera read. A NIK that breaks the NIK rules is kept as read for
        the guest to correct on the confirm step (which will not go on until it is valid). A stored guest
        whose NIK and name the card matches is proven: returns whether the guest was recognised."""
        draft.require_consent()
        nik = reading.value("nik")
        try:
            nik = self.check_nik(nik)
            known = self.identity.stored(nik)
        except KioskError:
            known = None
        draft.set_identity(nik, "ocr", known)
        proven = self.identity.prove_by_card(draft, reading)
        draft.ktp, draft.ktp_flags_confirmed = reading, False
        # The card is today's truth for name and address; phone and institution come from a past visit.
        draft.name = reading.value("name") or draft.name
        draft.address = card_address(reading) or draft.address
        return proven

    def ktp_flags(self, draft: RegistrationDraft) -> list[KtpFlag]:
        """What still disagrees between the draft's NIK (as corrected by the guest) and the printed card."""
        if draft.ktp is None:
            return []
        fields = dict(draft.ktp.fields)
        read = fields.get("nik")
        # The guest's NIK as read keeps its other reads (a disagreement stays listed); a typed one has none.
        fields["nik"] = read if read is not None and read.value == draft.nik else FieldReading(draft.nik, 1.0)
        return cross_check(fields, today=self.identity.today())

    def ktp_checks(self, draft: RegistrationDraft) -> set[str]:
        """The confirm step's fields the guest must look at (nik, name, address, born)."""
        return card_checks(draft.ktp, self.ktp_flags(draft))

    def correct_nik(self, draft: RegistrationDraft, text: str) -> None:
        """The guest typed over the NIK read from the card on the confirm step; the rest of the draft stays."""
        nik = self.check_nik(text)
        if nik != draft.nik:
            if draft.invitation_nik and nik != draft.invitation_nik:
                from kiosk.domain.registration import InvitationMismatch

                raise InvitationMismatch()
            draft.nik, draft.ktp_flags_confirmed = nik, False

    def confirm_details(self, draft: RegistrationDraft, *, asked: bool) -> list[KtpFlag]:
        """The guest tapped "Data benar": names and phone are checked (InvalidName, InvalidPhone); a card that
        disagrees with its NIK is returned to be shown and confirmed by a second tap (`asked`). An empty
        list: go on to `next_after_confirm`."""
        draft.check_details()
        flags = self.ktp_flags(draft)
        if draft.review_card(flags, asked=asked):
            if flags:
                log.info("ktp disagreement confirmed by guest",
                         extra={"draft": draft.id, "flags": [f.code for f in flags]})
            return []
        return flags

    def next_after_confirm(self, draft: RegistrationDraft) -> str:
        """The next screen: "photo" (an invitation said purpose and host), "host" (the fast lane keeps the
        last purpose of a proven returning guest) or "purpose"."""
        return draft.next_after_confirm({p.id: p.routes_to_intel for p in self.config.purposes})

    def born_text(self, draft: RegistrationDraft) -> str:
        return card_born(draft.ktp) if draft.ktp else ""

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
        intel_id = self.config.notifier.intel_head_host_id
        intel = None
        if intel_id:
            host = self.hosts.get(intel_id)
            intel = (intel_id, host.name if host else intel_id)
        return draft.choose_purpose(entry.id, routes_to_intel=entry.routes_to_intel, intel_host=intel)

    def find_hosts(self, text: str = "", draft: RegistrationDraft | None = None) -> list[Host]:
        """Hosts by name or section; with no search, the last visit's host first for a proven returning guest."""
        if text.strip():
            return self.hosts.search(text)
        hosts = self.hosts.active()
        first = draft.suggested_host() if draft is not None else ""
        return sorted(hosts, key=lambda h: h.id != first) if first else hosts

    def choose_host(self, draft: RegistrationDraft, host_id: str) -> None:
        host = self.hosts.get(host_id)
        if host is None:
            raise NotFound("Host", host_id)
        draft.host_id, draft.host_name = host.id, host.name

    # --- cameras, codes, photo ---------------------------------------------------------------

    def photo_on_pass(self) -> bool:
        """Whether the guest's photo is printed on the pass (a badge always shows it; a receipt with print_photo)."""
        printer = self.config.devices.printer
        return printer.kind != "none" and (printer.pass_layout == "badge" or printer.print_photo)

    def open_camera(self, step: str):
        """A frame source for the scan or photo step (BGR frames), from the configured camera."""
        return open_frame_source(self.config, self.camera_sources.get(step), simulate=self.simulate, step=step,
                                 camera=self.devices.camera)

    def decode_code(self, frame) -> str | None:
        """The text of a code in a camera frame, with the configured decoder and symbologies
        (`devices.scanner.decoder`, `devices.scanner.symbologies`); None when there is none."""
        if self._decoder is None:
            scanner = self.config.devices.scanner
            try:
                self._decoder = make_decoder(scanner.decoder, scanner.symbologies)
            except DecoderUnavailable as exc:
                log.warning("code decoder unavailable", extra={"code": exc.code, "decoder": scanner.decoder})
                self._decoder = False
        if not self._decoder:
            return None
        found = self._decoder.decode(frame)
        if not found:
            return None
        data = found[0].data
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("latin-1")

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

    def reusable_photo(self, draft: RegistrationDraft) -> bytes | None:
        """A proven returning guest's recent photo (at most `privacy.photo_reuse_days` old), to offer again."""
        visit_id = draft.reusable_photo(self.clock.now(), self.config.privacy.photo_reuse_days)
        visit = self.visits.find(visit_id) if visit_id else None
        return self.photos.read(visit.photo_path) if visit else None

    def reuse_photo(self, draft: RegistrationDraft, photo: bytes) -> None:
        """The guest agreed to keep their last photo for this visit."""
        draft.photo = photo
        draft.photo_reused_from = draft.reusable_photo(self.clock.now(), self.config.privacy.photo_reuse_days)

    # --- the end -----------------------------------------------------------------------------

    def complete(self, draft: RegistrationDraft) -> FlowOutcome:
        """Commit the visit first, then photo, locker, pass and host notice (see the module doc)."""
        draft.require_complete()
        self.enter_step(draft, "finish")
        visit = self.registration.register(
            draft.details(), purpose=draft.purpose, host_id=draft.host_id, host_name=draft.host_name, consent=True,
            consent_at=draft.consent_first_given or draft.consent_at,
        )
        photo_saved = self._record_capture(draft, visit)
        if draft.invitation_id:
            self.invitations.mark_used(draft.invitation_id, visit.id)
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

    def _record_capture(self, draft: RegistrationDraft, visit: Visit) -> bool:
        """Step timings, the consent's legal basis, and the photo file referenced by the visit."""
        cfg = self.config
        rel = ""
        if draft.photo:
            rel = self.photos.save(visit.id, draft.photo)  # encrypted, 0600 in a 0700 folder
        capture_s = draft.capture_seconds()
        # The service report measures data capture from this event's time to the registration.
        started = VisitEvent(visit.id, "step", draft.started_at, "guest", cfg.kiosk.device_id,
                             data={"step": CAPTURE_STARTED})
        events = [started]
        events += [self._event(visit, "step", step=s.step, seconds=round(s.seconds, 3)) for s in draft.steps if s.ended_at]
        events.append(self._event(visit, "step", step="data_capture", seconds=round(capture_s, 3),
                                  standard_s=DATA_CAPTURE_STANDARD_S, within=draft.capture_within_standard()))
        first = draft.consent_first_given
        events.append(self._event(
            visit, "consent", basis="consent", notice=draft.consent_version or CONSENT_NOTICE_VERSION,
            retention_days=cfg.privacy.retention_days, purpose=CONSENT_PURPOSE, photo=bool(rel),
            given_at=(draft.consent_at or self.clock.now()).isoformat(),
            first_given_at=first.isoformat() if first else None,
            returning=draft.proven or "", photo_reused=bool(draft.photo_reused_from),
            invitation=draft.invitation_id or None,
        ))
        if rel:
            events.append(self._event(visit, "photo_saved", path=rel))
        else:
            events.append(self._event(visit, "staff_alert", code="no_photo"))
        if draft.invitation_id:  # central marks the desk's invitation used, and tells the office's other devices
            events.append(self._event(visit, "invitation_used", invitation=draft.invitation_id))
        with self.db.transaction() as conn:
            if rel:
                self.visits.update(conn, replace(visit, photo_path=rel))
            for event in events:
                # Timings and consent stay local (the service report reads them); alerts and the invitation go out.
                self.visits.append_event(conn, event, outbox=event.kind in ("staff_alert", "invitation_used"))
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

