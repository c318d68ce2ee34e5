"""Pre-registration invitations: staff issue one (purpose, host, optionally the guest's NIK) and send its QR;
at the kiosk's first step the QR fills purpose and host, and the guest only shows who they are."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from kiosk.domain.clock import Clock
from kiosk.domain.errors import KioskError
from kiosk.domain.invitation import issue_invitation, verify_invitation
from kiosk.domain.tokens import SigningKey, VerifierLookup
from kiosk.store.hosts import HostRepository
from kiosk.store.invitations import InvitationRecord, InvitationRepository

log = logging.getLogger(__name__)

# The reasons worded on their own in the catalogue; any other (a bad signature, an unreadable code) reads "forged".
_WORDED = ("expired", "not_yet_valid", "other_office", "unknown", "used", "revoked")


class InvalidInvitation(KioskError):
    code = "invalid_invitation"

    def __init__(self, reason: str) -> None:
        super().__init__(reason=reason)
        self.reason = reason

    @property
    def text_key(self) -> str:
        return f"{self.code}.{self.reason if self.reason in _WORDED else 'forged'}"


class InvitationService:
    def __init__(self, *, clock: Clock, office_code: str, repo: InvitationRepository, hosts: HostRepository,
                 purposes: Callable[[], list[str]], signer: Callable[[], SigningKey],
                 public_keys: VerifierLookup) -> None:
        self._clock = clock
        self._office_code = office_code
        self._repo = repo
        self._hosts = hosts
        self._purposes = purposes
        self._signer = signer
        self._public_keys = public_keys

    def issue(self, *, purpose: str, host_id: str, valid_from: datetime, valid_until: datetime,
              nik: str = "") -> tuple[InvitationRecord, str]:
        """A pre-registration and the signed token for its QR. `nik` (already validated) may name the guest."""
        from kiosk.app.registration import UnknownPurpose
        from kiosk.domain.errors import NotFound

        if purpose not in self._purposes():
            raise UnknownPurpose(purpose)
        host = self._hosts.get(host_id)
        if host is None:
            raise NotFound("Host", host_id)
        inv, token = issue_invitation(self._signer(), office_code=self._office_code, valid_from=valid_from,
                                      valid_until=valid_until)
        record = InvitationRecord(inv.invitation_id, purpose, host.id, host.name, nik, inv.valid_from,
                                  inv.valid_until)
        self._repo.insert(record, at=self._clock.now())
        log.info("invitation issued", extra={"invitation": inv.invitation_id, "purpose": purpose})
        return record, token

    def open(self, token: str) -> InvitationRecord:
        """The pre-registration a scanned invitation stands for; InvalidInvitation says why not."""
        verdict = verify_invitation(token, at=self._clock.now(), office_code=self._office_code,
                                    public_keys=self._public_keys)
        if not verdict.valid or verdict.invitation is None:
            raise InvalidInvitation(verdict.reason)
        record = self._repo.get(verdict.invitation.invitation_id)
        if record is None:
            raise InvalidInvitation("unknown")
        if record.revoked:
            raise InvalidInvitation("revoked")
        if record.visit_id:
            raise InvalidInvitation("used")
        return record

    def mark_used(self, invitation_id: str, visit_id: str) -> None:
        self._repo.mark_used(invitation_id, visit_id)
