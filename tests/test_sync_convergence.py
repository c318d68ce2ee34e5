"""The two-writer rule on the kiosk side (kiosk.domain.convergence): when the host answers at central and staff
answer on the kiosk, the later answer of the same rank wins everywhere, whichever arrives first; the kiosk keeps
its own change until central has it, nothing is parked, and a gate shows the same state. Real central process."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.domain.convergence import converged_state
from kiosk.domain.visit import VisitState
from tests.fixtures_sync import OFFICE, ROOT, CentralProcess, device_context, drain_all, register


@pytest.fixture
def central(tmp_path, pg_url):
    server = CentralProcess(pg_url, tmp_path, seed_config=ROOT / "config" / "simulate.toml").start()
    yield server
    server.stop()


def _setup(make_config, tmp_path, central):
    lobby = device_context(make_config, tmp_path, "lobby-1", central.url)
    gate = device_context(make_config, tmp_path, "gate-1", central.url, role="security")
    v = register(lobby, 9)
    lobby.notifications.notify_host(v.id)
    drain_all(lobby)
    gate.sync.pull_once()
    return lobby, gate, v


def _local_rule(ctx, visit_id) -> VisitState:
    """The rule applied to the transitions this device holds."""
    events = [e for e in ctx.visits.events(visit_id) if e.to_state is not None]
    first = ctx.visits.get(visit_id)
    return converged_state(VisitState.REGISTERED, first.created_at, [(e.to_state, e.at, e.event_id) for e in events])


def test_staff_decline_earlier_than_the_hosts_accept_at_central_ends_accepted_everywhere(make_config, tmp_path, central):
    lobby, gate, v = _setup(make_config, tmp_path, central)
    lobby.notifications.record_host_answer(v.id, accepted=False, actor="staff:ptsp")  # 09:30 local test time
    answered = central.post(f"/v1/offices/{OFFICE}/visits/{v.id}/answer", {"accepted": True, "actor": "host:kasi-pidum"})
    assert answered.status_code == 200  # at central's clock: later than the decline

    # The kiosk has not sent its decline yet: central's answer of the same rank does not undo it here.
    lobby.sync.pull_once()
    assert lobby.visits.get(v.id).state == VisitState.DECLINED
    drain_all(lobby)
    assert lobby.visits.outbox.counts()["parked"] == 0
    lobby.sync.pull_once()
    gate.sync.pull_once()
    state = central.get(f"/v1/offices/{OFFICE}/visits/{v.id}")["state"]
    assert state == "accepted"
    assert lobby.visits.get(v.id).state == gate.visits.get(v.id).state == VisitState.ACCEPTED
    assert _local_rule(lobby, v.id) == VisitState.ACCEPTED  # the same rule over the same events, here
    lobby.close()
    gate.close()


def test_staff_decline_later_than_the_hosts_accept_ends_declined_everywhere(make_config, tmp_path, central):
    lobby, gate, v = _setup(make_config, tmp_path, central)
    answered = central.post(f"/v1/offices/{OFFICE}/visits/{v.id}/answer", {"accepted": True, "actor": "host:kasi-pidum"})
    assert answered.status_code == 200
    gate.sync.pull_once()
    assert gate.visits.get(v.id).state == VisitState.ACCEPTED
    lobby.clock.set(datetime.now(UTC) + timedelta(minutes=5))  # staff answer after the host did
    lobby.notifications.record_host_answer(v.id, accepted=False, actor="staff:ptsp")
    drain_all(lobby)
    assert lobby.visits.outbox.counts()["parked"] == 0
    lobby.sync.pull_once()
    gate.sync.pull_once()
    assert central.get(f"/v1/offices/{OFFICE}/visits/{v.id}")["state"] == "declined"
    assert lobby.visits.get(v.id).state == gate.visits.get(v.id).state == VisitState.DECLINED
    lobby.close()
    gate.close()
