"""Sync throughput: visits/s pushed from the outbox to the local reference central server, time to drain a
backlog, and memory (RSS) of the worker and the server before and after.

Default backlog 2,000 visits (about a minute on a busy 2-core machine); `--full` drains 10,000.
"""
from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import table

ROOT = Path(__file__).resolve().parent.parent


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fill(ctx, n: int) -> float:
    from kiosk.app.registration import GuestIdentity

    # The backlog is the subject, not the registering: fill it without fsync, then measure with FULL.
    ctx.db.conn.execute("PRAGMA synchronous=OFF")
    t = time.perf_counter()
    for i in range(n):
        ctx.registration.register(
            GuestIdentity(nik=f"5105014101{i:06d}", name=f"Tamu {i}", phone="081234567890", address="Jl. Melati 3"),
            purpose="meet_employee", host_id="kasi-pidum", host_name="I Gede Wirawan, S.H.", consent=True,
        )
    ctx.db.conn.execute("PRAGMA synchronous=FULL")
    return time.perf_counter() - t


def run(n: int, workdir: Path, db_url: str | None = None, batch: bool = True) -> dict[str, float]:
    from kiosk.app.context import AppContext
    from kiosk.config import parse_config
    from kiosk.domain.clock import FixedClock

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cfg = parse_config({
        "office": {"code": "KEJARI-KLK"}, "kiosk": {"data_dir": str(workdir / "data")},
        "privacy": {"key_file": str(workdir / "k.key")}, "notifier": {"kind": "none"},
        "central": {"url": url, "token": "bench", "retry_base_s": 0.05, "retry_max_s": 0.5, "batch_size": 200,
                    "batch_push": batch},
    })
    ctx = AppContext(cfg, clock=FixedClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC)))
    fill_s = _fill(ctx, n)
    assert ctx.sync.drain_once().sent == 0  # server not started yet: the backlog waits
    # Loopback and no credential issued: the server runs open (the kiosk's token is ignored).
    server = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "central", "serve", "--db", db_url or f"sqlite:///{workdir / 'central.sqlite3'}",
         "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if not server.stdout.readline() and server.wait(timeout=10) is not None:
        ctx.close()
        raise RuntimeError(f"the central server did not start (exit {server.returncode}); try: kiosk central serve --db ...")
    try:
        worker = ctx.sync.worker
        worker.wake()
        rss_before, server_before = rss_mb(), rss_mb(server.pid)
        t = time.perf_counter()
        while ctx.visits.outbox.counts()["pending"]:
            if not worker.drain_once().sent:
                ctx.clock.advance(seconds=1)
        drain_s = time.perf_counter() - t
        rss_after, server_after = rss_mb(), rss_mb(server.pid)
        stored = ctx.sync.client.events_since("0", 1000)[0]
    finally:
        server.terminate()
        server.wait(timeout=10)
        ctx.close()
    assert len(stored) == min(n, 1000)
    return {"n": n, "fill_s": fill_s, "drain_s": drain_s, "rate": n / drain_s, "rss_before": rss_before,
            "rss_after": rss_after, "server_before": server_before, "server_after": server_after}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.sync")
    parser.add_argument("-n", type=int, default=2000, help="backlog of visits to drain (default 2000)")
    parser.add_argument("--full", action="store_true", help="drain a backlog of 10,000 visits")
    parser.add_argument("--db", default=None, help="the central server's SQLAlchemy URL, e.g. postgresql://u:p@host/db"
                        " (an empty database; needs a driver such as psycopg2-binary); default: a SQLite file")
    parser.add_argument("--peer-n", type=int, default=1000,
                        help="backlog drained one message per request, the peer (default 1000)")
    args = parser.parse_args(argv)
    n = 10_000 if args.full else args.n
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as d:
        r = run(n, Path(d), args.db)
    with tempfile.TemporaryDirectory(prefix="bench-sync-peer-") as d:
        peer = run(min(args.peer_n, n), Path(d), args.db, batch=False)
    server_db = args.db.split("://")[0] if args.db else "SQLite FULL fsync"
    print(f"Outbox -> reference central server on loopback (HTTP/1.1 keep-alive, kiosk SQLite FULL fsync, server "
          f"{server_db}); "
          f"backlog of {n:,} visits, each pushed with its guest's decrypted fields and an idempotency key")
    print(table(["figure", "value"], [
        ["backlog filled (not measured: synchronous=OFF)", f"{r['fill_s']:.1f} s"],
        ["time to drain the backlog", f"{r['drain_s']:.1f} s"],
        ["visits pushed per second (batch requests)", f"{r['rate']:,.0f}"],
        [f"peer: one visit per request, {peer['n']:,} visits", f"{peer['rate']:,.0f} /s ({peer['drain_s']:.1f} s)"],
        ["ms per visit", f"{1000 / r['rate']:.2f}"],
        ["worker RSS before -> after drain", f"{r['rss_before']:.1f} -> {r['rss_after']:.1f} MB"],
        ["server RSS before -> after drain", f"{r['server_before']:.1f} -> {r['server_after']:.1f} MB"],
    ]))


if __name__ == "__main__":
    main()
