"""SIGKILL of the sync worker (a real `kiosk sync run` process) mid-push: nothing lost, nothing stored twice."""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys

from kiosk.app.context import AppContext
from kiosk.config import load_config
from tests.fixtures_sync import ROOT, TOKEN, CentralProcess, register, wait_for

CONFIG = """
[office]
code = "KEJARI-KLK"
name = "Kejaksaan Negeri Klungkung"
timezone = "Asia/Makassar"

[kiosk]
device_id = "lobby-1"
data_dir = "{d}/data"

[central]
url = "{url}"
token = "{token}"
retry_base_s = 0.05
retry_max_s = 0.5
pull_interval_s = 3600

[notifier]
kind = "none"

[privacy]
key_file = "{d}/keys/data.key"

[logging]
file = "{d}/worker.log"

[[hosts]]
id = "kasi-pidum"
name = "I Gede Wirawan, S.H."
phone = "6281200000003"
"""


def _pending(db_path) -> int:
    db = sqlite3.connect(db_path, timeout=30)
    try:
        return db.execute("SELECT COUNT(*) FROM outbox WHERE status='pending'").fetchone()[0]
    finally:
        db.close()


def test_sigkill_of_the_worker_mid_push_loses_and_duplicates_nothing(tmp_path, pg_url):
    central = CentralProcess(pg_url, tmp_path, workers=2).start()
    cfg_file = tmp_path / "kiosk.toml"
    cfg_file.write_text(CONFIG.format(d=tmp_path, url=central.url, token=TOKEN))
    ctx = AppContext(load_config(cfg_file))
    visits = []
    for i in range(60):
        v = register(ctx, i)
        ctx.notifications.notify_host(v.id)  # notifier "none": waiting_host, no notice
        ctx.notifications.record_host_answer(v.id, accepted=True, actor="staff:ptsp")
        visits.append(v)
    local_order = {v.id: [e.event_id for e in ctx.visits.events(v.id) if e.from_state is not None] for v in visits}
    ctx.close()
    db_path = tmp_path / "data" / "kiosk.sqlite3"
    total = _pending(db_path)
    assert total == 180

    rng = random.Random(8)
    pending_at_kill = []
    try:
        for _ in range(6):
            proc = subprocess.Popen([sys.executable, "-m", "kiosk", "sync", "run", "--config", str(cfg_file)],
                                    cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            assert proc.stdout.readline().startswith("sync worker:")
            start = _pending(db_path)
            # Kill as soon as it has made some progress, after a random extra number of messages.
            wait_for(lambda s=start: _pending(db_path) <= s - rng.randint(1, 25) or _pending(db_path) == 0, timeout=60, step=0.002)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            pending_at_kill.append(_pending(db_path))
        proc = subprocess.Popen([sys.executable, "-m", "kiosk", "sync", "run", "--config", str(cfg_file)],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert proc.stdout.readline().startswith("sync worker:")  # its SIGTERM handler is in place
        wait_for(lambda: _pending(db_path) == 0, timeout=120)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        server_visits = {r[0] for r in central.rows("SELECT visit_id FROM visits")}
        rows = [(r[0], json.loads(r[1])["event_id"]) for r in central.rows("SELECT visit_id, body FROM events ORDER BY seq")]
        feed = central.rows("SELECT COUNT(*) FROM feed")[0][0]
    finally:
        central.stop()

    assert any(0 < p < total for p in pending_at_kill), pending_at_kill  # the kills landed mid-backlog
    db = sqlite3.connect(tmp_path / "data" / "kiosk.sqlite3")
    assert db.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall() == [("sent", 180)]
    assert server_visits == set(local_order)
    assert len(rows) == len({e for _, e in rows}) == 120  # every event once
    for vid, order in local_order.items():
        assert [e for v, e in rows if v == vid] == order  # in the order they happened
    assert feed == 180  # nothing stored twice anywhere
    worker_state = json.loads(db.execute("SELECT value FROM sync_state WHERE key='worker'").fetchone()[0])
    assert worker_state["state"] == "stopped"
