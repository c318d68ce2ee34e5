"""The staff service: PIN with a lock-out that survives a restart, status lines, manual check-out."""
from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.app.staff import StaffLockedOut, StaffPinNotSet, StaffPinWrong
from kiosk.domain.visit import VisitState
from tests.fixtures_ops import NIK_A, PIN, pin_hash, register_at


@pytest.fixture
def staff_ctx(make_config):
    from kiosk.app.context import AppContext
    from kiosk.domain.clock import FixedClock

    cfg = make_config({"ui": {"staff_pin_hash": pin_hash(), "staff_pin_attempts": 3, "staff_lockout_s": 60}})
    ctx = AppContext(cfg, clock=FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC)))
    yield ctx
    ctx.close()


def test_right_pin_opens_and_wrong_pins_count_down(staff_ctx):
    staff = staff_ctx.staff
    staff.check_pin(PIN)
    with pytest.raises(StaffPinWrong) as exc:
        staff.check_pin("0000")
    assert exc.value.attempts_left == 2
    staff.check_pin(PIN)  # a right PIN resets the count
    with pytest.raises(StaffPinWrong) as exc:
        staff.check_pin("0000")
    assert exc.value.attempts_left == 2


def test_lock_out_after_repeated_wrong_pins_survives_a_restart_and_then_doubles(staff_ctx):
    from kiosk.app.context import AppContext

    for _ in range(2):
        with pytest.raises(StaffPinWrong):
            staff_ctx.staff.check_pin("1111")
    with pytest.raises(StaffLockedOut) as exc:
        staff_ctx.staff.check_pin("1111")
    assert exc.value.seconds == 60
    # Even the right PIN is refused while locked, by a fresh process on the same database.
    restarted = AppContext(staff_ctx.config, clock=staff_ctx.clock)
    try:
        with pytest.raises(StaffLockedOut):
            restarted.staff.check_pin(PIN)
        restarted.clock.advance(seconds=61)
        with pytest.raises(StaffLockedOut) as exc:
            restarted.staff.check_pin("2222")  # still past the limit: the next lock-out is twice as long
        assert exc.value.seconds == 120
        restarted.clock.advance(seconds=121)
        restarted.staff.check_pin(PIN)
        assert restarted.staff.lockout_remaining_s() == 0
    finally:
        restarted.close()


def test_without_a_configured_pin_the_staff_menu_stays_shut(context):
    with pytest.raises(StaffPinNotSet):
        context.staff.check_pin("1234")


def test_status_lists_outbox_services_and_devices(staff_ctx):
    register_at(staff_ctx, staff_ctx.clock.now())
    ob = staff_ctx.staff.outbox()
    assert ob["counts"]["pending"] == 1 and ob["parked"] == []
    services = {s.name: s.state for s in staff_ctx.staff.services()}
    assert services["lockers / loker"] == "ok"
    assert set(services.values()) <= {"ok", "not_available"}
    devices = {s.name: s.state for s in staff_ctx.staff.device_status()}
    assert devices["lockers"] == "ok"
    assert devices["printer"] == "ok"


def test_manual_check_out_closes_the_visit_frees_the_locker_and_reports_it(staff_ctx):
    visit = register_at(staff_ctx, staff_ctx.clock.now())
    staff_ctx.registration.transition(visit.id, VisitState.WAITING_HOST, actor="guest")
    staff_ctx.lockers.assign_and_open(visit.id)
    door = staff_ctx.visits.get(visit.id).locker_door
    assert door is not None
    lines = staff_ctx.staff.todays_visits()
    assert lines[0].nik.endswith(NIK_A[-4:]) and NIK_A not in lines[0].nik

    staff_ctx.staff.check_out(visit.id)

    assert staff_ctx.visits.get(visit.id).state == VisitState.CHECKED_OUT
    events = staff_ctx.visits.events(visit.id)
    assert any(e.to_state == VisitState.CHECKED_OUT and e.actor == "staff" for e in events)
    assert {s.door: s.state for s in staff_ctx.lockers.status()}[door] == "free"
    assert any(m.payload.get("to_state") == "checked_out" for m in staff_ctx.visits.outbox.for_aggregate(visit.id))


def test_staff_reprint_prints_the_same_pass_again_and_a_dead_pass_is_refused(staff_ctx):
    from kiosk.app.passes import init_keys
    from kiosk.app.printing import VisitNotPrintable
    from kiosk.app.registration import GuestIdentity
    from kiosk.devices.escpos_render import render

    init_keys(staff_ctx.config)
    identity = GuestIdentity(nik=NIK_A, name="Ni Kadek Ayu Lestari", phone="081200000000")
    visit = staff_ctx.registration.register(
        identity, purpose="meet_employee", host_id="kajari", host_name="Kajari", consent=True
    )
    first = staff_ctx.tickets.issue_and_print(visit.id)
    again = staff_ctx.staff.reprint(visit.id)
    assert (again.pass_id, again.token, again.reprint) == (first.pass_id, first.token, True)
    jobs = staff_ctx.tickets.printers[0].transport.jobs
    assert len(jobs) == 2
    assert "CETAK ULANG / REPRINT" in [line.strip() for line in render(jobs[1]).lines]
    staff_ctx.staff.check_out(visit.id)
    with pytest.raises(VisitNotPrintable):
        staff_ctx.staff.reprint(visit.id)
    assert len(jobs) == 2


def test_visits_of_another_day_are_not_today(staff_ctx):
    register_at(staff_ctx, staff_ctx.clock.now() - timedelta(days=1))
    staff_ctx.clock.set(datetime(2026, 11, 23, 1, 30, tzinfo=UTC))
    assert staff_ctx.staff.todays_visits() == []
    assert dataclasses.is_dataclass(staff_ctx.staff.services()[0])
