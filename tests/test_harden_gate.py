"""One pass, one entry: the gate remembers every pass id it has seen, even of visits it does not know; those
scans are queued to travel; reconcile sees them; demo passes are refused; a clock that went back refuses."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kiosk.app.gate import PASS_SCAN_TOPIC, GateVerdict
from kiosk.domain.gatepass import issue, new_pass_id
from tests.fixtures_gate import OFFICE_KEY, gate_for

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


def unknown_pass(office: str = "KEJARI-KLK") -> tuple[str, str]:
    """A pass signed by the office whose visit this device has never heard of (offline gate)."""
    gp, token = issue(OFFICE_KEY, office_code=office, issued_at=NOW - timedelta(minutes=5),
                      expires_at=NOW + timedelta(hours=8), pass_id=new_pass_id())  # fmt: skip
    return gp.pass_id, token


def test_an_unknown_pass_enters_once_exits_once_then_is_refused(context):
    gate = gate_for(context)
    pass_id, token = unknown_pass()
    first = gate.scan(token)
    assert first.verdict is GateVerdict.ENTER and first.offline
    context.clock.advance(minutes=1)
    # A copy handed to a second person: not a second entry. It is an exit, sent to the guard with the ID card.
    second = gate.scan(token)
    assert second.verdict is GateVerdict.EXIT and second.return_id_card and "ID card" in second.reason
    context.clock.advance(minutes=1)
    third = gate.scan(token)
    assert third.verdict is GateVerdict.ALREADY_OUT and not third.green
    assert not gate.scan(token).green


def test_scans_of_unknown_passes_are_queued_for_the_other_devices(context):
    gate = gate_for(context)
    pass_id, token = unknown_pass()
    gate.scan(token)
    context.clock.advance(minutes=2)
    gate.scan(token)
    queued = [m for m in context.visits.outbox.by_status("pending", 100) if m.topic == PASS_SCAN_TOPIC]
    assert [m.payload["verdict"] for m in queued] == ["enter", "exit"]
    assert {m.payload["pass_id"] for m in queued} == {pass_id}
    assert all(m.aggregate_id == f"pass:{pass_id}" for m in queued)


def test_reconcile_reports_an_unknown_pass_let_in_on_two_devices(context):
    """The second device's scans arrive as events; an offline ENTER there and here is a duplicate entry."""
    gate = gate_for(context)
    pass_id, token = unknown_pass()
    gate.scan(token)
    with context.db.transaction() as conn:  # the other gate's scan, as its log row arrives here
        conn.execute(
            "INSERT INTO gate_scans(scanned_at, device_id, pass_id, visit_id, verdict) VALUES (?,?,?,?,?)",
            ((NOW + timedelta(minutes=3)).isoformat(), "gate-2", pass_id, "", "enter"),
        )
    conflicts = gate.reconcile()
    assert [(c.kind, c.devices) for c in conflicts] == [("duplicate_entry", ("lobby-1", "gate-2"))]


def test_a_demo_pass_is_refused_by_the_gate(context):
    from kiosk.domain.gatepass import demo_signer
    from kiosk.domain.tokens import KIND_DEMO_PASS

    gate = gate_for(context)
    for signer in (demo_signer(), OFFICE_KEY):  # even a demo pass signed with the office key
        _, token = issue(signer, office_code="KEJARI-KLK", issued_at=NOW, expires_at=NOW + timedelta(hours=1),
                         kind=KIND_DEMO_PASS)  # fmt: skip
        r = gate.scan(token)
        assert r.verdict is GateVerdict.DEMO and not r.green


def test_a_clock_before_what_the_gate_has_seen_refuses_time_verdicts_and_says_why(context):
    gate = gate_for(context)
    _, token = unknown_pass()
    assert gate.scan(token).verdict is GateVerdict.ENTER
    # Reboot without RTC: the clock reads a day earlier, when this pass was not even issued... or a week later
    # minus the drift: any time before the newest scan is refused.
    context.clock.set(NOW - timedelta(days=1))
    _, other = unknown_pass()
    r = gate.scan(other)
    assert r.verdict is GateVerdict.CLOCK_BEHIND and not r.green
    assert "clock" in r.reason and "2026-11-23 01:30" in r.reason


def test_the_build_time_is_a_floor_for_the_clock(context):
    from kiosk import BUILD_TIME

    gate = gate_for(context)
    context.clock.set(datetime.fromisoformat(BUILD_TIME) - timedelta(days=400))  # an RTC-less Pi in 2025
    gp, token = issue(OFFICE_KEY, office_code="KEJARI-KLK", issued_at=context.clock.now(),
                      expires_at=context.clock.now() + timedelta(hours=1))  # fmt: skip
    assert gate.scan(token).verdict is GateVerdict.CLOCK_BEHIND


def test_an_inside_guest_can_still_leave_when_the_clock_is_behind(context):
    from tests.fixtures_gate import ACCEPTED, token_for, visit_with_pass

    gate = gate_for(context)
    visit = visit_with_pass(context, *ACCEPTED)
    token = token_for(visit)
    assert gate.scan(token).verdict is GateVerdict.ENTER
    context.clock.set(NOW - timedelta(days=2))
    r = gate.scan(token)
    assert r.verdict is GateVerdict.EXIT and r.return_id_card


def test_a_visit_learnt_after_an_offline_entry_does_not_let_the_pass_in_again(context):
    from tests.fixtures_gate import ACCEPTED, token_for, visit_with_pass

    gate = gate_for(context)
    visit = visit_with_pass(context, *ACCEPTED)
    token = token_for(visit)
    pass_id = visit.pass_id
    # The gate did not know the visit when the guest came in: make the scan as an offline gate logs it.
    with context.db.transaction() as conn:
        conn.execute("INSERT INTO gate_scans(scanned_at, device_id, pass_id, visit_id, verdict) VALUES (?,?,?,?,?)",
                     (NOW.isoformat(), "lobby-1", pass_id, "", "enter"))  # fmt: skip
    context.clock.advance(minutes=10)
    copy = gate.scan(token)  # the visit is known now and still 'accepted' here
    assert copy.verdict is GateVerdict.EXIT and copy.return_id_card
    assert gate.scan(token).verdict is GateVerdict.ALREADY_OUT


def test_offline_scans_reach_the_other_gate_through_the_central_server(make_config, tmp_path, pg_url):
    """Gate 1 lets the pass in before it knows the visit; once it learns the visit its scan is pushed as the
    visit's event; gate 2, which also let a copy in, reconciles both entries."""
    from tests.fixtures_sync import OFFICE, ROOT, CentralProcess, device_context, drain_all, register
    from tests.test_gate_sync import print_pass

    central = CentralProcess(pg_url, tmp_path, seed_config=ROOT / "config" / "simulate.toml")
    central.start()
    try:
        lobby = device_context(make_config, tmp_path, "lobby-1", central.url)
        gate1 = device_context(make_config, tmp_path, "gate-1", central.url, role="security")
        gate2 = device_context(make_config, tmp_path, "gate-2", central.url, role="security")
        visit = register(lobby, 9)
        token = print_pass(lobby, visit, gate1, gate2)
        first = gate1.gate.scan(token)  # gate 1 has not pulled: offline entry
        assert first.verdict is GateVerdict.ENTER and first.offline
        lobby.notifications.notify_host(visit.id)
        drain_all(lobby)
        central.post(f"/v1/offices/{OFFICE}/visits/{visit.id}/answer", {"accepted": True, "actor": "host:kasi-pidum"})
        gate2.sync.pull_once()
        gate2.clock.advance(minutes=3)
        assert gate2.gate.scan(token).verdict is GateVerdict.ENTER  # a copy at the other gate
        drain_all(gate2)
        gate1.sync.pull_once()  # gate 1 learns the visit, so its offline scan can be sent
        drain_all(gate1)
        assert gate1.visits.outbox.counts()["pending"] == 0
        gate2.sync.pull_once()
        conflicts = gate2.gate.reconcile()
        assert [(c.kind, sorted(c.devices)) for c in conflicts] == [("duplicate_entry", ["gate-1", "gate-2"])]
        for ctx in (lobby, gate1, gate2):
            ctx.close()
    finally:
        central.stop()
