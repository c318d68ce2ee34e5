"""Who the guest is: every NIK, scanned code, name and phone check, with the office's today; and the proof a
returning guest gives before the kiosk shows anything it stored about them."""
from __future__ import annotations

import datetime
import logging
from zoneinfo import ZoneInfo

from kiosk.domain.clock import Clock
from kiosk.domain.identity import ScannedIdentity, parse_identity_payload
from kiosk.domain.invitation import InvitationVerdict, verify_invitation
from kiosk.domain.ktp import KtpReading
from kiosk.domain.nik import InvalidNIK, NikInfo, check_prefix, parse_nik
from kiosk.domain.registration import (
    InvalidName,
    InvalidPhone,
    ProofLocked,
    RegistrationDraft,
    StoredGuest,
    WrongProof,
    normalize_name,
    normalize_phone,
    phone_digits_match,
)
from kiosk.domain.tokens import VerifierLookup
from kiosk.store.guests import GuestRepository
from kiosk.store.proof_attempts import ProofAttemptRepository
from kiosk.store.visits import VisitRepository

__all__ = ["IdentityService", "InvalidName", "InvalidPhone", "normalize_name", "normalize_phone"]

log = logging.getLogger(__name__)


class IdentityService:
    def __init__(self, *, clock: Clock, timezone: str, office_code: str, guests: GuestRepository,
                 visits: VisitRepository, public_keys: VerifierLookup, attempts: ProofAttemptRepository) -> None:
        self._clock = clock
        self._tz = ZoneInfo(timezone)
        self._office_code = office_code
        self._guests = guests
        self._visits = visits
        self._public_keys = public_keys
        # Wrong tries per NIK (under a keyed hash) in the database: a restart does not reset the lock-out.
        self._attempts = attempts

    # --- the office's date ---

    def today(self) -> datetime.date:
        """The office's calendar date: the NIK century rule counts from it."""
        return self._clock.now().astimezone(self._tz).date()

    # --- NIK, codes, names, phones ---

    def check_typing(self, digits: str) -> InvalidNIK | None:
        return check_prefix(digits, today=self.today())

    def parse_nik(self, text: str) -> NikInfo:
        return parse_nik(text, today=self.today())

    def from_code(self, data: bytes | str) -> ScannedIdentity:
        """A scanned code as identity fields; raises InvalidPayload."""
        return parse_identity_payload(data, today=self.today())

    def invitation(self, token: str, *, at: datetime.datetime | None = None) -> InvitationVerdict:
        """Offline verdict on a pre-registration invitation QR, with the gate passes' public keys.

        The invitation names a pre-registration; the guest's identity comes from that record, not the QR.
        """
        return verify_invitation(token, at=at or self._clock.now(), office_code=self._office_code,
                                 public_keys=self._public_keys)

    @staticmethod
    def name(text: str) -> str:
        return normalize_name(text)

    @staticmethod
    def phone(text: str) -> str:
        return normalize_phone(text)

    # --- a returning guest ---

    def stored(self, nik: str) -> StoredGuest | None:
        """What the kiosk keeps about this NIK (for the draft, hidden until proven); None for a new guest."""
        record = self._guests.find_by_nik(nik)
        if record is None or record.consent_at is None:
            return None
        last = self._visits.latest_of_guest(record.id)
        photo = self._visits.latest_of_guest(record.id, with_photo=True)
        return StoredGuest(
            guest_id=record.id, nik=record.nik, name=record.name, phone=record.phone,
            institution=record.institution, address=record.address, consent_at=record.consent_at,
            last_purpose=last.purpose if last else "", last_host_id=last.host_id if last else "",
            last_host_name=last.host_name if last else "",
            last_photo_at=photo.created_at if photo else None, last_photo_visit=photo.id if photo else "",
        )

    def prove_by_phone(self, draft: RegistrationDraft, digits: str) -> None:
        """The guest typed the last 4 digits of their phone number. Right: the stored details fill the draft.
        Wrong: WrongProof (tries left), then ProofLocked, and the draft stays as it is. Every NIK, stored or
        not, answers the same way, so the screen tells a stranger nothing."""
        now = self._clock.now()
        if self._attempts.locked(draft.nik, now):
            draft.skip_proof()
            raise ProofLocked()
        known = draft.known
        if known is not None and phone_digits_match(known.phone, digits):
            self._attempts.clear(draft.nik)
            draft.prove("phone")
            log.info("returning guest proved", extra={"draft": draft.id, "method": "phone"})
            return
        left = self._attempts.record_wrong(draft.nik, now)
        log.info("returning guest proof refused", extra={"draft": draft.id, "left": left})
        if left == 0:
            draft.skip_proof()
            raise ProofLocked()
        raise WrongProof(left)

    def prove_by_card(self, draft: RegistrationDraft, reading: KtpReading) -> bool:
        """A KTP read whose NIK and name match the stored guest proves it is them."""
        known = draft.known
        if known is not None and known.ktp_matches(reading, draft.nik):
            draft.prove("ktp")
            return True
        draft.skip_proof()
        return False
