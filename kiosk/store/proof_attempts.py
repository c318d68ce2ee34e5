"""The returning guest's wrong proofs, kept in SQLite so that the lock-out outlives a restart.

The rule (how many tries, how long the lock-out) is the domain's `PROOF_ATTEMPTS` and `PROOF_LOCKOUT`; rows are
keyed by a keyed hash of the NIK (the field cipher's lookup key, which lives outside the database), and rows
older than the lock-out are deleted whenever one is written.
"""
from __future__ import annotations

from datetime import datetime

from kiosk.domain.clock import to_iso
from kiosk.domain.registration import PROOF_ATTEMPTS, PROOF_LOCKOUT
from kiosk.store.crypto import FieldCipher
from kiosk.store.db import Database


class ProofAttemptRepository:
    def __init__(self, db: Database, cipher: FieldCipher) -> None:
        self.db, self._cipher = db, cipher

    def _key(self, nik: str) -> str:
        return self._cipher.lookup_hash("proof:" + nik)

    def _recent(self, key: str, now: datetime) -> int:
        row = self.db.conn.execute("SELECT COUNT(*) FROM proof_attempts WHERE key=? AND at>?",
                                   (key, to_iso(now - PROOF_LOCKOUT))).fetchone()
        return int(row[0])

    def locked(self, nik: str, now: datetime) -> bool:
        return self._recent(self._key(nik), now) >= PROOF_ATTEMPTS

    def record_wrong(self, nik: str, now: datetime) -> int:
        """Count a wrong try; returns the tries left."""
        key = self._key(nik)
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM proof_attempts WHERE at<=?", (to_iso(now - PROOF_LOCKOUT),))
            conn.execute("INSERT INTO proof_attempts(key, at) VALUES (?, ?)", (key, to_iso(now)))
        return max(0, PROOF_ATTEMPTS - self._recent(key, now))

    def clear(self, nik: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM proof_attempts WHERE key=?", (self._key(nik),))
