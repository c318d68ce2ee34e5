"""The host directory: employees a guest can ask to meet (from config or pulled from the central API)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.domain.clock import to_iso
from kiosk.store.db import Database


@dataclass(frozen=True)
class Host:
    id: str
    name: str
    section: str = ""
    position: str = ""
    phone: str = ""


class HostRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def replace_all(self, hosts: list[Host], at: datetime) -> None:
        """Make the directory exactly `hosts`; hosts no longer listed are kept inactive (old visits name them)."""
        with self._db.transaction() as conn:
            conn.execute("UPDATE hosts SET active=0")
            conn.executemany(
                "INSERT INTO hosts(id, name, section, position, phone, active, updated_at) VALUES (?,?,?,?,?,1,?)"
                " ON CONFLICT(id) DO UPDATE SET name=excluded.name, section=excluded.section,"
                " position=excluded.position, phone=excluded.phone, active=1, updated_at=excluded.updated_at",
                [(h.id, h.name, h.section, h.position, h.phone, to_iso(at)) for h in hosts],
            )

    def active(self) -> list[Host]:
        rows = self._db.conn.execute(
            "SELECT id, name, section, position, phone FROM hosts WHERE active=1 ORDER BY name"
        ).fetchall()
        return [Host(*r) for r in rows]

    def get(self, host_id: str) -> Host | None:
        r = self._db.conn.execute("SELECT id, name, section, position, phone FROM hosts WHERE id=?", (host_id,)).fetchone()
        return Host(*r) if r else None

    def search(self, text: str) -> list[Host]:
        words = text.lower().split()
        return [h for h in self.active() if all(w in f"{h.name} {h.section} {h.position}".lower() for w in words)]
