"""The sync service: the outbox worker with its handlers (central pushes, host notices) and the puller, built from the config."""
from __future__ import annotations

import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kiosk.domain.subject import subject_hash
from kiosk.domain.visit import VisitEvent
from kiosk.store.gate_scans import GateScanRepository
from kiosk.store.outbox import OutboxMessage
from kiosk.store.surveys import SurveyRepository
from kiosk.store.sync import HostNoticeRepository, SyncStateRepository
from kiosk.sync import mapping
from kiosk.sync.central import CentralClient, subject_key_from_config
from kiosk.sync.errors import DeliveryError, SyncNotConfigured
from kiosk.sync.notify import HostNotice, Notifier, notifier_from_config
from kiosk.sync.pull import Puller
from kiosk.sync.worker import DrainResult, Handler, OutboxWorker, WorkerState

if TYPE_CHECKING:
    from kiosk.config import Config
    from kiosk.domain.clock import Clock
    from kiosk.store.db import Database
    from kiosk.store.guests import GuestRepository
    from kiosk.store.hosts import HostRepository
    from kiosk.store.invitations import InvitationRepository
    from kiosk.store.photos import PhotoFiles
    from kiosk.store.visits import VisitRepository

log = logging.getLogger(__name__)

PASS_SCAN_TOPIC = "gate.pass_scan"  # kiosk.app.gate.PASS_SCAN_TOPIC
SURVEY_TOPIC = "survey.response"  # kiosk.app.survey.SURVEY_TOPIC
CENTRAL_TOPICS = ("visit.registered", "visit.event", PASS_SCAN_TOPIC, "privacy.forget", SURVEY_TOPIC)
NOTIFY_TOPIC = "notify.host"
FORGET_TOPIC = "privacy.forget"


class VisitPushHandler:
    destination = "central"

    def __init__(self, *, config: Config, visits: VisitRepository, guests: GuestRepository, hosts: HostRepository,
                 client: CentralClient, photos: PhotoFiles) -> None:
        self.config, self.visits, self.guests, self.hosts, self.client = config, visits, guests, hosts, client
        self.photos = photos

    def _photo(self, photo_path: str) -> bytes | None:
        # None when deleted by retention or never written: the record goes without it.
        return self.photos.read(photo_path)

    def body(self, message: OutboxMessage) -> dict:
        payload = message.payload
        visit = self.visits.find(payload["visit_id"])
        if visit is None:
            raise DeliveryError("central", "visit no longer stored here (purged)", transient=False)
        # Personal data is read (and NIK/address decrypted) only now, never stored in the outbox.
        guest = self.guests.get(visit.guest_id) if visit.guest_id else None
        host = self.hosts.get(visit.host_id) if visit.host_id else None
        purposes = {p.id: p.label_id for p in self.config.purposes}
        body = mapping.visit_body(
            registered=payload, guest=guest, host=host, purpose_label=purposes.get(visit.purpose, visit.purpose),
            satker=self.config.office.name, photo=self._photo(visit.photo_path),
        )
        return body

    def send(self, message: OutboxMessage):
        self.client.push_visit(self.body(message), message.idempotency_key)
        return None

    def batch_item(self, message: OutboxMessage) -> dict:
        """The same body under the same key as `send` (a key never goes with two bodies)."""
        return {"op": "visit", "idempotency_key": message.idempotency_key, "body": self.body(message)}

    def parked(self, conn: sqlite3.Connection, message: OutboxMessage, reason: str) -> None:
        pass


class EventPushHandler(VisitPushHandler):
    def send(self, message: OutboxMessage):
        self.client.push_event(message.payload["visit_id"], mapping.event_body(message.payload), message.idempotency_key)
        return None

    def batch_item(self, message: OutboxMessage) -> dict:
        return {"op": "event", "idempotency_key": message.idempotency_key, "visit_id": message.payload["visit_id"],
                "body": mapping.event_body(message.payload)}


class ErasureHandler:
    """`privacy.forget`: central deletes the data subject's visits, named by the keyed NIK hash (every visit of
    the person at this office, from any device) and by the visit ids this device knew. Never the NIK."""

    destination = "central"

    def __init__(self, client: CentralClient) -> None:
        self.client = client

    def send(self, message: OutboxMessage) -> Callable[[sqlite3.Connection], None]:
        p = message.payload
        self.client.erase(p["request_id"], subject_hash=p.get("subject_hash"), visit_ids=p.get("visit_ids") or [])

        def scrub(conn: sqlite3.Connection) -> None:  # done: the pseudonym is not kept here either
            rest = {k: v for k, v in p.items() if k != "subject_hash"}
            conn.execute("UPDATE outbox SET payload=? WHERE id=?", (json.dumps(rest, sort_keys=True), message.id))

        return scrub

    def parked(self, conn: sqlite3.Connection, message: OutboxMessage, reason: str) -> None:
        pass


class PassScanPushHandler(VisitPushHandler):
    """A gate's scan of a pass whose visit it did not know (offline): sent as the visit's gate_scan event once
    the visit is known here (pulled), so the central server and every other device learn it; until then it
    waits with backoff."""

    batch_item = None  # sent one by one

    def __init__(self, *, scans: GateScanRepository, **store: Any) -> None:
        super().__init__(**store)
        self.scans = scans

    def send(self, message: OutboxMessage):
        payload = message.payload
        pass_id = payload["pass_id"]
        visit = self.visits.find_by_pass(pass_id)
        visit_id = visit.id if visit else self.scans.visit_for_pass(pass_id)
        if not visit_id:
            raise DeliveryError("central", f"visit of pass {pass_id} not known here yet", transient=True, status=425)
        event = {
            "event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"kiosk:{message.idempotency_key}")),
            "visit_id": visit_id, "kind": "gate_scan", "from_state": None, "to_state": None, "at": payload["at"],
            "actor": "security", "device_id": payload["device_id"],
            "data": {"verdict": payload["verdict"], "reason": payload["reason"], "pass_id": pass_id, "offline": True},
        }  # fmt: skip
        self.client.push_event(visit_id, mapping.event_body(event), message.idempotency_key)
        return None


class SurveyPushHandler:
    """`survey.response`: one SKM respondent's answers to the central server (its SKM/IKM report across devices
    and offices). The answers are read from the survey table when sent; the outbox holds only the id."""

    destination = "central"

    def __init__(self, *, surveys: SurveyRepository, client: CentralClient, device_id: str) -> None:
        self.surveys, self.client, self.device_id = surveys, client, device_id

    def send(self, message: OutboxMessage):
        response = self.surveys.get(message.payload["response_id"])
        if response is None:
            raise DeliveryError("central", "survey response no longer stored here", transient=False)
        body = mapping.survey_body(response)
        body["device_id"] = body["device_id"] or self.device_id
        if body["created_at"] is None:
            raise DeliveryError("central", "survey response without a time", transient=False)
        self.client.push_survey(body, message.idempotency_key)
        return None

    def parked(self, conn: sqlite3.Connection, message: OutboxMessage, reason: str) -> None:
        pass


class HostNoticeHandler:
    destination = "notify"

    def __init__(self, *, config: Config, clock: Clock, db: Database, visits: VisitRepository,
                 guests: GuestRepository, hosts: HostRepository, notifier: Notifier, client: CentralClient | None) -> None:
        self.config, self.clock, self.visits, self.guests, self.hosts = config, clock, visits, guests, hosts
        self.notifier, self.client = notifier, client
        self.notices = HostNoticeRepository(db)

    def build(self, payload: dict[str, Any]) -> HostNotice:
        cfg = self.config
        visit = self.visits.find(payload["visit_id"])
        host = self.hosts.get(payload["host_id"])
        if visit is None or host is None or not host.phone:
            raise DeliveryError(self.notifier.channel, "visit purged or host without a WhatsApp number", transient=False)
        guest = self.guests.get(visit.guest_id) if visit.guest_id else None
        purpose = next((p for p in cfg.purposes if p.id == visit.purpose), None)
        photo_url = self.client.photo_url(visit.id) if self.client and visit.photo_path else ""
        return HostNotice(
            visit_id=visit.id, phone=host.phone, host_name=host.name, guest_name=guest.name if guest else "-",
            purpose=purpose.label_id if purpose else visit.purpose, at=visit.created_at, timezone=cfg.office.timezone,
            photo_url=photo_url, complaint=bool(purpose and purpose.routes_to_intel), intended_host=visit.host_name,
        )

    def send(self, message: OutboxMessage) -> Callable[[sqlite3.Connection], None]:
        """In flight is recorded (committed) before the provider is called. A notice found still in flight had a
        call whose outcome is unknown (the worker died, or no answer came): the providers offer no status lookup
        for a send (the Cloud API has none; the gateways' ids come only in the answer), so it is sent ONE more
        time with the repeat marker in its text; if that call's outcome is unknown too, it is parked, not sent
        a third time. A host never gets the same notice twice without being told."""
        payload = message.payload
        notice = self.build(payload)
        row = self.notices.get(payload["notice_id"])
        if row is not None and row.status == "sending" and row.doubtful >= 1:
            raise DeliveryError(self.notifier.channel, "outcome of the repeated notice unknown; not sent a third time",
                                transient=False)
        row = self.notices.begin_send(payload["notice_id"], self.clock.now())
        if row is not None and row.doubtful:
            notice = replace(notice, repeat=True)
            log.warning("host notice sent again with the repeat marker",
                        extra={"visit_id": notice.visit_id, "notice_id": row.id, "sends": row.sends})
        try:
            receipt = self.notifier.send(notice)
        except DeliveryError as exc:
            if not exc.maybe_delivered:
                self.notices.not_sent(payload["notice_id"], exc.reason, self.clock.now())
            raise
        now = self.clock.now()

        def record(conn: sqlite3.Connection) -> None:
            self.notices.mark_sent(conn, payload["notice_id"], receipt.message_id, now)
            # The central server learns the provider's message id, to match the channel's status webhooks.
            event = VisitEvent(
                visit_id=payload["visit_id"], kind="host_notified", at=now, actor="system",
                device_id=self.config.kiosk.device_id,
                data={"notice_id": payload["notice_id"], "host_id": payload["host_id"], "channel": receipt.channel,
                      "message_id": receipt.message_id},
            )
            self.visits.append_event(conn, event)

        return record

    def parked(self, conn: sqlite3.Connection, message: OutboxMessage, reason: str) -> None:
        self.notices.mark_failed(conn, message.payload["notice_id"], reason, self.clock.now())


@dataclass(frozen=True)
class SyncStatus:
    counts: dict[str, int]
    parked: list[OutboxMessage]
    held: list[OutboxMessage]  # pending, but behind a parked message of the same visit
    worker: dict[str, Any]
    cursor: str
    central_url: str
    notifier: str


class SyncService:
    """Given the store it reads and writes; builds its central client, notifier, handlers and worker on first use."""

    def __init__(self, *, config: Config, clock: Clock, db: Database, visits: VisitRepository,
                 guests: GuestRepository, hosts: HostRepository, photos: PhotoFiles,
                 invitations: InvitationRepository | None = None) -> None:
        self.config, self.clock, self.db, self.visits, self.guests, self.hosts = config, clock, db, visits, guests, hosts
        self.photos = photos
        self.invitations = invitations  # the desk's invitations arrive with the pull
        self._last_pull = 0.0

    @cached_property
    def client(self) -> CentralClient | None:
        return CentralClient.from_config(self.config) if self.config.central.url else None

    @cached_property
    def notifier(self) -> Notifier | None:
        return notifier_from_config(self.config)

    @cached_property
    def handlers(self) -> dict[str, Handler]:
        out: dict[str, Handler] = {}
        if self.client is not None:
            store = {"config": self.config, "visits": self.visits, "guests": self.guests, "hosts": self.hosts,
                     "photos": self.photos}
            out["visit.registered"] = VisitPushHandler(**store, client=self.client)
            out["visit.event"] = EventPushHandler(**store, client=self.client)
            out[FORGET_TOPIC] = ErasureHandler(self.client)
            out[PASS_SCAN_TOPIC] = PassScanPushHandler(**store, client=self.client, scans=GateScanRepository(self.db))
            out[SURVEY_TOPIC] = SurveyPushHandler(surveys=SurveyRepository(self.db), client=self.client,
                                                  device_id=self.config.kiosk.device_id)
        if self.notifier is not None:
            out[NOTIFY_TOPIC] = HostNoticeHandler(
                config=self.config, clock=self.clock, db=self.db, visits=self.visits, guests=self.guests,
                hosts=self.hosts, notifier=self.notifier, client=self.client,
            )
        return out

    @cached_property
    def worker(self) -> OutboxWorker:
        c = self.config.central
        return OutboxWorker(clock=self.clock, db=self.db, outbox=self.visits.outbox, handlers=self.handlers,
                            base_s=c.retry_base_s, max_s=c.retry_max_s, batch=c.batch_size,
                            max_attempts=c.max_attempts, batcher=self.client if c.batch_push else None,
                            on_cycle=self._maybe_pull)

    @cached_property
    def puller(self) -> Puller | None:
        if self.client is None:
            return None
        return Puller(config=self.config, clock=self.clock, db=self.db, visits=self.visits, guests=self.guests,
                      hosts=self.hosts, client=self.client, invitations=self.invitations)

    @cached_property
    def _subject_key(self) -> bytes | None:
        return subject_key_from_config(self.config)

    def subject_hash(self, nik: str) -> str | None:
        """The keyed hash by which central knows this person (None when this device has no subject key)."""
        return subject_hash(self._subject_key, nik) if self._subject_key else None

    # --- the worker's face ---

    @property
    def state(self) -> WorkerState:
        return self.worker.state

    @property
    def last_error(self) -> str:
        return self.worker.last_error

    def drain_once(self) -> DrainResult:
        return self.worker.drain_once()

    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        if "worker" in self.__dict__:
            self.worker.stop()

    def run_forever(self) -> None:
        self.worker.run_forever()

    # --- pull ---

    def pull_once(self) -> int:
        if self.puller is None:
            raise SyncNotConfigured("central.url")
        return self.puller.pull_once()

    def pull_hosts(self) -> int:
        if self.puller is None:
            raise SyncNotConfigured("central.url")
        return self.puller.pull_hosts()

    def _maybe_pull(self) -> None:
        if self.puller is None or time.monotonic() - self._last_pull < self.config.central.pull_interval_s:
            return
        self._last_pull = time.monotonic()
        try:
            self.puller.pull_once()
        except DeliveryError as exc:
            self.puller.last_error = exc.reason
            log.info("pull failed", extra={"reason": exc.reason})

    # --- status ---

    def status(self, parked_limit: int = 100) -> SyncStatus:
        outbox = self.visits.outbox
        state = SyncStateRepository(self.db)
        raw = state.get("worker")
        return SyncStatus(
            counts=outbox.counts(), parked=outbox.by_status("parked", parked_limit), held=outbox.held(parked_limit),
            worker=json.loads(raw) if raw else {"state": "never_ran", "last_error": ""},
            cursor=state.get("pull.cursor", "0") or "0", central_url=self.config.central.url,
            notifier=self.config.notifier.kind,
        )

    def retry_parked(self, ids: list[int] | None = None) -> int:
        n = self.visits.outbox.unpark(self.clock.now(), ids)
        if "worker" in self.__dict__:
            self.worker.wake()
        return n

    def close(self) -> None:
        self.stop()
        if self.__dict__.get("client") is not None:
            self.client.close()
