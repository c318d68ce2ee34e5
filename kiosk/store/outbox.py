"""The outbox table: everything to send is written here in the same transaction as the change it reports."""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.domain.clock import from_iso, to_iso


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    idempotency_key: str
    topic: str
    aggregate_id: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None


def _row(r: sqlite3.Row) -> OutboxMessage:
    return OutboxMessage(
        id=r["id"],
        idempotency_key=r["idempotency_key"],
        topic=r["topic"],
        aggregate_id=r["aggregate_id"],
        payload=json.loads(r["payload"]),
        status=r["status"],
        attempts=r["attempts"],
        next_attempt_at=from_iso(r["next_attempt_at"]),
        last_error=r["last_error"],
        created_at=from_iso(r["created_at"]),
        sent_at=from_iso(r["sent_at"]) if r["sent_at"] else None,
    )


class OutboxRepository:
    def __init__(self, conn_provider) -> None:
        self._db = conn_provider

    def enqueue(
        self, conn: sqlite3.Connection, *, key: str, topic: str, aggregate_id: str, payload: dict[str, Any], at: datetime
    ) -> None:
        """Add a message inside the caller's transaction; the same key twice is stored once."""
        conn.execute(
            "INSERT OR IGNORE INTO outbox(idempotency_key, topic, aggregate_id, payload, next_attempt_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (key, topic, aggregate_id, json.dumps(payload, ensure_ascii=False, sort_keys=True), to_iso(at), to_iso(at)),
        )

    def due(self, now: datetime, limit: int = 100, topics: Iterable[str] | None = None) -> list[OutboxMessage]:
        """Pending messages whose time has come, and only the oldest unsent one per aggregate (order per visit
        is kept: a later message never overtakes an earlier one, not even one parked for staff).
        `topics` restricts the answer (the worker leaves out destinations that are backing off)."""
        where, params = "", [to_iso(now)]
        if topics is not None:
            topics = list(topics)
            if not topics:
                return []
            where = f" AND o.topic IN ({','.join('?' for _ in topics)})"
            params += topics
        rows = self._db.conn.execute(
            "SELECT o.* FROM outbox o WHERE o.status = 'pending' AND o.next_attempt_at <= ?" + where +
            " AND o.id = (SELECT MIN(id) FROM outbox p WHERE p.aggregate_id = o.aggregate_id AND p.status IN ('pending', 'parked'))"
            " ORDER BY o.id LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [_row(r) for r in rows]

    def mark_sent(self, message_id: int, at: datetime, also: Callable[[sqlite3.Connection], None] | None = None) -> None:
        """Mark a message sent; `also` writes what the sending taught us (e.g. a provider's message id)
        in the same transaction, so a crash leaves both or neither."""
        with self._db.transaction() as conn:
            conn.execute("UPDATE outbox SET status='sent', sent_at=?, last_error='' WHERE id=?", (to_iso(at), message_id))
            if also is not None:
                also(conn)

    def mark_sent_many(self, message_ids: list[int], at: datetime) -> None:
        """Mark the messages one batch request delivered, in one transaction."""
        with self._db.transaction() as conn:
            conn.executemany("UPDATE outbox SET status='sent', sent_at=?, last_error='' WHERE id=?",
                             [(to_iso(at), mid) for mid in message_ids])

    def reschedule(self, message_id: int, next_at: datetime, error: str) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE outbox SET attempts=attempts+1, next_attempt_at=?, last_error=? WHERE id=?",
                (to_iso(next_at), error[:500], message_id),
            )

    def note_error(self, message_id: int, next_at: datetime, error: str) -> None:
        """Say why and until when a message waits, without charging it an attempt (its destination is down)."""
        with self._db.transaction() as conn:
            conn.execute("UPDATE outbox SET next_attempt_at=?, last_error=? WHERE id=?", (to_iso(next_at), error[:500], message_id))

    def held(self, limit: int = 100) -> list[OutboxMessage]:
        """Pending messages waiting behind a parked message of the same aggregate (they flow once it is retried)."""
        rows = self._db.conn.execute(
            "SELECT o.* FROM outbox o WHERE o.status='pending' AND EXISTS (SELECT 1 FROM outbox p"
            " WHERE p.aggregate_id=o.aggregate_id AND p.status='parked' AND p.id < o.id) ORDER BY o.id LIMIT ?", (limit,))
        return [_row(r) for r in rows]

    def park(self, message_id: int, reason: str, also: Callable[[sqlite3.Connection], None] | None = None) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE outbox SET status='parked', attempts=attempts+1, last_error=? WHERE id=?", (reason[:500], message_id)
            )
            if also is not None:
                also(conn)

    def unpark(self, at: datetime, message_ids: Iterable[int] | None = None) -> int:
        """Put parked messages back in the queue (all of them, or the ones named); returns how many."""
        with self._db.transaction() as conn:
            if message_ids is None:
                cur = conn.execute(
                    "UPDATE outbox SET status='pending', next_attempt_at=? WHERE status='parked'", (to_iso(at),)
                )
                return cur.rowcount
            n = 0
            for mid in message_ids:
                n += conn.execute(
                    "UPDATE outbox SET status='pending', next_attempt_at=? WHERE status='parked' AND id=?", (to_iso(at), mid)
                ).rowcount
            return n

    def oldest_pending_at(self) -> datetime | None:
        row = self._db.conn.execute("SELECT MIN(created_at) FROM outbox WHERE status='pending'").fetchone()
        return from_iso(row[0]) if row and row[0] else None

    def counts(self) -> dict[str, int]:
        rows = self._db.conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall()
        out = {"pending": 0, "sent": 0, "parked": 0}
        out.update({r[0]: r[1] for r in rows})
        return out

    def by_status(self, status: str, limit: int = 100) -> list[OutboxMessage]:
        rows = self._db.conn.execute("SELECT * FROM outbox WHERE status=? ORDER BY id LIMIT ?", (status, limit))
        return [_row(r) for r in rows]

    def for_aggregate(self, aggregate_id: str) -> list[OutboxMessage]:
        rows = self._db.conn.execute("SELECT * FROM outbox WHERE aggregate_id=? ORDER BY id", (aggregate_id,))
        return [_row(r) for r in rows]
