"""Pre-registrations behind invitation QRs: purpose, host, the NIK named (encrypted), the visit that used it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.domain.clock import from_iso, to_iso
from kiosk.store.crypto import FieldCipher
from kiosk.store.db import Database


@dataclass(frozen=True)
class InvitationRecord:
    id: str
    purpose: str
    host_id: str
    host_name: str
    nik: str  # "" when the invitation names no NIK
    valid_from: datetime
    valid_until: datetime
    visit_id: str = ""
    revoked: bool = False  # revoked on the central desk
    name: str = ""  # the guest's name and phone as the desk's invitation gave them (encrypted at rest)
    phone: str = ""


class InvitationRepository:
    def __init__(self, db: Database, cipher: FieldCipher) -> None:
        self._db = db
        self._cipher = cipher

    def insert(self, record: InvitationRecord, *, at: datetime) -> None:
        nik_hash = self._cipher.lookup_hash(record.nik) if record.nik else None
        nik_enc = self._cipher.encrypt(record.nik, "nik") if record.nik else None
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO invitations(id, purpose, host_id, host_name, nik_hash, nik_enc, valid_from, valid_until,"
                " created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (record.id, record.purpose, record.host_id, record.host_name, nik_hash, nik_enc,
                 to_iso(record.valid_from), to_iso(record.valid_until), to_iso(at)),
            )

    def get(self, invitation_id: str) -> InvitationRecord | None:
        r = self._db.conn.execute("SELECT * FROM invitations WHERE id=?", (invitation_id,)).fetchone()
        if r is None:
            return None
        return InvitationRecord(
            id=r["id"], purpose=r["purpose"], host_id=r["host_id"], host_name=r["host_name"],
            nik=self._cipher.decrypt(r["nik_enc"], "nik") if r["nik_enc"] else "",
            valid_from=from_iso(r["valid_from"]), valid_until=from_iso(r["valid_until"]), visit_id=r["visit_id"] or "",
            revoked=bool(r["revoked_at"]),
            name=self._cipher.decrypt(r["name_enc"], "invitation.name") if r["name_enc"] else "",
            phone=self._cipher.decrypt(r["phone_enc"], "invitation.phone") if r["phone_enc"] else "",
        )

    # --- invitations issued on the central desk, learnt from the pull (in the puller's transaction) ---

    def upsert_pulled(self, conn, record: InvitationRecord, *, at: datetime) -> bool:
        """Store an invitation the central desk issued; one already known is left as it is."""
        nik_hash = self._cipher.lookup_hash(record.nik) if record.nik else None
        nik_enc = self._cipher.encrypt(record.nik, "nik") if record.nik else None
        name_enc = self._cipher.encrypt(record.name, "invitation.name") if record.name else None
        phone_enc = self._cipher.encrypt(record.phone, "invitation.phone") if record.phone else None
        return conn.execute(
            "INSERT INTO invitations(id, purpose, host_id, host_name, nik_hash, nik_enc, valid_from, valid_until,"
            " created_at, name_enc, phone_enc) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING",
            (record.id, record.purpose, record.host_id, record.host_name, nik_hash, nik_enc,
             to_iso(record.valid_from), to_iso(record.valid_until), to_iso(at), name_enc, phone_enc),
        ).rowcount > 0

    @staticmethod
    def revoke(conn, invitation_id: str, *, at: datetime) -> bool:
        return conn.execute("UPDATE invitations SET revoked_at=? WHERE id=? AND revoked_at IS NULL",
                            (to_iso(at), invitation_id)).rowcount > 0

    @staticmethod
    def mark_used_elsewhere(conn, invitation_id: str, visit_id: str) -> bool:
        """Another device's registration used it (the central feed says so): refused here as used."""
        return conn.execute("UPDATE invitations SET visit_id=? WHERE id=? AND visit_id IS NULL",
                            (visit_id, invitation_id)).rowcount > 0

    @staticmethod
    def delete(conn, invitation_id: str) -> bool:
        return conn.execute("DELETE FROM invitations WHERE id=?", (invitation_id,)).rowcount > 0

    @staticmethod
    def add_key(conn, key_id: str, public_hex: str, *, at: datetime) -> None:
        conn.execute("INSERT INTO invitation_keys(key_id, public_hex, created_at) VALUES (?,?,?)"
                     " ON CONFLICT(key_id) DO NOTHING", (key_id, public_hex, to_iso(at)))

    def key(self, key_id: str) -> str | None:
        """The public key (raw, hex) of a central office's invitation key, when pulled."""
        r = self._db.conn.execute("SELECT public_hex FROM invitation_keys WHERE key_id=?", (key_id,)).fetchone()
        return r[0] if r else None

    def mark_used(self, invitation_id: str, visit_id: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE invitations SET visit_id=? WHERE id=? AND visit_id IS NULL", (visit_id, invitation_id))
