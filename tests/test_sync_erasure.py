"""`kiosk visits forget` reaches central: the privacy.forget message erases the data subject there by keyed NIK
hash (never the NIK), visits of the same person registered on other devices included, and pulling devices
drop the erased visits too. Against the real central server process."""
from __future__ import annotations

import dataclasses
import json

import pytest

from kiosk.domain.subject import subject_hash
from tests.fixtures_sync import OFFICE, ROOT, TOKEN, CentralProcess, device_context, drain_all, register


@pytest.fixture
def central(tmp_path, pg_url):
    server = CentralProcess(pg_url, tmp_path, seed_config=ROOT / "config" / "simulate.toml").start()
    yield server
    server.stop()


def _device(make_config, tmp_path, name, central, **kw):
    """A device with its credential file as `kiosk central credential issue` writes it (token and subject key)."""
    ctx = device_context(make_config, tmp_path, name, central.url, **kw)
    cred = tmp_path / f"{name}.credential.json"
    cred.write_text(json.dumps({"office": OFFICE, "device_id": name, "token": TOKEN,
                                "subject_key": central.store.keys.subject_key(OFFICE).hex()}))
    ctx.config = dataclasses.replace(ctx.config, central=dataclasses.replace(ctx.config.central, token="", token_file=str(cred)))
    return ctx


def test_forget_leaves_nothing_at_central_nor_on_pulling_devices(make_config, tmp_path, central):
    lobby = _device(make_config, tmp_path, "lobby-1", central)
    lobby2 = _device(make_config, tmp_path, "lobby-2", central)
    gate = _device(make_config, tmp_path, "gate-1", central, role="security")
    mine = register(lobby, 5)  # NIK 5105014101900005
    lobby.notifications.notify_host(mine.id)
    elsewhere = register(lobby2, 5)  # the same person at another desk of the office
    other = register(lobby, 6)  # somebody else: untouched
    drain_all(lobby)
    drain_all(lobby2)
    nik = "5105014101900005"
    key = central.store.keys.subject_key(OFFICE)
    assert {r[0] for r in central.rows("SELECT visit_id FROM visits WHERE subject_hash=:h", h=subject_hash(key, nik))} \
        == {mine.id, elsewhere.id}
    gate.sync.pull_once()
    assert gate.visits.find(mine.id) is not None and gate.visits.find(elsewhere.id) is not None

    result = lobby.privacy.forget(nik, actor="test")
    assert result.visits == 1
    [msg] = [m for m in lobby.visits.outbox.by_status("pending") if m.topic == "privacy.forget"]
    assert nik not in json.dumps(msg.payload) and msg.payload["subject_hash"] == subject_hash(key, nik)
    drain_all(lobby)

    assert lobby.visits.outbox.counts()["parked"] == 0
    assert central.rows("SELECT visit_id FROM visits WHERE subject_hash=:h", h=subject_hash(key, nik)) == []
    gone = {mine.id, elsewhere.id}
    for table in ("visits", "events", "notices"):
        rows = central.rows(f"SELECT visit_id FROM {table}")
        assert not gone & {r[0] for r in rows}, table
    # The feed keeps only the news that they were erased (so pulling devices drop their copies), no data.
    assert {r[0] for r in central.rows("SELECT kind FROM feed WHERE visit_id IN (:a, :b)", a=mine.id, b=elsewhere.id)} \
        == {"visit.erased"}
    assert not [r for r in central.rows("SELECT response FROM idempotency") if "Tamu Nomor 5" in r[0]]
    assert central.rows("SELECT visits_deleted FROM erasures WHERE request_id=:r", r=result.request_id) == [(2,)]
    assert {r[0] for r in central.rows("SELECT visit_id FROM visits")} == {other.id}
    # The sent message does not keep the pseudonym either.
    [sent] = [m for m in lobby.visits.outbox.by_status("sent", 1000) if m.topic == "privacy.forget"]
    assert "subject_hash" not in sent.payload

    gate.sync.pull_once()
    lobby2.sync.pull_once()
    assert gate.visits.find(mine.id) is None and gate.visits.find(elsewhere.id) is None
    assert gate.visits.find(other.id) is not None
    assert lobby2.visits.find(elsewhere.id) is None  # the other desk's own copy is erased as well
    assert lobby2.guests.find_by_nik(nik) is None
    for ctx in (lobby, lobby2, gate):
        ctx.close()


def test_without_a_subject_key_forget_erases_the_visits_this_device_knew(make_config, tmp_path, central):
    lobby = device_context(make_config, tmp_path, "lobby-1", central.url)
    v = register(lobby, 3)
    drain_all(lobby)
    lobby.privacy.forget("5105014101900003", actor="test")
    drain_all(lobby)
    assert central.rows("SELECT visit_id FROM visits WHERE visit_id=:v", v=v.id) == []
    assert lobby.visits.outbox.counts()["parked"] == 0
    lobby.close()
