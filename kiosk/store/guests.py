"""Guests: personal fields encrypted, found again by a keyed hash of the NIK."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from kiosk.domain.clock import from_iso, to_iso
from kiosk.store.crypto import FieldCipher
from kiosk.store.db import Database


@dataclass(frozen=True)
class GuestRecord:
    id: int
    nik: str
    name: str
    phone: str
    institution: str
    address: str
    consent_at: datetime | None


class GuestRepository:
    def __init__(self, db: Database, cipher: FieldCipher) -> None:
        self._db = db
        self._cipher = cipher

    def upsert(
        self,
        conn: sqlite3.Connection,
        *,
        nik: str,
        name: str,
        phone: str,
        institution: str,
        address: str,
        at: datetime,
        consent_at: datetime | None,
        consent_basis: str = "",
    ) -> int:
        """Insert or refresh a guest inside the caller's transaction; return the guest id."""
        key = self._cipher.lookup_hash(nik) if nik else None
        nik_enc = self._cipher.encrypt(nik, "nik") if nik else None
        addr_enc = self._cipher.encrypt(address, "address") if address else None
        consent = to_iso(consent_at) if consent_at else None
        row = conn.execute("SELECT id FROM guests WHERE nik_hash=?", (key,)).fetchone() if key else None
        if row:
            conn.execute(
                "UPDATE guests SET nik_enc=?, name=?, phone=?, institution=?, address_enc=?,"
                " consent_at=COALESCE(?, consent_at), consent_basis=CASE WHEN ?='' THEN consent_basis ELSE ? END,"
                " updated_at=? WHERE id=?",
                (nik_enc, name, phone, institution, addr_enc, consent, consent_basis, consent_basis, to_iso(at), row[0]),
            )
            return int(row[0])
        cur = conn.execute(
            "INSERT INTO guests(nik_hash, nik_enc, nik_last4, name, phone, institution, address_enc, consent_at,"
            " consent_basis, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (key, nik_enc, nik[-4:], name, phone, institution, addr_enc, consent, consent_basis, to_iso(at), to_iso(at)),
        )
        return int(cur.lastrowid)

    def _record(self, r: sqlite3.Row) -> GuestRecord:
        return GuestRecord(
            id=r["id"],
            nik=self._cipher.decrypt(r["nik_enc"], "nik") if r["nik_enc"] else "",
            name=r["name"],
            phone=r["phone"],
            institution=r["institution"],
            address=self._cipher.decrypt(r["address_enc"], "address") if r["address_enc"] else "",
            consent_at=from_iso(r["consent_at"]) if r["consent_at"] else None,
        )

    def get(self, guest_id: int) -> GuestRecord | None:
        r = self._db.conn.execute("SELECT * FROM guests WHERE id=?", (guest_id,)).fetchone()
        return self._record(r) if r else None

    def find_by_nik(self, nik: str) -> GuestRecord | None:
        r = self._db.conn.execute("SELECT * FROM guests WHERE nik_hash=?", (self._cipher.lookup_hash(nik),)).fetchone()
        return self._record(r) if r else None
