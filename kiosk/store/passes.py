"""The `gate_passes` table: the pass of each visit, its token, print count and revocation."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from kiosk.domain.clock import to_iso
from kiosk.store.db import Database


@dataclass(frozen=True)
class PassRecord:
    pass_id: str
    visit_id: str
    token: str
    key_id: str
    issued_at: str
    expires_at: str
    prints: int
    revoked_at: str | None


def _record(r: sqlite3.Row) -> PassRecord:
    return PassRecord(
        r["pass_id"], r["visit_id"], r["token"], r["key_id"], r["issued_at"], r["expires_at"], r["prints"], r["revoked_at"]
    )


class PassRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def for_visit(self, visit_id: str) -> PassRecord | None:
        r = self._db.conn.execute("SELECT * FROM gate_passes WHERE visit_id=?", (visit_id,)).fetchone()
        return _record(r) if r else None

    def get(self, pass_id: str) -> PassRecord | None:
        r = self._db.conn.execute("SELECT * FROM gate_passes WHERE pass_id=?", (pass_id,)).fetchone()
        return _record(r) if r else None

    def assign(
        self,
        conn: sqlite3.Connection,
        *,
        visit_id: str,
        pass_id: str,
        token: str,
        key_id: str,
        issued_at: datetime,
        expires_at: datetime,
    ) -> None:
        """Record the visit's pass (inside the caller's transaction); a second call keeps the first pass."""
        conn.execute(
            "INSERT INTO gate_passes(pass_id, visit_id, token, key_id, issued_at, expires_at) VALUES (?,?,?,?,?,?)"
            " ON CONFLICT(visit_id) DO NOTHING",
            (pass_id, visit_id, token, key_id, to_iso(issued_at), to_iso(expires_at)),
        )

    def count_print(self, conn: sqlite3.Connection, pass_id: str, at: datetime) -> None:
        conn.execute(
            "UPDATE gate_passes SET prints = prints + 1, last_printed_at=? WHERE pass_id=?", (to_iso(at), pass_id)
        )

    def revoke(self, conn: sqlite3.Connection, pass_id: str, at: datetime, reason: str) -> None:
        conn.execute(
            "UPDATE gate_passes SET revoked_at=COALESCE(revoked_at, ?), revoked_reason=? WHERE pass_id=?",
            (to_iso(at), reason, pass_id),
        )

    def revoked_ids(self) -> set[str]:
        rows = self._db.conn.execute("SELECT pass_id FROM gate_passes WHERE revoked_at IS NOT NULL")
        return {r[0] for r in rows}
