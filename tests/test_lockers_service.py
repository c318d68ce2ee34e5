"""Locker assignment at registration, faults, check-out and the end-of-day report, on the emulator."""
from __future__ import annotations

import pytest

from kiosk.app.lockers import (
    LockerDidNotOpen,
    LockerSystemDown,
    LockerUnavailable,
    NoFreeLocker,
    VisitNotOpen,
)
from kiosk.domain.visit import VisitState
from tests.fixtures_lockers import make_ctx, register_guest


@pytest.fixture
def kiosk(tmp_path, request):
    ctx = make_ctx(tmp_path, **getattr(request, "param", {}))
    yield ctx
    ctx.close()


def _events(ctx, visit_id):
    return [(e.kind, e.data) for e in ctx.visits.events(visit_id)]


def test_registered_guest_gets_a_door_the_emulator_sees_open(kiosk):
    visit = register_guest(kiosk)
    assignment = kiosk.lockers.assign_and_open(visit.id)
    assert kiosk.lockers.emulator.open_doors() == [assignment.door]
    assert kiosk.visits.get(visit.id).locker_door == assignment.door
    assert ("locker_assigned", {"door": assignment.door, "faulty": []}) in _events(kiosk, visit.id)
    row = kiosk.lockers.repo.get(assignment.door)
    assert (row.state, row.visit_id) == ("assigned", visit.id)
    outbox = kiosk.db.conn.execute("SELECT payload FROM outbox WHERE topic='visit.event'").fetchall()
    assert any('"locker_assigned"' in r[0] for r in outbox)


def test_each_guest_gets_a_different_door(kiosk):
    doors = {kiosk.lockers.assign_and_open(register_guest(kiosk, n).id).door for n in range(1, 4)}
    assert len(doors) == 3
    assert sorted(kiosk.lockers.emulator.open_doors()) == sorted(doors)


@pytest.mark.parametrize("kiosk", [{"simulate_fault": "stuck:1"}], indirect=True)
def test_door_that_stays_shut_is_marked_faulty_and_another_is_opened(kiosk):
    visit = register_guest(kiosk)
    assignment = kiosk.lockers.assign_and_open(visit.id)
    assert assignment.faulty == (1,)
    assert assignment.door != 1
    assert kiosk.lockers.emulator.open_doors() == [assignment.door]
    assert kiosk.lockers.repo.get(1).state == "faulty"
    kinds = [k for k, _ in _events(kiosk, visit.id)]
    assert kinds == ["transition", "locker_faulty", "locker_assigned"]
    # the faulty door is not offered to the next guest
    assert kiosk.lockers.assign_and_open(register_guest(kiosk, 2).id).door not in (1, assignment.door)


@pytest.mark.parametrize("kiosk", [{"simulate_fault": "silent"}], indirect=True)
def test_silent_board_gives_a_clear_message_and_the_visit_stays_intact(kiosk):
    visit = register_guest(kiosk)
    with pytest.raises(LockerSystemDown) as exc:
        kiosk.lockers.assign_and_open(visit.id)
    assert isinstance(exc.value, LockerUnavailable)
    assert exc.value.code == "locker_system_unavailable"
    after = kiosk.visits.get(visit.id)
    assert (after.state, after.locker_door) == (VisitState.REGISTERED, None)
    assert ("locker_unavailable", {"reason": "locker_system_unavailable", "faulty": []}) in _events(kiosk, visit.id)
    assert {r.state for r in kiosk.lockers.repo.all()} == {"free"}  # a dead bus marks no door faulty
    # the registration goes on: the visit can still move through its lifecycle
    kiosk.registration.transition(visit.id, VisitState.WAITING_HOST, actor="guest")


@pytest.mark.parametrize("kiosk", [{"simulate_fault": "badsum:2"}], indirect=True)
def test_a_glitch_on_the_line_is_retried_and_the_guest_gets_a_door(kiosk):
    visit = register_guest(kiosk)
    assignment = kiosk.lockers.assign_and_open(visit.id)
    assert assignment.faulty == ()
    assert kiosk.lockers.emulator.open_doors() == [assignment.door]
    assert kiosk.lockers.board.stats["retries"] == 2


@pytest.mark.parametrize("kiosk", [{"simulate_fault": "badsum"}], indirect=True)
def test_noise_that_never_stops_is_a_clear_message(kiosk):
    visit = register_guest(kiosk)
    with pytest.raises(LockerSystemDown):
        kiosk.lockers.assign_and_open(visit.id)
    assert kiosk.visits.get(visit.id).locker_door is None


@pytest.mark.parametrize(
    "kiosk", [{"boards": [{"address": 0, "doors": 3}], "out_of_service": [2]}], indirect=True
)
def test_no_free_locker_is_a_clear_message_not_a_failed_registration(kiosk):
    first = kiosk.lockers.assign_and_open(register_guest(kiosk, 1).id)
    second = kiosk.lockers.assign_and_open(register_guest(kiosk, 2).id)
    assert {first.door, second.door} == {1, 3}  # door 2 is out of service
    third = register_guest(kiosk, 3)
    with pytest.raises(NoFreeLocker) as exc:
        kiosk.lockers.assign_and_open(third.id)
    assert exc.value.code == "no_free_locker"
    assert kiosk.visits.get(third.id).state == VisitState.REGISTERED


@pytest.mark.parametrize(
    "kiosk", [{"boards": [{"address": 0, "doors": 4}], "simulate_fault": "stuck:1,stuck:2,stuck:3", "doors_tried": 3}],
    indirect=True,
)
def test_guest_waits_for_at_most_doors_tried_doors(kiosk):
    visit = register_guest(kiosk)
    with pytest.raises(NoFreeLocker) as exc:
        kiosk.lockers.assign_and_open(visit.id)
    assert exc.value.fields["tried"] == 3
    assert [r.state for r in kiosk.lockers.repo.all()] == ["faulty", "faulty", "faulty", "free"]
    # the next guest is offered the one good door
    assert kiosk.lockers.assign_and_open(register_guest(kiosk, 2).id).door == 4


def test_a_free_locker_with_something_inside_is_skipped(kiosk):
    kiosk.lockers.connect()  # starts the emulator
    kiosk.lockers.emulator.set_occupied(1)
    assert kiosk.lockers.assign_and_open(register_guest(kiosk).id).door == 2


def test_asking_twice_for_the_same_visit_keeps_one_door(kiosk):
    visit = register_guest(kiosk)
    first = kiosk.lockers.assign_and_open(visit.id)
    assert kiosk.lockers.assign_and_open(visit.id).door == first.door
    assert [r.door for r in kiosk.lockers.repo.all() if r.state == "assigned"] == [first.door]


def test_a_finished_visit_gets_no_locker(kiosk):
    visit = register_guest(kiosk)
    kiosk.registration.transition(visit.id, VisitState.CANCELLED, actor="staff")
    with pytest.raises(VisitNotOpen):
        kiosk.lockers.assign_and_open(visit.id)


def test_check_out_opens_the_door_for_the_belongings_and_frees_it(kiosk):
    visit = register_guest(kiosk)
    door = kiosk.lockers.assign_and_open(visit.id).door
    kiosk.lockers.emulator.close_door(door)  # the guest shut it with their bag inside
    released = kiosk.lockers.release(visit.id)
    assert (released.door, released.opened) == (door, True)
    assert kiosk.lockers.emulator.is_open(door)
    assert kiosk.lockers.repo.get(door).state == "free"
    assert kiosk.visits.get(visit.id).locker_door == door  # history keeps which door it was
    assert kiosk.lockers.release(visit.id) is None


def test_a_door_that_will_not_open_at_check_out_is_left_for_staff(kiosk):
    visit = register_guest(kiosk)
    door = kiosk.lockers.assign_and_open(visit.id).door
    kiosk.lockers.emulator.close_door(door)
    kiosk.lockers.emulator.set_faults(f"stuck:{door}")
    released = kiosk.lockers.release(visit.id)
    assert released.opened is False
    assert kiosk.lockers.repo.get(door).state == "faulty"
    assert ("locker_released", {"door": door, "opened": False}) in _events(kiosk, visit.id)


def test_end_of_day_report_lists_doors_still_held_by_open_visits(kiosk):
    staying = register_guest(kiosk, 1)
    leaving = register_guest(kiosk, 2)
    door = kiosk.lockers.assign_and_open(staying.id).door
    kiosk.lockers.assign_and_open(leaving.id)
    kiosk.lockers.emulator.close_door(door)
    kiosk.lockers.release(leaving.id)
    report = kiosk.lockers.report_end_of_day()
    assert [(i.door, i.visit_id, i.door_state) for i in report] == [(door, staying.id, "closed")]


def test_staff_open_of_a_repaired_door_clears_its_faulty_mark(kiosk):
    kiosk.lockers.connect()
    kiosk.lockers.emulator.set_faults("stuck:3")
    with pytest.raises(LockerDidNotOpen):
        kiosk.lockers.open_door(3)
    assert kiosk.lockers.repo.get(3).state == "faulty"
    kiosk.lockers.emulator.set_faults("")  # the technician fixed it
    kiosk.lockers.open_door(3)
    assert kiosk.lockers.repo.get(3).state == "free"


def test_emergency_open_all_opens_every_door(kiosk):
    assert kiosk.lockers.open_all() == []
    assert len(kiosk.lockers.emulator.open_doors()) == 8


def test_status_rows_show_door_state_and_visit(kiosk):
    visit = register_guest(kiosk)
    door = kiosk.lockers.assign_and_open(visit.id).door
    rows = {r.door: r for r in kiosk.lockers.status()}
    assert (rows[door].state, rows[door].door_state, rows[door].visit_id) == ("assigned", "open", visit.id)
    assert rows[8].door_state == "closed" and rows[8].state == "free"


def test_config_changes_are_synced_into_the_table_at_start(tmp_path):
    ctx = make_ctx(tmp_path)
    visit = register_guest(ctx)
    door = ctx.lockers.assign_and_open(visit.id).door
    ctx.close()
    ctx = make_ctx(tmp_path, boards=[{"address": 0, "doors": 2}], out_of_service=[door])
    try:
        rows = {r.door: r.state for r in ctx.lockers.repo.all()}
        # the held door keeps its visit; the removed board's free doors are gone
        assert rows[door] == "assigned"
        assert set(rows) == {1, 2} | {door}
        ctx.lockers.release(visit.id, open_door=False)
        assert ctx.lockers.repo.get(door).state == "out_of_service"
    finally:
        ctx.close()


def test_kind_none_means_no_lockers_and_says_so(tmp_path):
    ctx = make_ctx(tmp_path, kind="none")
    try:
        with pytest.raises(LockerUnavailable) as exc:
            ctx.lockers.assign_and_open(register_guest(ctx).id)
        assert exc.value.code == "lockers_disabled"
    finally:
        ctx.close()
