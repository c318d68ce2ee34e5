"""Registering a guest: one transaction writes the guest, the visit, its first event and the outbox record."""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from kiosk.domain.clock import to_iso
from kiosk.domain.errors import KioskError
from kiosk.domain.registration import GuestIdentity
from kiosk.domain.visit import Visit, VisitState, start_visit

if TYPE_CHECKING:
    from kiosk.config import Config
    from kiosk.domain.clock import Clock
    from kiosk.store.db import Database
    from kiosk.store.guests import GuestRepository
    from kiosk.store.visits import VisitRepository

log = logging.getLogger(__name__)


class UnknownPurpose(KioskError):
    code = "unknown_purpose"

    def __init__(self, purpose: str) -> None:
        super().__init__(purpose=purpose)


__all__ = ["GuestIdentity", "RegistrationService", "UnknownPurpose"]


class RegistrationService:
    def __init__(self, *, config: Config, clock: Clock, db: Database, visits: VisitRepository,
                 guests: GuestRepository) -> None:
        self.config, self.clock, self.db, self.visits, self.guests = config, clock, db, visits, guests

    def register(
        self,
        identity: GuestIdentity,
        *,
        purpose: str,
        host_id: str,
        host_name: str,
        consent: bool,
        consent_at: datetime | None = None,
        actor: str = "guest",
    ) -> Visit:
        """Commit the visit locally before anything is printed or sent. `consent_at`: when the guest first
        agreed to the notice (a returning guest keeps their first date); now by default."""
        cfg = self.config
        if purpose not in {p.id for p in cfg.purposes}:
            raise UnknownPurpose(purpose)
        now = self.clock.now()
        visit, event = start_visit(
            office_code=cfg.office.code,
            guest_id=None,
            purpose=purpose,
            host_id=host_id,
            host_name=host_name,
            at=now,
            actor=actor,
            device_id=cfg.kiosk.device_id,
            expires_at=now + timedelta(minutes=cfg.kiosk.pass_validity_minutes),
        )
        repo = self.visits
        with self.db.transaction() as conn:
            guest_id = self.guests.upsert(
                conn,
                nik=identity.nik,
                name=identity.name,
                phone=identity.phone,
                institution=identity.institution,
                address=identity.address,
                at=now,
                consent_at=(consent_at or now) if consent else None,
                consent_basis="consent" if consent else "",
            )
            visit = replace(visit, guest_id=guest_id)
            repo.insert(conn, visit)
            repo.append_event(conn, event, outbox=False)
            repo.outbox.enqueue(
                conn,
                key=f"visit:{visit.id}",
                topic="visit.registered",
                aggregate_id=visit.id,
                payload=self._visit_payload(visit),
                at=now,
            )
        log.info("visit registered", extra={"visit_id": visit.id, "purpose": purpose})
        return visit

    def _visit_payload(self, visit: Visit) -> dict:
        # No personal data in the outbox: the sync worker reads the guest (decrypting NIK and address)
        # when it sends, so the outbox table never holds a NIK in clear.
        return {
            "visit_id": visit.id,
            "office_code": visit.office_code,
            "device_id": visit.device_id,
            "state": visit.state.value,
            "created_at": to_iso(visit.created_at),
            "expires_at": to_iso(visit.expires_at) if visit.expires_at else None,
            "purpose": visit.purpose,
            "host_id": visit.host_id,
            "host_name": visit.host_name,
            "guest_id": visit.guest_id,
        }

    def transition(self, visit_id: str, target: VisitState, *, actor: str, **data) -> Visit:
        visit = self.visits.get(visit_id)
        new, event = visit.transition(
            target, at=self.clock.now(), actor=actor, device_id=self.config.kiosk.device_id, **data
        )
        self.visits.save_transition(new, event)
        return new
