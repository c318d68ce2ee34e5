"""Sync bookkeeping: key/value state (pull cursor, worker state), host notices, and visits pulled from the central server."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from kiosk.domain.clock import from_iso, to_iso
from kiosk.domain.visit import Visit
from kiosk.store.db import Database
from kiosk.store.visits import _VISIT_COLUMNS, _visit

# Delivery states only move forward: a late 'delivered' never overwrites 'read'.
NOTICE_RANK = {"queued": 0, "sending": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}


@dataclass(frozen=True)
class HostNotice:
    id: int
    visit_id: str
    host_id: str
    channel: str
    provider_message_id: str
    status: str
    detail: str
    created_at: datetime
    updated_at: datetime
    sends: int = 0  # provider calls begun
    doubtful: int = 0  # of which the outcome was never learnt (the worker died, or no answer came)


def _notice(r: sqlite3.Row) -> HostNotice:
    return HostNotice(
        r["id"], r["visit_id"], r["host_id"], r["channel"], r["provider_message_id"], r["status"], r["detail"],
        from_iso(r["created_at"]), from_iso(r["updated_at"]), r["sends"], r["doubtful"],
    )


class SyncStateRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self._db.conn.execute("SELECT value FROM sync_state WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set(self, key: str, value: str, at: datetime, conn: sqlite3.Connection | None = None) -> None:
        sql = (
            "INSERT INTO sync_state(key, value, updated_at) VALUES (?,?,?)"
            " ON CONFLICT(key) DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at"
        )
        if conn is not None:
            conn.execute(sql, (key, value, to_iso(at)))
            return
        with self._db.transaction() as c:
            c.execute(sql, (key, value, to_iso(at)))


class HostNoticeRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, conn: sqlite3.Connection, visit_id: str, host_id: str, channel: str, at: datetime) -> int:
        cur = conn.execute(
            "INSERT INTO host_notices(visit_id, host_id, channel, created_at, updated_at) VALUES (?,?,?,?,?)",
            (visit_id, host_id, channel, to_iso(at), to_iso(at)),
        )
        return int(cur.lastrowid)

    def mark_sent(self, conn: sqlite3.Connection, notice_id: int, provider_message_id: str, at: datetime) -> None:
        conn.execute(
            "UPDATE host_notices SET status='sent', provider_message_id=?, detail='', updated_at=? WHERE id=?",
            (provider_message_id, to_iso(at), notice_id),
        )

    def begin_send(self, notice_id: int, at: datetime) -> HostNotice | None:
        """Record, committed before the provider is called, that a call is in flight. A notice found still in
        flight is one whose last call has no known outcome: it is counted as doubtful. Returns the notice after."""
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE host_notices SET doubtful = doubtful + (status = 'sending'), sends = sends + 1,"
                " status = 'sending', updated_at=? WHERE id=? AND status IN ('queued', 'sending', 'failed')",
                (to_iso(at), notice_id),
            )
        return self.get(notice_id)

    def not_sent(self, notice_id: int, reason: str, at: datetime) -> None:
        """The provider answered that it did not take the message: no longer in flight."""
        with self._db.transaction() as conn:
            conn.execute("UPDATE host_notices SET status='queued', detail=?, updated_at=? WHERE id=? AND status='sending'",
                         (reason[:300], to_iso(at), notice_id))

    def mark_failed(self, conn: sqlite3.Connection, notice_id: int, reason: str, at: datetime) -> None:
        conn.execute(
            "UPDATE host_notices SET status='failed', detail=?, updated_at=? WHERE id=?", (reason[:300], to_iso(at), notice_id)
        )

    def record_status(self, conn: sqlite3.Connection, provider_message_id: str, status: str, at: datetime) -> bool:
        """A status the channel reported (delivered, read, failed); never moves a notice backwards."""
        row = conn.execute(
            "SELECT id, status FROM host_notices WHERE provider_message_id=? AND provider_message_id != ''",
            (provider_message_id,),
        ).fetchone()
        if row is None or NOTICE_RANK.get(status, -1) <= NOTICE_RANK.get(row["status"], 0):
            return False
        conn.execute("UPDATE host_notices SET status=?, updated_at=? WHERE id=?", (status, to_iso(at), row["id"]))
        return True

    def for_visit(self, visit_id: str) -> list[HostNotice]:
        rows = self._db.conn.execute("SELECT * FROM host_notices WHERE visit_id=? ORDER BY id", (visit_id,))
        return [_notice(r) for r in rows]

    def get(self, notice_id: int) -> HostNotice | None:
        r = self._db.conn.execute("SELECT * FROM host_notices WHERE id=?", (notice_id,)).fetchone()
        return _notice(r) if r else None


class PulledVisitWriter:
    """Writes visits learnt from the central feed: display data only, never a NIK or an address."""

    def event_known(self, conn: sqlite3.Connection, event_id: str) -> bool:
        return conn.execute("SELECT 1 FROM visit_events WHERE event_id=?", (event_id,)).fetchone() is not None

    def visit_known(self, conn: sqlite3.Connection, visit_id: str) -> bool:
        return conn.execute("SELECT 1 FROM visits WHERE id=?", (visit_id,)).fetchone() is not None

    def insert_display_guest(self, conn: sqlite3.Connection, *, name: str, nik_last4: str, institution: str, at: datetime) -> int:
        cur = conn.execute(
            "INSERT INTO guests(nik_hash, nik_enc, nik_last4, name, institution, address_enc, consent_basis,"
            " created_at, updated_at) VALUES (NULL, NULL, ?, ?, ?, NULL, 'pulled', ?, ?)",
            (nik_last4, name, institution, to_iso(at), to_iso(at)),
        )
        return int(cur.lastrowid)

    def visit(self, conn: sqlite3.Connection, visit_id: str) -> Visit | None:
        row = conn.execute(f"SELECT {_VISIT_COLUMNS} FROM visits WHERE id=?", (visit_id,)).fetchone()
        return _visit(row) if row else None
