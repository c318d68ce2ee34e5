"""The `lockers` table: which door is free, assigned to which visit, faulty or out of service."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from kiosk.domain.clock import to_iso
from kiosk.store.db import Database

FREE = "free"
ASSIGNED = "assigned"
FAULTY = "faulty"
OUT_OF_SERVICE = "out_of_service"


@dataclass(frozen=True)
class LockerRow:
    door: int
    board: int
    lock: int
    state: str
    visit_id: str | None
    note: str
    updated_at: str


def _row(r: sqlite3.Row) -> LockerRow:
    return LockerRow(r["door"], r["board"], r["lock"], r["state"], r["visit_id"], r["note"], r["updated_at"])


class LockerRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def sync(self, layout: Iterable[tuple[int, int, int]], out_of_service: Iterable[int], at: datetime) -> None:
        """Make the table match the configured doors (door, board address, lock index).

        New doors are added free; doors listed out of service are taken out (an assigned one keeps
        its visit and goes out of service when released); doors no longer configured are removed
        unless a visit still holds them. Faulty doors stay faulty: only a confirmed opening clears them.
        """
        now = to_iso(at)
        oos = set(out_of_service)
        wanted = {door: (board, lock) for door, board, lock in layout}
        with self._db.transaction() as conn:
            existing = {r["door"]: r for r in conn.execute("SELECT * FROM lockers")}
            for door, (board, lock) in wanted.items():
                row = existing.get(door)
                if row is None:
                    conn.execute(
                        "INSERT INTO lockers(door, board, lock, state, note, updated_at) VALUES (?,?,?,?,?,?)",
                        (door, board, lock, OUT_OF_SERVICE if door in oos else FREE, "", now),
                    )
                    continue
                if (row["board"], row["lock"]) != (board, lock):
                    conn.execute("UPDATE lockers SET board=?, lock=?, updated_at=? WHERE door=?", (board, lock, now, door))
                if door in oos and row["state"] in (FREE, FAULTY):
                    conn.execute(
                        "UPDATE lockers SET state=?, updated_at=? WHERE door=?", (OUT_OF_SERVICE, now, door)
                    )
                elif door not in oos and row["state"] == OUT_OF_SERVICE:
                    conn.execute("UPDATE lockers SET state=?, note='', updated_at=? WHERE door=?", (FREE, now, door))
            for door, row in existing.items():
                if door not in wanted and row["visit_id"] is None:
                    conn.execute("DELETE FROM lockers WHERE door=?", (door,))

    def all(self) -> list[LockerRow]:
        return [_row(r) for r in self._db.conn.execute("SELECT * FROM lockers ORDER BY door")]

    def get(self, door: int) -> LockerRow | None:
        r = self._db.conn.execute("SELECT * FROM lockers WHERE door=?", (door,)).fetchone()
        return _row(r) if r else None

    def for_visit(self, visit_id: str) -> LockerRow | None:
        r = self._db.conn.execute("SELECT * FROM lockers WHERE visit_id=?", (visit_id,)).fetchone()
        return _row(r) if r else None

    def free_doors(self) -> list[int]:
        """Free doors, least recently used first, so wear spreads over the bank."""
        rows = self._db.conn.execute("SELECT door FROM lockers WHERE state=? ORDER BY updated_at, door", (FREE,))
        return [r[0] for r in rows]

    def assign(self, conn: sqlite3.Connection, door: int, visit_id: str, at: datetime) -> bool:
        """Inside the caller's transaction; False when the door was taken meanwhile."""
        cur = conn.execute(
            "UPDATE lockers SET state=?, visit_id=?, note='', updated_at=? WHERE door=? AND state=?",
            (ASSIGNED, visit_id, to_iso(at), door, FREE),
        )
        return cur.rowcount == 1

    def release(self, conn: sqlite3.Connection, door: int, at: datetime, *, out_of_service: bool = False) -> None:
        conn.execute(
            "UPDATE lockers SET state=?, visit_id=NULL, updated_at=? WHERE door=?",
            (OUT_OF_SERVICE if out_of_service else FREE, to_iso(at), door),
        )

    def mark(self, conn: sqlite3.Connection, door: int, state: str, note: str, at: datetime) -> None:
        conn.execute(
            "UPDATE lockers SET state=?, note=?, updated_at=? WHERE door=?", (state, note, to_iso(at), door)
        )

    def assigned_to_open_visits(self, open_states: Iterable[str]) -> list[tuple[LockerRow, str, str]]:
        """(locker, visit state, visit created_at) for every door held by a visit that is still open."""
        states = list(open_states)
        marks = ",".join("?" for _ in states)
        rows = self._db.conn.execute(
            f"SELECT l.*, v.state AS visit_state, v.created_at AS visit_created FROM lockers l"
            f" JOIN visits v ON v.id = l.visit_id WHERE l.state=? AND v.state IN ({marks}) ORDER BY l.door",
            [ASSIGNED, *states],
        ).fetchall()
        return [(_row(r), r["visit_state"], r["visit_created"]) for r in rows]
