"""Outbox -> reference central server (a real process on loopback): pile-up while down, exactly once, order, pull."""
from __future__ import annotations

import json

import pytest

from kiosk.domain.visit import VisitState
from tests.fixtures_sync import OFFICE, ROOT, CentralProcess, device_context, drain_all, free_port, register


@pytest.fixture
def central(tmp_path, pg_url):
    server = CentralProcess(pg_url, tmp_path, seed_config=ROOT / "config" / "simulate.toml")
    yield server
    server.stop()


def _server_rows(central: CentralProcess):
    visits = {r[0] for r in central.rows("SELECT visit_id FROM visits")}
    events = [(r[0], json.loads(r[1])["event_id"]) for r in central.rows("SELECT visit_id, body FROM events ORDER BY seq")]
    return visits, events


def test_registrations_pile_up_while_the_server_is_down_and_arrive_exactly_once_in_order(make_config, tmp_path, central):
    lobby = device_context(make_config, tmp_path, "lobby-1", central.url)
    visits = []
    for i in range(12):
        v = register(lobby, i)
        lobby.notifications.notify_host(v.id)
        if i % 3 == 0:
            lobby.notifications.record_host_answer(v.id, accepted=bool(i % 2), actor="staff:ptsp")
        visits.append(v)
    result = lobby.sync.drain_once()
    assert result.sent == 0 and result.retried == 1
    assert lobby.sync.state == "backing_off" and "unreachable" in lobby.sync.last_error
    assert lobby.visits.outbox.counts()["pending"] == 12 + 12 + 4

    central.start()
    drain_all(lobby)
    assert lobby.visits.outbox.counts() == {"pending": 0, "sent": 28, "parked": 0}
    assert lobby.sync.state == "idle"

    server_visits, server_events = _server_rows(central)
    assert server_visits == {v.id for v in visits}
    assert len(server_events) == len({e for _, e in server_events}) == 16
    for v in visits:  # per visit, the server saw the events in the order they happened here
        local = [e.event_id for e in lobby.visits.events(v.id) if e.from_state is not None]
        assert [e for vid, e in server_events if vid == v.id] == local
    state = central.get(f"/v1/offices/{OFFICE}/visits/{visits[3].id}")
    assert state["state"] == "accepted"
    lobby.close()


def test_a_repeated_push_is_answered_from_the_first_and_never_stored_twice(make_config, tmp_path, central):
    central.start()
    lobby = device_context(make_config, tmp_path, "lobby-1", central.url)
    v = register(lobby, 1)
    drain_all(lobby)
    # The worker was killed after the server stored it but before marking it sent: it sends again.
    lobby.db.conn.execute("UPDATE outbox SET status='pending'")
    drain_all(lobby)
    server_visits, _ = _server_rows(central)
    assert server_visits == {v.id}
    assert central.rows("SELECT SUM(replays) FROM idempotency")[0][0] == 1
    lobby.close()


def test_a_security_device_pulling_events_sees_a_visit_registered_on_another_device(make_config, tmp_path, central):
    central.start()
    lobby = device_context(make_config, tmp_path, "lobby-1", central.url)
    gate = device_context(make_config, tmp_path, "gate-1", central.url, role="security")
    v = register(lobby, 7)
    lobby.notifications.notify_host(v.id)
    drain_all(lobby)

    assert gate.sync.pull_once() == 2
    seen = gate.visits.get(v.id)
    assert seen.state == VisitState.WAITING_HOST and seen.host_name == lobby.visits.get(v.id).host_name
    guest = gate.guests.get(seen.guest_id)
    assert guest.name == "Tamu Nomor 7" and guest.nik == "" and guest.address == ""  # no NIK, no address
    assert gate.db.conn.execute("SELECT nik_last4 FROM guests").fetchone()[0] == "0007"
    assert gate.sync.pull_once() == 0  # the cursor moved: nothing twice

    # The host accepts on the central server; both devices learn it by pulling.
    answered = central.post(f"/v1/offices/{OFFICE}/visits/{v.id}/answer", {"accepted": True, "actor": "host:kasi-pidum"})
    assert answered.status_code == 200 and answered.json()["state"] == "accepted"
    gate.sync.pull_once()
    lobby.sync.pull_once()
    assert gate.visits.get(v.id).state == lobby.visits.get(v.id).state == VisitState.ACCEPTED
    assert lobby.visits.outbox.counts()["pending"] == 0  # a pulled event is not sent back
    assert gate.visits.outbox.counts()["pending"] == 0
    lobby.close()
    gate.close()


def test_host_directory_comes_from_the_central_server(make_config, tmp_path, central):
    central.start()
    gate = device_context(make_config, tmp_path, "gate-1", central.url, role="security")
    assert gate.sync.pull_hosts() == 7
    assert gate.hosts.get("kasi-intel").position == "Kepala Seksi Intelijen"
    gate.close()


def test_a_push_the_server_rejects_for_good_is_parked_with_its_reason(make_config, tmp_path, central):
    central.start()
    lobby = device_context(make_config, tmp_path, "lobby-1", central.url)
    v = register(lobby, 2)
    # A name longer than the contract allows: 400, never accepted, so it is parked.
    lobby.db.conn.execute("UPDATE guests SET name_enc=?", (lobby.cipher.encrypt("x" * 300, "name"),))  # stored encrypted
    drain_all(lobby)
    status = lobby.sync.status()
    assert status.counts["parked"] == 1
    assert status.parked[0].aggregate_id == v.id and "body.nama: longer than 200" in status.parked[0].last_error
    lobby.close()


def test_wrong_token_is_refused_and_retried_never_parked_silently(make_config, tmp_path, central):
    central.start()
    import dataclasses

    lobby = device_context(make_config, tmp_path, "lobby-1", central.url)
    lobby.config = dataclasses.replace(lobby.config, central=dataclasses.replace(lobby.config.central, token="wrong"))
    register(lobby, 3)
    lobby.sync.drain_once()
    parked = lobby.sync.status().parked
    assert len(parked) == 1 and "HTTP 401" in parked[0].last_error
    lobby.close()


def test_unreachable_port_backs_off_with_growing_delays(make_config, tmp_path):
    lobby = device_context(make_config, tmp_path, "lobby-1", f"http://127.0.0.1:{free_port()}")
    register(lobby, 1)
    worker = lobby.sync.worker
    worker.base_s, worker.max_s = 1.0, 1000.0
    delays = []
    for _ in range(6):
        before = lobby.clock.now()
        lobby.sync.drain_once()
        m = lobby.visits.outbox.by_status("pending")[0]
        delays.append((m.next_attempt_at - before).total_seconds())
        lobby.clock.set(m.next_attempt_at)
    assert all(later > earlier for earlier, later in zip(delays, delays[1:], strict=False)), delays
    assert delays[-1] >= 16  # 2^5 / 2 at least, with jitter
    lobby.close()


def test_central_and_the_kiosk_both_change_a_visit_and_every_device_converges_with_nothing_parked(make_config, tmp_path, central):
    """The host accepts at central while staff, offline, record 'declined' and check the guest out at the
    desk: the kiosk's events are accepted (never parked), and the lobby, central and a gate all end with
    the precedence rule's state (checked_out)."""
    central.start()
    lobby = device_context(make_config, tmp_path, "lobby-1", central.url)
    gate = device_context(make_config, tmp_path, "gate-1", central.url, role="security")
    v = register(lobby, 5)
    lobby.notifications.notify_host(v.id)
    drain_all(lobby)
    gate.sync.pull_once()
    answered = central.post(f"/v1/offices/{OFFICE}/visits/{v.id}/answer", {"accepted": True, "actor": "host:kasi-pidum"})
    assert answered.json()["state"] == "accepted"
    lobby.notifications.record_host_answer(v.id, accepted=False, actor="staff:ptsp")  # before it learnt the answer
    lobby.staff.check_out(v.id, actor="staff:ptsp")
    drain_all(lobby)
    assert lobby.visits.outbox.counts()["parked"] == 0
    assert central.get(f"/v1/offices/{OFFICE}/visits/{v.id}")["state"] == "checked_out"
    gate.sync.pull_once()
    lobby.sync.pull_once()
    assert gate.visits.get(v.id).state == lobby.visits.get(v.id).state == VisitState.CHECKED_OUT
    lobby.close()
    gate.close()
