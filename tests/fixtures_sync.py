"""Helpers for the sync tests: the reference central server as a real process on loopback, and devices."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "office-token-123"
OFFICE = "KEJARI-KLK"  # config/simulate.toml


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CentralProcess:
    """`kiosk central serve` in a subprocess; start/stop keep the same port and database."""

    def __init__(self, db_path: Path, port: int | None = None, seed_config: Path | None = None) -> None:
        self.db_url = f"sqlite:///{db_path}"
        self.port = port or free_port()
        self.seed_config = seed_config
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> CentralProcess:
        cmd = [sys.executable, "-m", "kiosk", "central", "serve", "--db", self.db_url, "--port", str(self.port), "--token", TOKEN]
        if self.seed_config:
            cmd += ["--seed-config", str(self.seed_config)]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("central serving on"), line
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def get(self, path: str, **params) -> dict:
        r = requests.get(self.url + path, params=params, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
        r.raise_for_status()
        return r.json()

    def post(self, path: str, body: dict, **headers) -> requests.Response:
        return requests.post(self.url + path, json=body, headers={"Authorization": f"Bearer {TOKEN}", **headers}, timeout=10)


def device_context(make_config, tmp_path: Path, name: str, central_url: str, *, role: str = "guest", notifier=None):
    """An AppContext for one device of the office, with its own data directory and key."""
    import dataclasses

    from kiosk.app.context import AppContext
    from kiosk.domain.clock import FixedClock

    cfg = make_config({"central": {"url": central_url, "token": TOKEN, "retry_base_s": 0.01, "retry_max_s": 0.1},
                       "kiosk": {"role": role, "device_id": name},
                       "notifier": notifier or {"kind": "none"}})
    d = tmp_path / name
    cfg = dataclasses.replace(
        cfg,
        kiosk=dataclasses.replace(cfg.kiosk, data_dir=str(d / "data")),
        privacy=dataclasses.replace(cfg.privacy, key_file=str(d / "keys" / "data.key")),
    )
    return AppContext(cfg, clock=FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC)))


def register(ctx, i: int, *, purpose: str = "meet_employee", host_id: str = "kasi-pidum"):
    from kiosk.app.registration import GuestIdentity

    host = ctx.hosts.get(host_id)
    return ctx.registration.register(
        GuestIdentity(nik=f"510501410190{i:04d}", name=f"Tamu Nomor {i}", phone="081234567890",
                      institution="PT Contoh" if i % 2 else "", address=f"Jl. Melati {i}"),
        purpose=purpose, host_id=host_id, host_name=host.name if host else host_id, consent=True,
    )


def drain_all(ctx, *, rounds: int = 200) -> None:
    """Drain until nothing is pending, advancing the test clock past any backoff."""
    for _ in range(rounds):
        # Topics without a destination configured (no central URL) stay queued on purpose.
        if not [m for m in ctx.visits.outbox.by_status("pending", 100_000) if m.topic in ctx.sync.handlers]:
            return
        ctx.sync.drain_once()
        ctx.clock.advance(seconds=1)
    raise AssertionError(f"outbox not drained: {ctx.visits.outbox.counts()}")


def wait_for(predicate, timeout: float = 30.0, step: float = 0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not reached in time")
