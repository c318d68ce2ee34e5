"""Pull: learn what other devices of the office did, from the central feed, into the local store.

Security and survey devices need visits registered on the lobby kiosk: guest name, host, locker,
photo link and state. The feed never carries a NIK (only its last 4 digits) or an address.
Each feed item is applied once (event ids are unique locally); the cursor moves in the same
transaction as the items it covers, so a crash repeats a page at most, harmlessly.

Beside visits the feed says when the office's host directory changed on the web desk (`directory.changed`:
the directory is then fetched again with its ETag) and carries the desk's pre-registration invitations
(`invitation.issued` with the public half of the office's invitation key, `invitation.revoked`,
`invitation.used`, `invitation.erased` when the person it named was erased; kept by guest kiosks only), which the kiosk's InvitationService then opens like its own. An issued invitation
carries the invited guest's NIK when the desk named one (the kiosk must check the KTP against it); it is
stored encrypted here as `kiosk invite` stores it.
"""
from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.domain.clock import from_iso
from kiosk.domain.convergence import RANK
from kiosk.domain.tokens import key_id_of
from kiosk.domain.visit import Visit, VisitState
from kiosk.store.invitations import InvitationRecord, InvitationRepository
from kiosk.store.privacy import PrivacyRepository
from kiosk.store.sync import HostNoticeRepository, PulledVisitWriter, SyncStateRepository
from kiosk.sync import mapping
from kiosk.sync.central import CentralClient

if TYPE_CHECKING:
    from kiosk.config import Config
    from kiosk.domain.clock import Clock
    from kiosk.store.db import Database
    from kiosk.store.guests import GuestRepository
    from kiosk.store.hosts import HostRepository
    from kiosk.store.visits import VisitRepository

log = logging.getLogger(__name__)
CURSOR_KEY = "pull.cursor"
HOSTS_ETAG_KEY = "pull.hosts_etag"


class Puller:
    def __init__(self, *, config: Config, clock: Clock, db: Database, visits: VisitRepository,
                 guests: GuestRepository, hosts: HostRepository, client: CentralClient,
                 invitations: InvitationRepository | None = None) -> None:
        self.config, self.clock, self.db, self.visits, self.guests, self.hosts = config, clock, db, visits, guests, hosts
        self.client = client
        self.invitations = invitations
        self.state = SyncStateRepository(db)
        self.notices = HostNoticeRepository(db)
        self.writer = PulledVisitWriter()
        self.last_error = ""

    @property
    def cursor(self) -> str:
        return self.state.get(CURSOR_KEY, "0") or "0"

    def pull_once(self, page: int = 200) -> int:
        """Apply every feed item after our cursor; return how many changed something here."""
        applied = 0
        cursor = self.cursor
        self._directory_changed = False
        while True:
            items, next_cursor = self.client.events_since(cursor, page)
            if not items:
                break
            with self.db.transaction() as conn:
                for item in items:
                    applied += self._apply(conn, item)
                self.state.set(CURSOR_KEY, next_cursor, self.clock.now(), conn)
            cursor = next_cursor
            if len(items) < page:
                break
        if self._directory_changed:  # not counted: `applied` counts feed items (visits, events, invitations)
            self.pull_hosts()
        self.last_error = ""
        return applied

    _directory_changed = False

    def pull_hosts(self) -> int:
        """Replace the local host directory with the office's directory on the central server, unless it is
        unchanged since the last pull (ETag). Returns how many hosts came (0: unchanged or empty)."""
        items, etag = self.client.hosts_if_changed(self.state.get(HOSTS_ETAG_KEY, "") or "")
        if items is None:
            return 0
        hosts = [mapping.host_from_central(h) for h in items]
        if hosts:
            self.hosts.replace_all(hosts, self.clock.now())
            self.state.set(HOSTS_ETAG_KEY, etag, self.clock.now())
        return len(hosts)

    def _apply(self, conn: sqlite3.Connection, item: dict) -> int:
        kind = item.get("type")
        if kind == "visit.registered":
            return self._registered(conn, item)
        if kind == "visit.event":
            return self._event(conn, item)
        if kind == "visit.erased":
            return self._erased(conn, item["visit_id"])
        if kind == "directory.changed":
            self._directory_changed = True
            return 0
        if kind in ("invitation.issued", "invitation.revoked", "invitation.used", "invitation.erased"):
            return self._invitation(conn, kind, item.get("invitation") or {})
        if kind == "notice.status":
            message_id, status = mapping.remote_notice_status(item)
            return int(self.notices.record_status(conn, message_id, status, self.clock.now()))
        return 0

    def _invitation(self, conn: sqlite3.Connection, kind: str, inv: dict) -> int:
        # Only a guest kiosk registers guests: gates and survey stands keep no invitation (nor its NIK).
        if self.invitations is None or self.config.kiosk.role != "guest" or not isinstance(inv.get("id"), str):
            return 0
        now = self.clock.now()
        if kind == "invitation.revoked":
            return int(self.invitations.revoke(conn, inv["id"], at=now))
        if kind == "invitation.erased":  # the person it named was erased at central: nothing of it stays here
            return int(self.invitations.delete(conn, inv["id"]))
        if kind == "invitation.used":
            return int(self.invitations.mark_used_elsewhere(conn, inv["id"], str(inv.get("visit_id") or "central")))
        key = inv.get("key") or {}
        try:
            raw = bytes.fromhex(str(key.get("public", "")))
            if len(raw) != 32 or key_id_of(raw) != key.get("id"):
                raise ValueError("the key does not match its id")
            record = InvitationRecord(inv["id"], str(inv["purpose"]), str(inv["host_id"]), str(inv.get("host_name", "")),
                                      str(inv.get("nik") or ""), from_iso(inv["valid_from"]), from_iso(inv["valid_until"]),
                                      name=str(inv.get("name") or "")[:100], phone=str(inv.get("phone") or "")[:32])
        except (KeyError, ValueError, TypeError):
            log.warning("pulled invitation ignored: malformed", extra={"invitation": str(inv.get("id"))[:16]})
            return 0
        self.invitations.add_key(conn, key["id"], raw.hex(), at=now)
        return int(self.invitations.upsert_pulled(conn, record, at=now))

    def _registered(self, conn: sqlite3.Connection, item: dict) -> int:
        rv = mapping.remote_visit(item, self.config.office.code)
        if self.writer.visit_known(conn, rv.visit_id):
            return 0  # ours, or already pulled
        guest_id = self.guests.insert_display(
            conn, name=rv.guest_name, nik_last4=rv.nik_last4, institution=rv.institution, at=rv.created_at
        )
        visit = Visit(
            id=rv.visit_id, office_code=rv.office_code, guest_id=guest_id, purpose=rv.purpose, host_id=rv.host_id,
            host_name=rv.host_name, state=rv.state, created_at=rv.created_at, updated_at=rv.created_at,
            device_id=rv.device_id, expires_at=rv.expires_at, photo_path=rv.photo_url, locker_door=rv.locker_door,
        )
        self.visits.insert(conn, visit)
        return 1

    def _event(self, conn: sqlite3.Connection, item: dict) -> int:
        event = mapping.remote_event(item)
        visit = self.writer.visit(conn, event.visit_id)
        if visit is None:
            return 0  # purged here, or registered before this device's cursor started
        truth = self._truth(conn, visit, item)
        if self.writer.event_known(conn, event.event_id):
            # Our own event coming back (or pulled before): only central's converged state may be news.
            if truth is not None and truth != visit.state:
                self.visits.update(conn, replace(visit, state=truth, updated_at=max(visit.updated_at, event.at)))
                return 1
            return 0
        new = visit
        if truth is not None:
            if truth != visit.state:
                new = replace(new, state=truth, updated_at=max(visit.updated_at, event.at))
        elif event.to_state and event.to_state != visit.state:
            if visit.can_move_to(event.to_state):
                new = replace(new, state=event.to_state, updated_at=event.at)
            else:
                log.warning("pulled transition does not fit the local state",
                            extra={"visit_id": visit.id, "local": visit.state.value, "remote": event.to_state.value})
        door = event.data.get("door")
        if event.kind == "locker_assigned" and isinstance(door, int):
            new = replace(new, locker_door=door)
        if new != visit:
            self.visits.update(conn, new)
        self.visits.append_event(conn, event, outbox=False)  # it came from the server: do not send it back
        return 1

    def _erased(self, conn: sqlite3.Connection, visit_id: str) -> int:
        """Central erased the visit (a data subject's erasure on some device): nothing of it stays here either."""
        visit = self.writer.visit(conn, visit_id)
        if visit is None:
            return 0
        repo = PrivacyRepository(self.db)
        repo.delete_visits(conn, [visit_id])
        repo.delete_guests_without_visits(conn, [visit.guest_id])
        if visit.photo_path and "://" not in visit.photo_path:  # our own photo file (pulled visits hold a link)
            path = Path(visit.photo_path)
            (path if path.is_absolute() else self.config.data_dir / path).unlink(missing_ok=True)
        log.info("visit erased at central", extra={"visit_id": visit_id})
        return 1

    def _truth(self, conn: sqlite3.Connection, visit: Visit, item: dict) -> VisitState | None:
        """Central's converged state for the visit after this item, when this device should take it: always,
        unless this device still has changes of the visit to send; then only a state of higher precedence
        (what central cannot know yet would otherwise be undone here until it arrives there)."""
        truth = _converged_state(item)
        if truth is None or truth == visit.state:
            return truth
        pending = conn.execute("SELECT 1 FROM outbox WHERE aggregate_id=? AND status='pending' LIMIT 1", (visit.id,)).fetchone()
        if pending and RANK[truth] <= RANK[visit.state]:
            return None
        return truth


def _converged_state(item: dict) -> VisitState | None:
    try:
        return VisitState(item["state"]) if item.get("state") else None
    except ValueError:
        return None
