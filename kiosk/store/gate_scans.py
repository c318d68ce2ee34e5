"""The gate's scan log, and the scan events of every device (pulled ones included) for reconciliation."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from kiosk.domain.clock import from_iso, to_iso
from kiosk.store.db import Database

SCAN_EVENT = "gate_scan"


@dataclass(frozen=True)
class ScanRecord:
    scanned_at: datetime
    device_id: str
    pass_id: str
    visit_id: str
    verdict: str
    reason: str


@dataclass(frozen=True)
class ScanEvent:
    visit_id: str
    at: datetime
    device_id: str
    verdict: str
    event_id: str


class GateScanRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def log(self, conn: sqlite3.Connection, rec: ScanRecord, token_hash: str) -> None:
        conn.execute(
            "INSERT INTO gate_scans(scanned_at, device_id, pass_id, visit_id, verdict, reason, token_hash)"
            " VALUES (?,?,?,?,?,?,?)",
            (to_iso(rec.scanned_at.astimezone(UTC)), rec.device_id, rec.pass_id, rec.visit_id, rec.verdict, rec.reason,
             token_hash),
        )  # fmt: skip

    def recent(self, limit: int = 50) -> list[ScanRecord]:
        rows = self._db.conn.execute(
            "SELECT scanned_at, device_id, pass_id, visit_id, verdict, reason FROM gate_scans ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [ScanRecord(from_iso(r[0]), *r[1:]) for r in rows]

    def last_green(self, pass_id: str) -> ScanRecord | None:
        """This device's last entry or exit on this pass id, whether or not it knows the visit."""
        r = self._db.conn.execute(
            "SELECT scanned_at, device_id, pass_id, visit_id, verdict, reason FROM gate_scans"
            " WHERE pass_id=? AND verdict IN ('enter', 'exit') ORDER BY id DESC LIMIT 1",
            (pass_id,),
        ).fetchone()
        return ScanRecord(from_iso(r[0]), *r[1:]) if r else None

    def offline_scan_events(self, since: datetime | None = None) -> list[ScanEvent]:
        """Scans of passes whose visit this device did not know, as events named 'pass:<pass id>'."""
        sql = "SELECT id, scanned_at, device_id, pass_id, verdict FROM gate_scans WHERE visit_id='' AND pass_id!=''"
        args: list = []
        if since is not None:
            sql += " AND scanned_at >= ?"
            args.append(to_iso(since.astimezone(UTC)))
        rows = self._db.conn.execute(sql + " ORDER BY scanned_at, id", args).fetchall()
        return [ScanEvent(f"pass:{r[3]}", from_iso(r[1]), r[2], r[4], f"scan-{r[0]}") for r in rows]

    def visit_for_pass(self, pass_id: str) -> str | None:
        """The visit whose pass (printed or attempted) carries this id, from its events."""
        row = self._db.conn.execute(
            "SELECT visit_id FROM visit_events WHERE kind IN ('pass_printed', 'print_failed')"
            " AND json_extract(data, '$.pass_id') = ? ORDER BY seq DESC LIMIT 1",
            (pass_id,),
        ).fetchone()
        return row[0] if row else None

    def scan_events(self, since: datetime | None = None) -> list[ScanEvent]:
        """Scan events of every device, in time order (another device's arrive by the sync pull)."""
        sql = "SELECT visit_id, at, device_id, data, event_id FROM visit_events WHERE kind=?"
        args: list = [SCAN_EVENT]
        if since is not None:
            sql += " AND at >= ?"
            args.append(to_iso(since.astimezone(UTC)))
        rows = self._db.conn.execute(sql + " ORDER BY at, seq", args).fetchall()
        return [
            ScanEvent(r["visit_id"], from_iso(r["at"]), r["device_id"], json.loads(r["data"]).get("verdict", ""), r["event_id"])
            for r in rows
        ]
