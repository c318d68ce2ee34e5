"""A host notice is recorded in flight before the provider is called; a worker killed between the provider
accepting and the row being marked sent leads to ONE re-send that says it is a repeat, never a silent duplicate.
Against the local WhatsApp provider stubs (real HTTP), with a real `kiosk sync run` killed by SIGKILL."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading

import pytest

from kiosk.app.context import AppContext
from kiosk.config import load_config
from kiosk.sync.notify import REPEAT_MARKER
from kiosk.sync.notify_stubs import HttpGatewayStub, WhatsAppCloudStub
from tests.fixtures_sync import ROOT, device_context, drain_all, register, wait_for

CONFIG = """
[office]
code = "KEJARI-KLK"
name = "Kejaksaan Negeri Klungkung"
timezone = "Asia/Makassar"

[kiosk]
device_id = "lobby-1"
data_dir = "{d}/data"

[central]
retry_base_s = 0.05
retry_max_s = 0.5

[notifier]
kind = "http_gateway"
url = "{url}/send"
token = "fonnte-token"

[privacy]
key_file = "{d}/keys/data.key"

[logging]
file = "{d}/worker.log"

[[hosts]]
id = "kasi-pidum"
name = "I Gede Wirawan, S.H."
phone = "6281200000003"
"""


def _db(tmp_path):
    db = sqlite3.connect(tmp_path / "data" / "kiosk.sqlite3", timeout=30)
    db.row_factory = sqlite3.Row
    return db


def _worker(cfg_file):
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "sync", "run", "--config", str(cfg_file)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout.readline().startswith("sync worker:")
    return proc


def test_worker_killed_after_the_gateway_accepted_sends_once_more_marked_as_a_repeat(tmp_path):
    with HttpGatewayStub("fonnte-token") as stub:
        cfg_file = tmp_path / "kiosk.toml"
        cfg_file.write_text(CONFIG.format(d=tmp_path, url=stub.url))
        ctx = AppContext(load_config(cfg_file))
        v = register(ctx, 1)
        ctx.notifications.notify_host(v.id)
        ctx.close()

        stub.answer_gate = threading.Event()  # the gateway takes the message and is slow to say so
        proc = _worker(cfg_file)
        wait_for(lambda: len(stub.accepted) == 1, timeout=60)
        db = _db(tmp_path)
        # Before the call the notice was recorded in flight, committed (another connection sees it).
        assert db.execute("SELECT status, sends FROM host_notices").fetchone()[:] == ("sending", 1)
        os.kill(proc.pid, signal.SIGKILL)  # between the provider accepting and the row being marked sent
        proc.wait(timeout=10)
        stub.answer_gate.set()
        stub.answer_gate = None
        assert db.execute("SELECT status FROM outbox WHERE topic='notify.host'").fetchone()[0] == "pending"

        proc = _worker(cfg_file)
        wait_for(lambda: db.execute("SELECT status FROM outbox WHERE topic='notify.host'").fetchone()[0] == "sent", timeout=60)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)

        first, second = [m["message"] for m in stub.accepted]
        assert REPEAT_MARKER not in first and "Tamu Nomor 1" in first
        assert second.startswith(REPEAT_MARKER + "\n") and second.removeprefix(REPEAT_MARKER + "\n") == first
        notice = db.execute("SELECT status, sends, doubtful, provider_message_id FROM host_notices").fetchone()
        assert notice["status"] == "sent" and (notice["sends"], notice["doubtful"]) == (2, 1)
        assert notice["provider_message_id"] == "80000002"  # the id of the send whose answer we got

        proc = _worker(cfg_file)  # nothing more goes out
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        assert len(stub.accepted) == 2
        db.close()


@pytest.fixture
def cloud():
    with WhatsAppCloudStub("wa-token", "109876543210", {"kunjungan_tamu": 5}) as stub:
        yield stub


def _cloud_device(make_config, tmp_path, stub):
    return device_context(make_config, tmp_path, "lobby-1", "", notifier={
        "kind": "whatsapp_cloud", "url": stub.base_url, "token": "wa-token", "phone_number_id": "109876543210",
        "template": "kunjungan_tamu"})


def _die_after_the_provider_accepted(dev):
    """What a SIGKILL at that moment leaves: the provider has the message, the send's result is never written."""
    [msg] = [m for m in dev.visits.outbox.by_status("pending") if m.topic == "notify.host"]
    dev.sync.handlers["notify.host"].send(msg)  # the returned writer (mark sent) is never run


def test_cloud_api_has_no_status_lookup_so_the_notice_is_sent_again_with_the_marker_in_the_template(make_config, tmp_path,
                                                                                                     cloud):
    dev = _cloud_device(make_config, tmp_path, cloud)
    v = register(dev, 2)
    dev.notifications.notify_host(v.id)
    _die_after_the_provider_accepted(dev)
    drain_all(dev)
    first, second = ([p["text"] for p in m["template"]["components"][0]["parameters"]] for m in cloud.accepted)
    assert first[0] == "I Gede Wirawan, S.H." and second[0] == f"I Gede Wirawan, S.H. {REPEAT_MARKER}"
    assert first[1:] == second[1:]
    [notice] = dev.notifications.notices(v.id)
    assert notice.status == "sent" and notice.provider_message_id == "wamid.TEST000002"
    dev.close()


def test_a_repeat_whose_outcome_is_unknown_too_is_parked_not_sent_a_third_time(make_config, tmp_path, cloud):
    dev = _cloud_device(make_config, tmp_path, cloud)
    v = register(dev, 3)
    dev.notifications.notify_host(v.id)
    _die_after_the_provider_accepted(dev)
    _die_after_the_provider_accepted(dev)  # the repeat: killed the same way
    dev.sync.drain_once()
    assert len(cloud.accepted) == 2
    [parked] = dev.sync.status().parked
    assert "not sent a third time" in parked.last_error
    assert dev.notifications.notices(v.id)[0].status == "failed"  # staff see it; `sync retry` sends it (marked)
    dev.close()


def test_a_provider_that_answered_no_is_not_a_doubt_the_next_try_is_not_marked(make_config, tmp_path, cloud):
    dev = _cloud_device(make_config, tmp_path, cloud)
    cloud.fail_next = [(500, {"error": {"message": "internal", "code": 1}})]
    v = register(dev, 4)
    dev.notifications.notify_host(v.id)
    drain_all(dev)
    [msg] = cloud.accepted
    assert REPEAT_MARKER not in msg["template"]["components"][0]["parameters"][0]["text"]
    [notice] = dev.notifications.notices(v.id)
    assert (notice.status, notice.sends, notice.doubtful) == ("sent", 2, 0)
    dev.close()
