"""SQLite in WAL mode: opening, pragmas, versioned migrations and the one way to run a transaction."""
from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from kiosk.domain.errors import KioskError
from kiosk.files import make_private, private_dir, touch_private

log = logging.getLogger(__name__)


class DatabaseUnusable(KioskError):
    code = "database_unusable"

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(path=str(path), reason=reason)

MIGRATIONS_PACKAGE = "kiosk.store.migrations"


def _migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every `NNNN_name.sql`, in version order."""
    found = []
    for entry in resources.files(MIGRATIONS_PACKAGE).iterdir():
        name = entry.name
        if not name.endswith(".sql"):
            continue
        version = int(name.split("_", 1)[0])
        found.append((version, name[:-4], entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise RuntimeError(f"two migrations share a version number: {versions}")
    return found


class Database:
    """One database file; a connection per thread, each with the same pragmas.

    `synchronous=FULL` makes every commit reach the disk (fsync) before it returns: a power cut
    after a commit never loses the visit.
    """

    def __init__(self, path: Path | str, *, synchronous: str = "FULL") -> None:
        self.path = Path(path)
        self.synchronous = synchronous
        self._local = threading.local()
        self._memory = str(self.path) == ":memory:"
        try:
            if not self._memory:
                # The database and its -wal/-shm hold personal data: 0600 in a 0700 folder whatever the umask
                # (SQLite gives the -wal and -shm files the database file's mode).
                private_dir(self.path.parent)
                touch_private(self.path)
            self.migrate()
            if not self._memory:
                for suffix in ("-wal", "-shm"):
                    make_private(f"{self.path}{suffix}")
        except sqlite3.DatabaseError as exc:
            self.close()
            raise DatabaseUnusable(self.path, str(exc)) from None

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self.synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        # Deleted rows are overwritten with zeros, in the database file and in the pages written to the WAL.
        conn.execute("PRAGMA secure_delete=ON")
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._open()
        return conn

    def checkpoint(self) -> bool:
        """Copy the WAL into the database and truncate it to zero bytes (after forget and purge, so deleted
        personal data does not linger in old WAL frames). False when a reader kept it from finishing."""
        if self._memory:
            return True
        busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return busy == 0

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; everything inside lands together or not at all."""
        conn = self.conn
        if conn.in_transaction:  # nested use joins the outer transaction
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    def migrate(self) -> list[str]:
        """Apply every migration not yet applied; return their names."""
        conn = self.conn
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (datetime('now')))"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        applied = []
        for version, name, sql in _migrations():
            if version in done:
                continue
            # executescript commits first; wrap the migration and its record in one transaction.
            try:
                conn.executescript(
                    "BEGIN IMMEDIATE;\n"
                    + sql
                    + f"\nINSERT INTO schema_migrations(version, name) VALUES ({version}, '{name}');\nCOMMIT;"
                )
            except sqlite3.Error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            log.info("migration applied", extra={"migration": name})
            applied.append(name)
        return applied

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM schema_migrations ORDER BY version")]
