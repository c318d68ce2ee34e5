"""Operations tables: the staff PIN lock-out state and the processing log of personal data (UU PDP)."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.domain.clock import from_iso, to_iso
from kiosk.store.db import Database


@dataclass(frozen=True)
class PinState:
    failures: int
    locked_until: datetime | None
    updated_at: datetime | None = None  # the last wrong PIN (or reset)


@dataclass(frozen=True)
class ProcessingEntry:
    id: int
    at: datetime
    action: str
    request_id: str
    actor: str
    device_id: str
    details: dict[str, Any]


class OperationsRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- staff PIN ---

    def pin_state(self) -> PinState:
        row = self._db.conn.execute("SELECT failures, locked_until, updated_at FROM staff_pin_state WHERE id=1").fetchone()
        if row is None:
            return PinState(0, None)
        return PinState(row["failures"], from_iso(row["locked_until"]) if row["locked_until"] else None,
                        from_iso(row["updated_at"]))

    def save_pin_state(self, state: PinState, at: datetime) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO staff_pin_state(id, failures, locked_until, updated_at) VALUES (1, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET failures=excluded.failures, locked_until=excluded.locked_until,"
                " updated_at=excluded.updated_at",
                (state.failures, to_iso(state.locked_until) if state.locked_until else None, to_iso(at)),
            )

    def reset_pin_state(self) -> bool:
        """Forget wrong PINs and any lock-out (the root-only `kiosk staff pin-reset`). True if there was any."""
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM staff_pin_state WHERE id=1 AND failures > 0").rowcount > 0

    # --- processing log ---

    def log_processing(
        self,
        conn: sqlite3.Connection,
        *,
        at: datetime,
        action: str,
        request_id: str,
        actor: str,
        device_id: str,
        details: dict[str, Any],
    ) -> None:
        conn.execute(
            "INSERT INTO processing_log(at, action, request_id, actor, device_id, details) VALUES (?,?,?,?,?,?)",
            (to_iso(at), action, request_id, actor, device_id, json.dumps(details, sort_keys=True)),
        )

    def processing_log(self, limit: int = 1000) -> list[ProcessingEntry]:
        rows = self._db.conn.execute("SELECT * FROM processing_log ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [
            ProcessingEntry(r["id"], from_iso(r["at"]), r["action"], r["request_id"], r["actor"], r["device_id"],
                            json.loads(r["details"]))
            for r in rows
        ]
