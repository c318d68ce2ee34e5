"""The returning guest's wrong proofs: three tries per NIK, a 15-minute lock-out, kept in SQLite."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kiosk.store.crypto import FieldCipher
from kiosk.store.db import Database
from kiosk.store.proof_attempts import ProofAttemptRepository

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
NIK = "5105011203900001"


def _repo(tmp_path) -> ProofAttemptRepository:
    db = Database(tmp_path / "kiosk.db")
    db.migrate()
    return ProofAttemptRepository(db, FieldCipher(bytes(32)))


def test_wrong_tries_lock_then_decay_and_a_right_one_clears_them(tmp_path):
    tries = _repo(tmp_path)
    assert [tries.record_wrong(NIK, T0 + timedelta(seconds=i)) for i in range(3)] == [2, 1, 0]
    assert tries.locked(NIK, T0 + timedelta(minutes=14)) and not tries.locked(NIK, T0 + timedelta(minutes=16))
    assert not tries.locked("3201015708850123", T0)
    tries.record_wrong("3201015708850123", T0)
    tries.clear("3201015708850123")
    assert tries.record_wrong("3201015708850123", T0) == 2


def test_the_lock_out_outlives_the_connection_and_old_tries_are_deleted(tmp_path):
    tries = _repo(tmp_path)
    for i in range(3):
        tries.record_wrong(NIK, T0 + timedelta(seconds=i))
    tries.db.close()
    again = _repo(tmp_path)
    assert again.locked(NIK, T0 + timedelta(minutes=1))
    again.record_wrong("3201015708850123", T0 + timedelta(hours=1))  # writing prunes rows past the lock-out
    assert again.db.conn.execute("SELECT COUNT(*) FROM proof_attempts").fetchone()[0] == 1
