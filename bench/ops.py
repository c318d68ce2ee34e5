"""Operations figures: retention purge of 10k visits, `kiosk selftest` duration, sd_notify cost per heartbeat.

Peers in the same run: purge by one DELETE per visit (instead of chunked IN lists); sd_notify through a
new socket per ping (instead of the one kept open).
"""
from __future__ import annotations

import socket
import tempfile
import time
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import summary_ms, table, time_calls

ROOT = Path(__file__).resolve().parent.parent
N_VISITS = 10_000


def _context(tmp: Path):
    from kiosk.app.context import AppContext
    from kiosk.config import parse_config
    from kiosk.domain.clock import FixedClock

    with open(ROOT / "config" / "simulate.toml", "rb") as fh:
        data = tomllib.load(fh)
    data["kiosk"]["data_dir"] = str(tmp / "data")
    data["privacy"]["key_file"] = str(tmp / "keys" / "data.key")
    cfg = parse_config(data, base_dir=ROOT)
    return AppContext(cfg, clock=FixedClock(datetime(2026, 1, 1, tzinfo=UTC)))


def _fill(ctx, n: int) -> None:
    """n visits, each with a guest, its first event, an outbox message and a photo, in one transaction
    (registering them one by one with fsync per commit would take minutes and measure something else)."""
    from kiosk.domain.visit import start_visit

    photos = ctx.config.data_dir / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    start = ctx.clock.now()
    repo = ctx.visits
    with ctx.db.transaction() as conn:
        for i in range(n):
            at = start + timedelta(minutes=i)
            gid = ctx.guests.upsert(conn, nik=f"51050112039{i:05d}", name=f"Tamu {i}", phone="", institution="",
                                    address="Jl. Contoh", at=at, consent_at=at)
            visit, event = start_visit(office_code="KEJARI-KLK", guest_id=gid, purpose="meet_employee", host_id="kajari",
                                       host_name="Kajari", at=at, actor="guest", device_id="lobby-1")
            rel = f"photos/{visit.id}.jpg"
            visit = visit.__class__(**{**visit.__dict__, "photo_path": rel})
            repo.insert(conn, visit)
            repo.append_event(conn, event)
            (ctx.config.data_dir / rel).write_bytes(b"x" * 2048)


def bench_purge() -> list[list[object]]:
    rows = []
    # The peer runs on fewer visits to keep the default run near a minute; compare the rates.
    for label, chunked, n in (("chunked IN (ours)", True, N_VISITS), ("one DELETE per visit (peer)", False, N_VISITS // 5)):
        with tempfile.TemporaryDirectory() as d:
            ctx = _context(Path(d))
            _fill(ctx, n)
            ctx.clock.set(ctx.clock.now() + timedelta(days=400))
            if not chunked:
                import kiosk.store.privacy as sp

                sp._CHUNK = 1
            t = time.perf_counter()
            r = ctx.privacy.purge()
            elapsed = time.perf_counter() - t
            if not chunked:
                sp._CHUNK = 500
            ctx.close()
            rows.append([label, r.visits, r.photos, f"{elapsed:.2f} s", f"{r.visits / elapsed:,.0f} visits/s"])
    return rows


def bench_selftest() -> str:
    with tempfile.TemporaryDirectory() as d:
        ctx = _context(Path(d))
        ctx.selftest.run()  # the locker emulator starts on the first call
        samples = time_calls(lambda: ctx.selftest.run(), repeat=10, warmup=1)
        ctx.close()
    return summary_ms(samples)


def bench_notify() -> list[list[object]]:
    import logging

    logging.getLogger("kiosk.systemd").setLevel(logging.ERROR)  # a full queue in a tight loop is expected here
    from kiosk.systemd import SystemdNotifier, notify

    with tempfile.TemporaryDirectory() as d:
        path = str(Path(d) / "notify.sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        server.bind(path)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        env = {"NOTIFY_SOCKET": path}
        kept = SystemdNotifier(env)

        # A reader thread plays systemd: a Unix datagram queue holds only ~10 messages.
        import threading

        stop = threading.Event()
        received = [0]

        def reader() -> None:
            server.settimeout(0.2)
            while not stop.is_set():
                try:
                    server.recv(64)
                    received[0] += 1
                except TimeoutError:
                    pass

        t_reader = threading.Thread(target=reader, daemon=True)
        t_reader.start()
        rows = []
        for label, fn in (("socket kept open (ours)", kept.ping), ("new socket per ping (peer)", lambda: notify("WATCHDOG=1", env=env))):
            n = 5_000
            sent = 0
            t = time.perf_counter()
            for _ in range(n):
                sent += bool(fn())
            per = (time.perf_counter() - t) / n
            rows.append([label, f"{per * 1e6:.1f} us/ping", f"{sent}/{n} sent"])
        stop.set()
        t_reader.join()
        kept.close()
        server.close()
    return rows


def main(argv: list[str] | None = None) -> None:
    import argparse

    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    print(f"retention purge of {N_VISITS:,} visits (with events, outbox rows and photo files)")
    print(table(["method", "visits", "photos", "time", "rate"], bench_purge()))
    print()
    print(f"kiosk selftest, all checks on simulated devices: {bench_selftest()}")
    print()
    print("sd_notify WATCHDOG=1 cost")
    print(table(["method", "cost", "delivered"], bench_notify()))


if __name__ == "__main__":
    main()
