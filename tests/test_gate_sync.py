"""End to end: a guest registered on the lobby kiosk is let in and out by the security role of
another device that shares only the central server (the reference server, a real process on loopback)."""
from __future__ import annotations

import pytest

from kiosk.app.gate import GateVerdict
from kiosk.domain.visit import VisitState as S
from tests.fixtures_sync import OFFICE, ROOT, CentralProcess, device_context, drain_all, register


def print_pass(lobby, visit, *gates) -> str:
    """The lobby signs and prints the pass; the gate devices hold the office's public key."""
    from kiosk.app.passes import init_keys, install_public_key

    signer, _, _ = init_keys(lobby.config)
    for g in gates:
        install_public_key(g.config, signer.public_key)
    return lobby.tickets.issue_and_print(visit.id).token


@pytest.fixture
def central(tmp_path, pg_url):
    server = CentralProcess(pg_url, tmp_path, seed_config=ROOT / "config" / "simulate.toml")
    yield server
    server.stop()


def test_guest_registered_in_the_lobby_is_let_in_and_out_by_a_gate_that_shares_only_the_central_server(
    make_config, tmp_path, central
):
    central.start()
    lobby = device_context(make_config, tmp_path, "lobby-1", central.url)
    gate = device_context(make_config, tmp_path, "gate-1", central.url, role="security")
    visit = register(lobby, 7)
    token = print_pass(lobby, visit, gate)
    lobby.notifications.notify_host(visit.id)
    drain_all(lobby)
    central.post(f"/v1/offices/{OFFICE}/visits/{visit.id}/answer", {"accepted": True, "actor": "host:kasi-pidum"})
    gate.sync.pull_once()  # the visit, its pass_printed event and the host's answer

    went_in = gate.gate.scan(token)
    assert went_in.verdict is GateVerdict.ENTER and not went_in.offline
    assert went_in.guest_name == "Tamu Nomor 7"
    gate.clock.advance(minutes=45)
    went_out = gate.gate.scan(token)
    assert went_out.verdict is GateVerdict.EXIT and went_out.return_id_card
    drain_all(gate)

    lobby.sync.pull_once()
    assert lobby.visits.get(visit.id).state is S.CHECKED_OUT  # the lobby learns it from the server
    assert [e.device_id for e in lobby.visits.events(visit.id) if e.kind == "gate_scan"] == ["gate-1", "gate-1"]
    assert gate.gate.scan(token).verdict is GateVerdict.ALREADY_OUT
    lobby.close()
    gate.close()


def test_two_gates_offline_at_the_same_time_report_the_pass_scanned_in_twice_once_they_sync(
    make_config, tmp_path, central
):
    central.start()
    lobby = device_context(make_config, tmp_path, "lobby-1", central.url)
    gates = [device_context(make_config, tmp_path, f"gate-{i}", central.url, role="security") for i in (1, 2)]
    visit = register(lobby, 8)
    token = print_pass(lobby, visit, *gates)
    lobby.notifications.notify_host(visit.id)
    drain_all(lobby)
    central.post(f"/v1/offices/{OFFICE}/visits/{visit.id}/answer", {"accepted": True, "actor": "host:kasi-pidum"})
    for g in gates:
        g.sync.pull_once()
    central.stop()  # the network goes down: each gate decides alone
    for i, g in enumerate(gates):
        g.clock.advance(minutes=1 + i)
        assert g.gate.scan(token).verdict is GateVerdict.ENTER
        assert g.gate.reconcile() == []
    central.start()
    for g in gates:
        drain_all(g)
    for g in gates:
        g.sync.pull_once()
        (conflict,) = g.gate.reconcile()
        assert conflict.kind == "duplicate_entry" and sorted(conflict.devices) == ["gate-1", "gate-2"]
    for c in (lobby, *gates):
        c.close()
