"""Guests: every personal field (NIK, name, phone, institution, address) encrypted at rest, found again by a
keyed hash of the NIK (and of the phone number); nothing personal is stored in plaintext."""
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
        self.encrypt_plaintext_rows()

    def encrypt_plaintext_rows(self) -> int:
        """Encrypt guests written before name, phone and institution were encrypted, and blank their plaintext
        (secure_delete zeroes the old bytes; the checkpoint leaves no copy in the WAL). Returns the rows done."""
        rows = self._db.conn.execute(
            "SELECT id, name, phone, institution FROM guests WHERE name != '' OR phone != '' OR institution != ''"
        ).fetchall()
        if not rows:
            return 0
        with self._db.transaction() as conn:
            for r in rows:
                conn.execute(
                    "UPDATE guests SET name_enc=?, phone_enc=?, institution_enc=?, phone_hash=?,"
                    " name='', phone='', institution='' WHERE id=?",
                    (self._enc(r["name"], "name"), self._enc(r["phone"], "phone"),
                     self._enc(r["institution"], "institution"), self._phone_hash(r["phone"]), r["id"]),
                )  # fmt: skip
        self._db.checkpoint()
        return len(rows)

    def _enc(self, value: str, context: str) -> bytes | None:
        return self._cipher.encrypt(value, context) if value else None

    def _dec(self, blob: bytes | None, context: str) -> str:
        return self._cipher.decrypt(blob, context) if blob else ""

    def _phone_hash(self, phone: str) -> str | None:
        digits = "".join(ch for ch in phone if ch.isdigit())
        return self._cipher.lookup_hash("phone:" + digits) if digits else None

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
        fields = (
            self._enc(nik, "nik"), self._enc(name, "name"), self._enc(phone, "phone"),
            self._enc(institution, "institution"), self._enc(address, "address"), self._phone_hash(phone),
        )  # fmt: skip
        consent = to_iso(consent_at) if consent_at else None
        row = conn.execute("SELECT id FROM guests WHERE nik_hash=?", (key,)).fetchone() if key else None
        if row:
            conn.execute(
                "UPDATE guests SET nik_enc=?, name_enc=?, phone_enc=?, institution_enc=?, address_enc=?, phone_hash=?,"
                " name='', phone='', institution='',"
                " consent_at=COALESCE(?, consent_at), consent_basis=CASE WHEN ?='' THEN consent_basis ELSE ? END,"
                " updated_at=? WHERE id=?",
                (*fields, consent, consent_basis, consent_basis, to_iso(at), row[0]),
            )
            return int(row[0])
        cur = conn.execute(
            "INSERT INTO guests(nik_hash, nik_last4, nik_enc, name_enc, phone_enc, institution_enc, address_enc,"
            " phone_hash, name, phone, institution, consent_at, consent_basis, created_at, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,'','','',?,?,?,?)",
            (key, nik[-4:], *fields, consent, consent_basis, to_iso(at), to_iso(at)),
        )
        return int(cur.lastrowid)

    def insert_display(self, conn: sqlite3.Connection, *, name: str, nik_last4: str, institution: str, at: datetime) -> int:
        """A guest learnt from the central feed (security and survey devices): display data only, encrypted
        like everything else; no NIK, so never found by one."""
        cur = conn.execute(
            "INSERT INTO guests(nik_hash, nik_enc, nik_last4, name, name_enc, institution_enc, address_enc,"
            " consent_basis, created_at, updated_at) VALUES (NULL, NULL, ?, '', ?, ?, NULL, 'pulled', ?, ?)",
            (nik_last4, self._enc(name, "name"), self._enc(institution, "institution"), to_iso(at), to_iso(at)),
        )
        return int(cur.lastrowid)

    def _record(self, r: sqlite3.Row) -> GuestRecord:
        return GuestRecord(
            id=r["id"],
            nik=self._dec(r["nik_enc"], "nik"),
            name=self._dec(r["name_enc"], "name") or r["name"],
            phone=self._dec(r["phone_enc"], "phone") or r["phone"],
            institution=self._dec(r["institution_enc"], "institution") or r["institution"],
            address=self._dec(r["address_enc"], "address"),
            consent_at=from_iso(r["consent_at"]) if r["consent_at"] else None,
        )

    def get(self, guest_id: int) -> GuestRecord | None:
        r = self._db.conn.execute("SELECT * FROM guests WHERE id=?", (guest_id,)).fetchone()
        return self._record(r) if r else None

    def find_by_phone(self, phone: str) -> list[GuestRecord]:
        """Guests with this phone number (digits compared), found by its keyed hash, never by plaintext."""
        key = self._phone_hash(phone)
        rows = self._db.conn.execute("SELECT * FROM guests WHERE phone_hash=?", (key,)).fetchall() if key else []
        return [self._record(r) for r in rows]

    def find_by_nik(self, nik: str) -> GuestRecord | None:
        r = self._db.conn.execute("SELECT * FROM guests WHERE nik_hash=?", (self._cipher.lookup_hash(nik),)).fetchone()
        return self._record(r) if r else None
