"""A guest's registration before it is committed: the draft and the rules it obeys. Pure: no I/O, no clock.

The screens fill the draft step by step; `kiosk.app.flow` orchestrates, this module decides:
- which details a registration needs (`RegistrationDraft.missing`) and how names and phone numbers look;
- consent first: the UU PDP notice is agreed to before anything personal is captured, and the version
  of the notice the guest agreed to is recorded with the time;
- a returning guest's stored details are shown only after the guest proved it is them (the KTP read
  matches the stored identity, or the last 4 digits of the stored phone number), never for a NIK alone;
- the complaint route: a complaint goes to the Head of Intelligence, the guest does not pick a host;
- the fast lane: a proven returning guest may keep the last purpose and reuse a recent photo;
- a KTP read that disagrees with its own NIK is confirmed with a second tap, never silently;
- the data-capture time measured against the service standard (seed 000: 3 minutes).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from kiosk.domain.errors import KioskError
from kiosk.domain.ktp import KtpFlag, KtpReading

# The version of the UU PDP notice the consent screen shows; a new text needs a new version.
CONSENT_NOTICE_VERSION = "2026-12"
CONSENT_PURPOSE = "guest registration, host notification by WhatsApp, central buku tamu, building security"
DATA_CAPTURE_STANDARD_S = 180  # seed 000: data capture, 3 minutes
PROOF_ATTEMPTS = 3  # wrong phone digits before the stored details stay hidden for this NIK
PROOF_LOCKOUT = timedelta(minutes=15)
REQUIRED = ("consent", "nik", "name", "purpose", "host")

NAME_MAX = 80
# Letters of any script, spaces and the marks names carry (Ni Luh Putu, A.A. Gde, Ma'ruf, Siti-Nur).
_NAME = re.compile(r"[^\W\d_](?:[^\W\d_]|[ .'\-,])*")
PHONE_DIGITS = (8, 15)

IdentitySource = Literal["", "manual", "scan", "ocr", "invitation"]
ProofMethod = Literal["", "ktp", "phone"]


class IncompleteDraft(KioskError):
    code = "incomplete_registration"

    def __init__(self, missing: str) -> None:
        super().__init__(missing=missing)


class InvitationMismatch(KioskError):
    code = "invitation_mismatch"

    def __init__(self) -> None:
        super().__init__()


class InvalidName(KioskError):
    code = "invalid_name"

    def __init__(self, reason: str) -> None:  # empty | too_short | too_long | characters
        super().__init__(reason=reason, max_length=NAME_MAX)
        self.reason = reason

    @property
    def text_key(self) -> str:
        return f"{self.code}.{self.reason}"


class InvalidPhone(KioskError):
    code = "invalid_phone"

    def __init__(self) -> None:
        super().__init__()


class ProofLocked(KioskError):
    """Too many wrong phone digits: the stored details stay hidden; the guest fills the form by hand."""

    code = "proof_locked"

    def __init__(self) -> None:
        super().__init__()


class WrongProof(KioskError):
    code = "proof_wrong"

    def __init__(self, left: int) -> None:
        super().__init__(left=left)
        self.left = left


def normalize_name(text: str) -> str:
    """The name as stored: single spaces, no leading/trailing space; raises InvalidName."""
    name = " ".join(text.split())
    if not name:
        raise InvalidName("empty")
    if len(name) > NAME_MAX:
        raise InvalidName("too_long")
    if not _NAME.fullmatch(name):
        raise InvalidName("characters")
    if len(name) < 2:
        raise InvalidName("too_short")
    return name


def normalize_phone(text: str) -> str:
    """A phone number as stored: digits (a leading + kept), spaces and dashes dropped; empty is allowed."""
    phone = re.sub(r"[\s\-.()]", "", text)
    if not phone:
        return ""
    digits = phone[1:] if phone.startswith("+") else phone
    if not (digits.isascii() and digits.isdigit() and PHONE_DIGITS[0] <= len(digits) <= PHONE_DIGITS[1]):
        raise InvalidPhone()
    return phone


def same_name(a: str, b: str) -> bool:
    """Two spellings of one name (case, spacing and punctuation aside): the KTP read against the stored name."""
    def key(s: str) -> str:
        return "".join(ch for ch in s.upper() if ch.isalpha())

    return bool(key(a)) and key(a) == key(b)


def phone_digits_match(stored_phone: str, typed: str) -> bool:
    """The guest's proof: the last 4 digits of the phone number stored with their last visit."""
    digits = "".join(ch for ch in stored_phone if ch.isdigit())
    typed = typed.strip()
    return len(digits) >= 4 and len(typed) == 4 and typed.isdigit() and digits[-4:] == typed


@dataclass(frozen=True)
class GuestIdentity:
    nik: str
    name: str
    phone: str = ""
    institution: str = ""
    address: str = ""


@dataclass(frozen=True)
class StoredGuest:
    """What the kiosk keeps about a returning guest; shown only once the guest has proved it is them."""

    guest_id: int
    nik: str
    name: str
    phone: str
    institution: str
    address: str
    consent_at: datetime | None
    last_purpose: str = ""
    last_host_id: str = ""
    last_host_name: str = ""
    last_photo_at: datetime | None = None  # when the most recent photo kept for this guest was taken
    last_photo_visit: str = ""

    def ktp_matches(self, reading: KtpReading, nik: str) -> bool:
        """The card just read is this guest's: same NIK, same name as stored."""
        return nik == self.nik and same_name(reading.value("name"), self.name)


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
    """What the guest has told the kiosk so far; lives only in memory until it is committed."""

    id: str
    started_at: datetime
    # Consent comes first: nothing below is filled before `consent_at` is set.
    consent: bool = False
    consent_at: datetime | None = None
    consent_version: str = ""
    nik: str = ""
    name: str = ""
    phone: str = ""
    institution: str = ""
    address: str = ""
    identity_source: IdentitySource = ""
    # What the camera read from the e-KTP's face (identity_source "ocr"): the confirm step highlights
    # its doubtful fields and asks the guest to confirm a NIK that disagrees with the printed data.
    ktp: KtpReading | None = None
    ktp_flags_confirmed: bool = False
    # A stored guest with this NIK; its details reach the fields only when `proven` is set.
    known: StoredGuest | None = None
    proven: ProofMethod = ""
    proof_done: bool = False  # the proof step was passed: proved, skipped ("first visit") or locked
    purpose: str = ""
    host_id: str = ""
    host_name: str = ""
    invitation_id: str = ""  # a pre-registration scanned at the first step filled purpose and host
    invitation_nik: str = ""  # the NIK the pre-registration names, if any: the guest's must be the same
    invitation_name: str = ""  # the name and phone the host typed when inviting: they fill empty fields
    invitation_phone: str = ""
    photo: bytes | None = None
    photo_reused_from: str = ""  # the visit whose photo the guest agreed to reuse
    steps: list[StepTiming] = field(default_factory=list)

    # --- consent ---

    def give_consent(self, at: datetime, version: str = CONSENT_NOTICE_VERSION) -> None:
        self.consent, self.consent_at, self.consent_version = True, at, version

    def require_consent(self) -> None:
        """Nothing personal is captured before the guest agreed to the notice."""
        if not self.consent:
            raise IncompleteDraft("consent")

    # --- identity ---

    @property
    def returning(self) -> bool:
        """A returning guest who proved it is them (their stored details are shown)."""
        return self.known is not None and bool(self.proven)

    def set_identity(self, nik: str, source: IdentitySource, known: StoredGuest | None) -> None:
        """A new NIK: whatever the draft held about another person is forgotten; a stored guest waits for proof.
        Raises InvitationMismatch when the scanned invitation names another NIK."""
        if self.invitation_nik and nik != self.invitation_nik:
            raise InvitationMismatch()
        if nik != self.nik:
            self.name = self.phone = self.institution = self.address = ""
            self.photo, self.photo_reused_from = None, ""
        self._fill_from_invitation()
        self.nik, self.identity_source, self.ktp = nik, source, None
        self.known, self.proven, self.proof_done = known, "", False

    def prove(self, method: ProofMethod) -> None:
        """The guest proved it is them: the stored details fill the empty fields."""
        known = self.known
        if known is None:
            return
        self.proven, self.proof_done = method, True
        self.name = self.name or known.name
        self.phone = self.phone or known.phone
        self.institution = self.institution or known.institution

    def needs_proof(self) -> bool:
        """A typed or scanned NIK asks every guest the same question (last 4 phone digits, or "first visit"),
        known or not: the screen itself must not tell a stranger that this NIK has been here before."""
        return self.identity_source in ("manual", "scan", "invitation") and not self.proof_done

    def skip_proof(self) -> None:
        """First visit, or the guest would rather type: nothing stored is shown."""
        self.proof_done = True

    @property
    def consent_first_given(self) -> datetime | None:
        """The date a proven returning guest first agreed (shown to them); None for anyone else."""
        return self.known.consent_at if self.returning and self.known else None

    def details(self) -> GuestIdentity:
        return GuestIdentity(self.nik, self.name.strip(), self.phone.strip(), self.institution.strip(),
                             self.address.strip())

    def check_details(self) -> None:
        """Name and phone as the confirm step takes them (normalised in place); raises InvalidName/InvalidPhone."""
        self.name = normalize_name(self.name)
        self.phone = normalize_phone(self.phone)
        self.institution = " ".join(self.institution.split())
        self.address = " ".join(self.address.split())

    def review_card(self, flags: list[KtpFlag], *, asked: bool) -> bool:
        """The "confirm twice" rule: a KTP read that disagrees with its NIK is never taken silently. False: show
        the disagreement and ask again; True: go on (nothing to confirm, or this is the second tap)."""
        if not flags or self.ktp_flags_confirmed:
            return True
        if not asked:
            return False
        self.ktp_flags_confirmed = True
        return True

    # --- purpose, host and the fast lane ---

    def accept_invitation(self, invitation_id: str, *, purpose: str, host_id: str, host_name: str,
                          nik: str = "", name: str = "", phone: str = "") -> None:
        """A pre-registration fills purpose and host, and the name and phone the host typed where the guest
        has given none (a KTP read later still puts the card's name); the guest still shows who they are. A
        NIK already in the draft must be the invited one."""
        if nik and self.nik and self.nik != nik:
            raise InvitationMismatch()
        self.invitation_id, self.invitation_nik = invitation_id, nik
        self.invitation_name, self.invitation_phone = name, phone
        self.purpose, self.host_id, self.host_name = purpose, host_id, host_name
        self._fill_from_invitation()

    def _fill_from_invitation(self) -> None:
        self.name = self.name or self.invitation_name
        self.phone = self.phone or self.invitation_phone

    def next_after_confirm(self, purposes_by_intel: dict[str, bool]) -> str:
        """Where the guest goes after confirming the details: an invitation already says purpose and host
        (straight to the photo); the fast lane keeps the last purpose (to the host); else the purpose."""
        if self.invitation_id and self.purpose and self.host_id:
            return "photo"
        if self.fast_lane(purposes_by_intel):
            return "host"
        return "purpose"

    def choose_purpose(self, purpose_id: str, *, routes_to_intel: bool, intel_host: tuple[str, str] | None) -> bool:
        """Keep the purpose; True when it is a complaint: the Head of Intelligence becomes the host (the guest
        does not pick one)."""
        self.purpose = purpose_id
        if routes_to_intel and intel_host:
            self.host_id, self.host_name = intel_host
            return True
        if intel_host and self.host_id == intel_host[0]:
            self.host_id = self.host_name = ""
        return False

    def fast_lane(self, purposes_by_intel: dict[str, bool]) -> bool:
        """A proven returning guest keeps the last purpose (not a complaint: that is told afresh) and goes
        straight to the host; sets the purpose and returns True when the lane applies."""
        if self.invitation_id or not self.returning or self.known is None:
            return False
        last = self.known.last_purpose
        if last not in purposes_by_intel or purposes_by_intel[last]:
            return False
        self.purpose = last
        return True

    def suggested_host(self) -> str:
        """The host to offer first: the one of the last visit, for a proven returning guest."""
        return self.known.last_host_id if self.returning and self.known else ""

    def reusable_photo(self, now: datetime, max_age_days: int) -> str:
        """The visit whose photo may be offered again (a proven guest, a photo at most `max_age_days` old)."""
        known = self.known
        if not self.returning or known is None or max_age_days <= 0 or not known.last_photo_visit:
            return ""
        if known.last_photo_at is None or now - known.last_photo_at > timedelta(days=max_age_days):
            return ""
        return known.last_photo_visit

    # --- the end ---

    def missing(self) -> list[str]:
        values = {"consent": self.consent, "nik": self.nik, "name": self.name.strip(), "purpose": self.purpose,
                  "host": self.host_id}
        return [name for name in REQUIRED if not values[name]]

    def require_complete(self) -> None:
        missing = self.missing()
        if missing:
            raise IncompleteDraft(missing[0])

    def forget(self) -> None:
        """An abandoned registration: nothing personal stays in memory."""
        self.photo = None
        self.ktp = None
        self.known = None
        self.nik = self.name = self.phone = self.institution = self.address = self.invitation_nik = ""

    # --- time ---

    def enter_step(self, step: str, now: datetime) -> None:
        """Close the running step's timing and open `step` (going back re-opens a step: both count)."""
        if self.steps and self.steps[-1].ended_at is None:
            if self.steps[-1].step == step:
                return
            self.steps[-1].ended_at = now
        self.steps.append(StepTiming(step, now))

    def capture_seconds(self) -> float:
        """Data capture: from the first screen to the last step's start (the finish)."""
        end = self.steps[-1].started_at if self.steps else self.started_at
        return (end - self.started_at).total_seconds()

    def capture_within_standard(self) -> bool:
        return self.capture_seconds() <= DATA_CAPTURE_STANDARD_S


# --- what the confirm step shows of a KTP read ---

# Fields of the card -> the confirm step's field that shows them.
CONFIRM_FIELD = {"nik": "nik", "name": "name", "address": "address", "rt_rw": "address", "village": "address",
                 "district": "address", "birth_place": "born", "birth_date": "born", "sex": "born"}


def card_born(reading: KtpReading) -> str:
    """Place and date of birth and sex as printed, for the guest to compare with the NIK."""
    place = ", ".join(p for p in (reading.value("birth_place"), reading.value("birth_date")) if p)
    return "\n".join(p for p in (place, reading.value("sex")) if p)


def card_address(reading: KtpReading) -> str:
    """The card's address lines as one line: street, RT/RW, village, district."""
    street, rt_rw = reading.value("address"), reading.value("rt_rw")
    parts = [street, f"RT/RW {rt_rw}" if rt_rw else "", reading.value("village"), reading.value("district")]
    return ", ".join(p for p in parts if p)


def card_checks(reading: KtpReading | None, flags: list[KtpFlag]) -> set[str]:
    """The confirm step's fields the guest must look at: read with doubt, missing, or in disagreement with
    the NIK (nik, name, address, born)."""
    if reading is None:
        return set()
    checks = {CONFIRM_FIELD.get(name, "") for name in reading.low_confidence()} - {""}
    for flag in flags:
        checks.add("nik")
        if flag.field in ("birth_date", "sex"):
            checks.add("born")
    return checks
