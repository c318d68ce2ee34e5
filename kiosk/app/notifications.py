"""Host notices: queue the WhatsApp notice (through the outbox) as the visit starts waiting, and record the host's answer."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kiosk.domain.errors import KioskError, NotFound
from kiosk.domain.visit import Visit, VisitState
from kiosk.store.hosts import Host
from kiosk.store.sync import HostNotice, HostNoticeRepository

if TYPE_CHECKING:
    from kiosk.config import Config
    from kiosk.domain.clock import Clock
    from kiosk.store.db import Database
    from kiosk.store.hosts import HostRepository
    from kiosk.store.visits import VisitRepository

log = logging.getLogger(__name__)

NOTIFY_TOPIC = "notify.host"


class HostUnreachable(KioskError):
    code = "host_unreachable"

    def __init__(self, host_id: str) -> None:
        super().__init__(host_id=host_id)


class NotificationService:
    def __init__(self, *, config: Config, clock: Clock, db: Database, visits: VisitRepository,
                 hosts: HostRepository) -> None:
        self.config, self.clock, self.db, self.visits, self.hosts = config, clock, db, visits, hosts
        self.notices_repo = HostNoticeRepository(db)

    def recipient(self, visit: Visit) -> Host:
        """The host the guest asked for, or the Head of Intelligence for a complaint (seed 002)."""
        cfg = self.config
        purpose = next((p for p in cfg.purposes if p.id == visit.purpose), None)
        host_id = visit.host_id
        if purpose is not None and purpose.routes_to_intel and cfg.notifier.intel_head_host_id:
            host_id = cfg.notifier.intel_head_host_id
        host = self.hosts.get(host_id)
        if host is None:
            raise NotFound("Host", host_id)
        return host

    def notify_host(self, visit_id: str, *, actor: str = "system") -> HostNotice | None:
        """In ONE transaction: the visit moves registered -> waiting_host and the notice is queued.
        Returns the notice (None when the notifier is switched off: staff call the host)."""
        visit = self.visits.get(visit_id)
        host = self.recipient(visit)
        channel = self.config.notifier.kind
        if channel != "none" and not host.phone:
            raise HostUnreachable(host.id)
        now = self.clock.now()
        new, event = visit.transition(
            VisitState.WAITING_HOST, at=now, actor=actor, device_id=self.config.kiosk.device_id,
            notified_host_id=host.id, channel=channel,
        )
        notice_id = None
        with self.db.transaction() as conn:
            self.visits.save_transition(new, event)  # joins this transaction
            if channel != "none":
                notice_id = self.notices_repo.add(conn, visit_id, host.id, channel, now)
                self.visits.outbox.enqueue(
                    conn, key=f"notify:{visit_id}:{notice_id}", topic=NOTIFY_TOPIC,
                    # A separate aggregate: the notice must not wait behind the central server's backlog.
                    aggregate_id=f"notify:{visit_id}",
                    payload={"notice_id": notice_id, "visit_id": visit_id, "host_id": host.id}, at=now,
                )
        log.info("host notice queued", extra={"visit_id": visit_id, "host_id": host.id, "channel": channel})
        return self.notices_repo.get(notice_id) if notice_id else None

    def record_host_answer(self, visit_id: str, accepted: bool, actor: str) -> Visit:
        """Staff record what the host said (phone, in person): waiting_host -> accepted | declined."""
        visit = self.visits.get(visit_id)
        target = VisitState.ACCEPTED if accepted else VisitState.DECLINED
        new, event = visit.transition(
            target, at=self.clock.now(), actor=actor, device_id=self.config.kiosk.device_id, via="staff"
        )
        self.visits.save_transition(new, event)
        return new

    def notices(self, visit_id: str) -> list[HostNotice]:
        return self.notices_repo.for_visit(visit_id)
