"""Visits and their append-only events. A state change, its event and its outbox message land in one transaction."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from kiosk.domain.clock import from_iso, to_iso
from kiosk.domain.errors import IllegalTransition, NotFound
from kiosk.domain.visit import Visit, VisitEvent, VisitState
from kiosk.store.db import Database
from kiosk.store.outbox import OutboxRepository

_VISIT_COLUMNS = (
    "id, office_code, guest_id, purpose, host_id, host_name, state, created_at, updated_at, device_id,"
    " expires_at, photo_path, locker_door, pass_id, flags"
)


def _visit(r: sqlite3.Row) -> Visit:
    return Visit(
        id=r["id"],
        office_code=r["office_code"],
        guest_id=r["guest_id"],
        purpose=r["purpose"],
        host_id=r["host_id"],
        host_name=r["host_name"],
        state=VisitState(r["state"]),
        created_at=from_iso(r["created_at"]),
        updated_at=from_iso(r["updated_at"]),
        device_id=r["device_id"],
        expires_at=from_iso(r["expires_at"]) if r["expires_at"] else None,
        photo_path=r["photo_path"],
        locker_door=r["locker_door"],
        pass_id=r["pass_id"],
        flags=tuple(f for f in r["flags"].split(",") if f),
    )


def _event(r: sqlite3.Row) -> VisitEvent:
    return VisitEvent(
        visit_id=r["visit_id"],
        kind=r["kind"],
        at=from_iso(r["at"]),
        actor=r["actor"],
        device_id=r["device_id"],
        from_state=VisitState(r["from_state"]) if r["from_state"] else None,
        to_state=VisitState(r["to_state"]) if r["to_state"] else None,
        data=json.loads(r["data"]),
        event_id=r["event_id"],
    )


def event_payload(event: VisitEvent) -> dict[str, Any]:
    """The event as it travels in the outbox (no personal data)."""
    return {
        "event_id": event.event_id,
        "visit_id": event.visit_id,
        "kind": event.kind,
        "from_state": event.from_state.value if event.from_state else None,
        "to_state": event.to_state.value if event.to_state else None,
        "at": to_iso(event.at),
        "actor": event.actor,
        "device_id": event.device_id,
        "data": event.data,
    }


class VisitRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        self.outbox = OutboxRepository(db)

    # --- writes (always inside a transaction the caller or this class opens) ---

    def insert(self, conn: sqlite3.Connection, visit: Visit) -> None:
        conn.execute(
            f"INSERT INTO visits ({_VISIT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                visit.id,
                visit.office_code,
                visit.guest_id,
                visit.purpose,
                visit.host_id,
                visit.host_name,
                visit.state.value,
                to_iso(visit.created_at),
                to_iso(visit.updated_at),
                visit.device_id,
                to_iso(visit.expires_at) if visit.expires_at else None,
                visit.photo_path,
                visit.locker_door,
                visit.pass_id,
                ",".join(visit.flags),
            ),
        )

    def update(self, conn: sqlite3.Connection, visit: Visit) -> None:
        cur = conn.execute(
            "UPDATE visits SET state=?, updated_at=?, host_id=?, host_name=?, purpose=?, expires_at=?, photo_path=?,"
            " locker_door=?, pass_id=?, flags=? WHERE id=?",
            (
                visit.state.value,
                to_iso(visit.updated_at),
                visit.host_id,
                visit.host_name,
                visit.purpose,
                to_iso(visit.expires_at) if visit.expires_at else None,
                visit.photo_path,
                visit.locker_door,
                visit.pass_id,
                ",".join(visit.flags),
                visit.id,
            ),
        )
        if cur.rowcount != 1:
            raise NotFound("Visit", visit.id)

    def append_event(self, conn: sqlite3.Connection, event: VisitEvent, *, outbox: bool = True) -> None:
        """Record an event; with `outbox`, also queue it for the central server (same transaction)."""
        conn.execute(
            "INSERT INTO visit_events(event_id, visit_id, kind, from_state, to_state, at, actor, device_id, data)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (
                event.event_id,
                event.visit_id,
                event.kind,
                event.from_state.value if event.from_state else None,
                event.to_state.value if event.to_state else None,
                to_iso(event.at),
                event.actor,
                event.device_id,
                json.dumps(event.data, ensure_ascii=False, sort_keys=True),
            ),
        )
        if outbox:
            self.outbox.enqueue(
                conn,
                key=f"event:{event.event_id}",
                topic="visit.event",
                aggregate_id=event.visit_id,
                payload=event_payload(event),
                at=event.at,
            )

    def save_transition(self, visit: Visit, event: VisitEvent) -> None:
        """The new state, its event and the outbox entry, in ONE transaction."""
        with self._db.transaction() as conn:
            current = conn.execute("SELECT state FROM visits WHERE id=?", (visit.id,)).fetchone()
            if current is None:
                raise NotFound("Visit", visit.id)
            if event.from_state is not None and current["state"] != event.from_state.value:
                # Another device or thread moved it first; the caller must reload and decide again.
                raise IllegalTransition(visit.id, current["state"], visit.state.value)
            self.update(conn, visit)
            self.append_event(conn, event)

    # --- reads ---

    def get(self, visit_id: str) -> Visit:
        row = self._db.conn.execute(f"SELECT {_VISIT_COLUMNS} FROM visits WHERE id=?", (visit_id,)).fetchone()
        if row is None:
            raise NotFound("Visit", visit_id)
        return _visit(row)

    def find(self, visit_id: str) -> Visit | None:
        row = self._db.conn.execute(f"SELECT {_VISIT_COLUMNS} FROM visits WHERE id=?", (visit_id,)).fetchone()
        return _visit(row) if row else None

    def find_by_pass(self, pass_id: str) -> Visit | None:
        row = self._db.conn.execute(f"SELECT {_VISIT_COLUMNS} FROM visits WHERE pass_id=?", (pass_id,)).fetchone()
        return _visit(row) if row else None

    def latest_of_guest(self, guest_id: int, *, with_photo: bool = False) -> Visit | None:
        """The guest's most recent visit (with a photo kept, when asked): a returning guest's fast lane."""
        photo = " AND photo_path != ''" if with_photo else ""
        row = self._db.conn.execute(
            f"SELECT {_VISIT_COLUMNS} FROM visits WHERE guest_id=?{photo} ORDER BY created_at DESC LIMIT 1",
            (guest_id,),
        ).fetchone()
        return _visit(row) if row else None

    def list_between(self, start: datetime, end: datetime) -> list[Visit]:
        rows = self._db.conn.execute(
            f"SELECT {_VISIT_COLUMNS} FROM visits WHERE created_at >= ? AND created_at < ? ORDER BY created_at",
            (to_iso(start), to_iso(end)),
        ).fetchall()
        return [_visit(r) for r in rows]

    def list_in_states(self, states: list[VisitState]) -> list[Visit]:
        marks = ",".join("?" for _ in states)
        rows = self._db.conn.execute(
            f"SELECT {_VISIT_COLUMNS} FROM visits WHERE state IN ({marks}) ORDER BY created_at",
            [s.value for s in states],
        ).fetchall()
        return [_visit(r) for r in rows]

    def events(self, visit_id: str) -> list[VisitEvent]:
        rows = self._db.conn.execute("SELECT * FROM visit_events WHERE visit_id=? ORDER BY seq", (visit_id,))
        return [_event(r) for r in rows]
