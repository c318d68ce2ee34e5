"""Visits registered per second through the store (guest + visit + event + outbox in one transaction).

Compares, in the same run: our setting (WAL, synchronous=FULL: every commit is fsynced), WAL with
synchronous=NORMAL (may lose the last commits on power loss), and SQLite's default rollback journal.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import table


def _run(n: int, synchronous: str, journal: str) -> float:
    from kiosk.app.context import AppContext
    from kiosk.app.registration import GuestIdentity
    from kiosk.config import parse_config
    from kiosk.domain.clock import FixedClock
    from kiosk.store.db import Database

    with tempfile.TemporaryDirectory(dir=Path.cwd() / "var" if (Path.cwd() / "var").exists() else None) as d:
        cfg = parse_config({"kiosk": {"data_dir": d}, "privacy": {"key_file": f"{d}/k.key"}})
        ctx = AppContext(cfg, clock=FixedClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC)))
        ctx.__dict__["db"] = db = Database(cfg.database_path, synchronous=synchronous)
        db.conn.execute(f"PRAGMA journal_mode={journal}")
        t = time.perf_counter()
        for i in range(n):
            ctx.registration.register(
                GuestIdentity(nik=f"51050141019{i % 100000:05d}", name=f"Guest {i}", address="Jl. Melati 3"),
                purpose="meet_employee",
                host_id="h",
                host_name="Host",
                consent=True,
            )
        elapsed = time.perf_counter() - t
        ctx.close()
    return n / elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.store")
    parser.add_argument("-n", type=int, default=500, help="visits per configuration")
    args = parser.parse_args(argv)
    rows = []
    for label, sync, journal in (
        ("ours: WAL + synchronous=FULL", "FULL", "WAL"),
        ("peer: WAL + synchronous=NORMAL", "NORMAL", "WAL"),
        ("peer: rollback journal + FULL", "FULL", "DELETE"),
    ):
        rate = _run(args.n, sync, journal)
        rows.append([label, f"{rate:,.0f}", f"{1000 / rate:.2f}"])
    print(f"Registering {args.n} visits (guest upsert with AES-GCM fields, visit, event, outbox; one transaction each)")
    print(table(["configuration", "visits/s", "ms/visit"], rows))


if __name__ == "__main__":
    main()
