"""SQL for retention and data-subject requests: which visits are past retention, and deleting visits with all
that hangs on them (events, outbox messages, rows of other tables that name the visit)."""
from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from kiosk.domain.clock import to_iso
from kiosk.store.db import Database

# SQLite limits the number of parameters of one statement; delete in chunks well below it.
_CHUNK = 500
# Tables that keep their rows when a visit goes (their foreign key sets visit_id to NULL): anonymous statistics
# such as survey answers. Every other table that names a visit loses those rows with it.
_KEEP_ON_PURGE = {"survey_responses", "lockers"}


@dataclass(frozen=True)
class VisitRef:
    id: str
    guest_id: int | None
    photo_path: str


def _chunks(ids: Sequence[str]):
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


class PrivacyRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def visits_created_before(self, cutoff: datetime) -> list[VisitRef]:
        """Visits registered strictly before `cutoff` (a visit registered exactly at the cut-off stays)."""
        rows = self._db.conn.execute(
            "SELECT id, guest_id, photo_path FROM visits WHERE created_at < ? ORDER BY created_at", (to_iso(cutoff),)
        ).fetchall()
        return [VisitRef(r["id"], r["guest_id"], r["photo_path"]) for r in rows]

    def visits_of_guest(self, guest_id: int) -> list[VisitRef]:
        rows = self._db.conn.execute(
            "SELECT id, guest_id, photo_path FROM visits WHERE guest_id=? ORDER BY created_at", (guest_id,)
        ).fetchall()
        return [VisitRef(r["id"], r["guest_id"], r["photo_path"]) for r in rows]

    def _dependents(self, conn: sqlite3.Connection) -> list[tuple[str, str]]:
        """(table, column) pairs naming a visit that the database would not clean up by itself."""
        out = []
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            if table in ("visits", "visit_events", "outbox") or table in _KEEP_ON_PURGE or table.startswith("sqlite_"):
                continue
            fks = {r["from"]: r for r in conn.execute(f"PRAGMA foreign_key_list('{table}')") if r["table"] == "visits"}
            for col in fks:
                if fks[col]["on_delete"].upper() not in ("CASCADE", "SET NULL", "SET DEFAULT"):
                    out.append((table, col))
            cols = {r["name"] for r in conn.execute(f"PRAGMA table_info('{table}')")}
            if "visit_id" in cols and "visit_id" not in fks:
                out.append((table, "visit_id"))
        return out

    def delete_visits(self, conn: sqlite3.Connection, visit_ids: Sequence[str]) -> dict[str, int]:
        """Delete the visits, their events (cascade), their outbox messages and dependent rows; return counts."""
        counts = {"visits": 0, "events": 0, "outbox": 0, "other_rows": 0}
        dependents = self._dependents(conn)
        for chunk in _chunks(list(visit_ids)):
            marks = ",".join("?" for _ in chunk)
            counts["events"] += conn.execute(
                f"SELECT COUNT(*) FROM visit_events WHERE visit_id IN ({marks})", chunk
            ).fetchone()[0]
            counts["outbox"] += conn.execute(f"DELETE FROM outbox WHERE aggregate_id IN ({marks})", chunk).rowcount
            for table, col in dependents:
                counts["other_rows"] += conn.execute(f'DELETE FROM "{table}" WHERE "{col}" IN ({marks})', chunk).rowcount
            counts["visits"] += conn.execute(f"DELETE FROM visits WHERE id IN ({marks})", chunk).rowcount
        return counts

    @staticmethod
    def delete_invitations_ended_before(conn: sqlite3.Connection, cutoff: datetime) -> int:
        """Pre-registrations (own or pulled from the desk) whose window ended before `cutoff`."""
        return conn.execute("DELETE FROM invitations WHERE valid_until < ?", (to_iso(cutoff),)).rowcount

    def delete_guests_without_visits(self, conn: sqlite3.Connection, guest_ids: Sequence[int]) -> int:
        """Delete those of `guest_ids` that no remaining visit refers to."""
        deleted = 0
        ids = sorted({g for g in guest_ids if g is not None})
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            marks = ",".join("?" for _ in chunk)
            deleted += conn.execute(
                f"DELETE FROM guests WHERE id IN ({marks})"
                " AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.guest_id = guests.id)",
                chunk,
            ).rowcount
        return deleted

    def delete_guest(self, conn: sqlite3.Connection, guest_id: int) -> int:
        return conn.execute("DELETE FROM guests WHERE id=?", (guest_id,)).rowcount
