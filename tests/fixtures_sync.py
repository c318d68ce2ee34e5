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


APP_SECRET = "wa-app-secret-for-tests"  # the WhatsApp app secret the test server checks webhook signatures with


def sign_webhook(raw: bytes, secret: str = APP_SECRET) -> str:
    import hashlib
    import hmac

    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


class CentralProcess:
    """`kiosk central serve` in a subprocess on a database URL (the tests' PostgreSQL); start/stop keep the
    same port, database and key. One credential (TOKEN) is issued for the office's test devices."""

    def __init__(self, db_url: str, workdir: Path, port: int | None = None, seed_config: Path | None = None,
                 workers: int = 1, credential: bool = True, env: dict[str, str] | None = None) -> None:
        self.db_url = db_url
        self.workdir = Path(workdir)
        self.key_file = self.workdir / "central-keys" / "central.key"
        self.port = port or free_port()
        self.seed_config = seed_config
        self.workers = workers
        self.credential = credential
        self.extra_env = env or {}
        self.proc: subprocess.Popen | None = None
        self._store = None
        self._issued = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def store(self):
        """The service's store in this process (same database and key file), for setup and checks."""
        if self._store is None:
            from kiosk.central.db import open_engine
            from kiosk.central.keys import CentralKeys, ensure_key_file
            from kiosk.central.store import CentralStore

            self._store = CentralStore(open_engine(self.db_url, pool_size=2), CentralKeys.from_file(ensure_key_file(self.key_file)))
            if self.credential and not self._issued:
                self._store.issue_credential(OFFICE, "test-devices", token=TOKEN)
                self._issued = True
        return self._store

    def env(self) -> dict[str, str]:
        import os

        return {**os.environ, "KIOSK_CENTRAL_DB": self.db_url, "KIOSK_CENTRAL_KEY_FILE": str(self.key_file),
                "KIOSK_WA_APP_SECRET": APP_SECRET, **self.extra_env}

    stderr = subprocess.DEVNULL  # a test that reads the server's log sets a file here

    def start(self) -> CentralProcess:
        assert self.store is not None  # schema migrated, key and credential in place before the first start
        cmd = [sys.executable, "-m", "kiosk", "central", "serve", "--port", str(self.port), "--workers", str(self.workers)]
        if self.seed_config:
            cmd += ["--seed-config", str(self.seed_config)]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=self.stderr, text=True, env=self.env())
        line = self.proc.stdout.readline()
        assert line.startswith("central serving on"), line
        wait_for(self._answers, timeout=30)
        return self

    def _answers(self) -> bool:
        try:
            return requests.get(self.url + "/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None
        if self._store is not None:
            self._store.engine.dispose()
            self._store = None

    def rows(self, sql: str, **params) -> list[tuple]:
        from sqlalchemy import text

        with self.store.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]

    def get(self, path: str, **params) -> dict:
        r = requests.get(self.url + path, params=params, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
        r.raise_for_status()
        return r.json()

    def post(self, path: str, body: dict, **headers) -> requests.Response:
        return requests.post(self.url + path, json=body, headers={"Authorization": f"Bearer {TOKEN}", **headers}, timeout=10)

    def webhook(self, body: dict, *, secret: str = APP_SECRET) -> requests.Response:
        import json

        raw = json.dumps(body).encode()
        return requests.post(self.url + "/v1/webhooks/whatsapp", data=raw, timeout=10, headers={
            "Content-Type": "application/json", "X-Hub-Signature-256": sign_webhook(raw, secret)})


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
