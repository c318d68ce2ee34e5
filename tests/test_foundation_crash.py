"""A process killed (SIGKILL) in the middle of registering leaves either the whole visit or nothing."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WRITER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, sys.argv[2])
    from kiosk.config import parse_config
    from kiosk.app.context import AppContext
    from kiosk.app.registration import GuestIdentity
    import kiosk.store.visits as visits_mod

    # Slow down the middle of the transaction so that the kill lands inside it.
    original = visits_mod.VisitRepository.append_event
    def slow_append(self, conn, event, outbox=True):
        time.sleep(0.003)
        return original(self, conn, event, outbox=outbox)
    visits_mod.VisitRepository.append_event = slow_append

    d = sys.argv[1]
    cfg = parse_config({"kiosk": {"data_dir": d}, "privacy": {"key_file": d + "/k.key"}})
    ctx = AppContext(cfg)
    i = 0
    print("ready", flush=True)
    while True:
        i += 1
        ctx.registration.register(
            GuestIdentity(nik="5105014101900001", name=f"Guest {i}"),
            purpose="meet_employee", host_id="h", host_name="H", consent=True)
    """
)


def test_sigkill_during_registration_leaves_whole_visits_or_nothing(tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    kills = 0
    for delay in (0.15, 0.23, 0.31, 0.42, 0.57):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(tmp_path), str(ROOT)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        kills += 1

    db = sqlite3.connect(tmp_path / "kiosk.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    visits = {r[0] for r in db.execute("SELECT id FROM visits")}
    assert len(visits) > kills  # the writers got some work done between kills
    with_event = {r[0] for r in db.execute("SELECT visit_id FROM visit_events WHERE to_state='registered'")}
    with_outbox = {r[0] for r in db.execute("SELECT aggregate_id FROM outbox WHERE topic='visit.registered'")}
    assert visits == with_event == with_outbox
    orphans = db.execute("SELECT COUNT(*) FROM visits WHERE guest_id IS NULL").fetchone()[0]
    assert orphans == 0
