"""Locker boards that misbehave, against the real pyserial driver on pty pairs: lost unlocks, a silent board,
boards that answer an unlock, noise and split replies, an adapter pulled mid-command and plugged back in."""
from __future__ import annotations

import termios

import pytest

from kiosk.app.context import AppContext
from kiosk.config import parse_config
from kiosk.devices.locker import BoardSpec, DoorMap, LockerBoardError, LockerPortError, SerialLockerBoard
from kiosk.devices.locker_emulator import LockerBoardEmulator
from kiosk.devices.locker_kerong import KerongCuCodec
from kiosk.domain.clock import FixedClock
from tests.fixtures_lockers import T0, locker_config_data, make_ctx, register_guest

BOARDS = [BoardSpec(0, 4), BoardSpec(1, 4)]  # doors 1-4 on board 0, 5-8 on board 1


@pytest.fixture
def kiosk(tmp_path, request):
    ctx = make_ctx(tmp_path, **getattr(request, "param", {}))
    yield ctx
    ctx.close()


@pytest.fixture
def plugged(tmp_path):
    """An emulator behind a by-id style symlink (so it can be pulled and re-plugged) and a kiosk on that path."""
    link = tmp_path / "usb-rs485-if00"
    emulator = LockerBoardEmulator(BOARDS, link=link).start()
    data = locker_config_data(tmp_path, kind="kerong_cu", port=str(link))
    ctx = AppContext(parse_config(data, base_dir=tmp_path), clock=FixedClock(T0))
    yield emulator, ctx
    ctx.close()
    emulator.stop()


def _driver(emulator, **kw):
    return SerialLockerBoard.open_port(emulator.port, DoorMap(BOARDS), KerongCuCodec(), retries=2, timeout_s=0.05, **kw)


# --- lost unlock frames -------------------------------------------------------------------------------


@pytest.mark.parametrize("kiosk", [{"simulate_fault": "dropunlock:1"}], indirect=True)
def test_a_lost_unlock_frame_is_sent_again_and_the_working_door_is_given_not_marked_faulty(kiosk):
    visit = register_guest(kiosk)
    assignment = kiosk.lockers.assign_and_open(visit.id)
    assert (assignment.door, assignment.faulty) == (1, ())
    assert kiosk.lockers.emulator.open_doors() == [1]
    assert kiosk.lockers.repo.get(1).state == "assigned"


@pytest.mark.parametrize("kiosk", [{"simulate_fault": "dropunlock:1"}], indirect=True)
def test_a_lost_unlock_all_frame_is_sent_again(kiosk):
    assert kiosk.lockers.open_all() == []
    assert len(kiosk.lockers.emulator.open_doors()) == 8


@pytest.mark.parametrize("kiosk", [{"simulate_fault": "dropunlock"}], indirect=True)
def test_resending_is_bounded_and_a_door_that_never_opens_is_still_judged(kiosk):
    visit = register_guest(kiosk)
    with pytest.raises(LockerBoardError.__mro__[1]):  # KioskError: no free locker after doors_tried doors
        kiosk.lockers.assign_and_open(visit.id)
    unlocks = [f for f in kiosk.lockers.emulator.requests if f[2] == 0x31]
    assert len(unlocks) == 3 * 2  # doors_tried=3, unlock_attempts=2 each


# --- one silent board --------------------------------------------------------------------------------


@pytest.mark.parametrize("kiosk", [{"simulate_fault": "silentboard:0"}], indirect=True)
def test_one_silent_board_costs_only_its_own_doors_and_the_guest_gets_a_door_on_the_other(kiosk):
    visit = register_guest(kiosk)
    assignment = kiosk.lockers.assign_and_open(visit.id)
    assert assignment.door == 5 and assignment.faulty == ()
    assert kiosk.lockers.emulator.open_doors() == [5]
    assert kiosk.lockers.repo.get(1).state == "free"  # not marked faulty: its board is silent, not the door


@pytest.mark.parametrize("kiosk", [{"simulate_fault": "silentboard:0"}], indirect=True)
def test_staff_open_of_a_door_on_a_working_board_succeeds_while_another_board_is_silent(kiosk):
    kiosk.lockers.open_door(6)
    assert kiosk.lockers.emulator.open_doors() == [6]


@pytest.mark.parametrize("kiosk", [{"simulate_fault": "silentboard:1"}], indirect=True)
def test_open_all_with_a_silent_board_opens_the_others_and_names_the_silent_board(kiosk):
    shut = kiosk.lockers.open_all()
    assert shut == [5, 6, 7, 8]
    assert sorted(kiosk.lockers.emulator.open_doors()) == [1, 2, 3, 4]
    assert set(kiosk.lockers.unreachable_boards) == {1}
    assert kiosk.devices.lockers.state == "degraded"


@pytest.mark.parametrize("kiosk", [{"simulate_fault": "silentboard:1"}], indirect=True)
def test_status_shows_the_answering_boards_doors_and_names_the_silent_one(kiosk):
    rows = {r.door: r.door_state for r in kiosk.lockers.status()}
    assert [rows[d] for d in range(1, 9)] == ["closed"] * 4 + ["unknown"] * 4
    assert set(kiosk.lockers.unreachable_boards) == {1}


# --- firmware that answers an unlock ------------------------------------------------------------------


def test_an_unlock_answered_with_a_stale_status_frame_is_not_taken_as_the_status():
    with LockerBoardEmulator(BOARDS, faults="answers_unlock") as emulator:
        driver = _driver(emulator)
        try:
            driver.open(3)
            assert driver.status_all()[3].open  # the pulse's result, not the stale "closed" of the answer
            assert driver.stats["unlock_replies"] == 1
        finally:
            driver.close()


@pytest.mark.parametrize("kiosk", [{"simulate_fault": "answers_unlock"}], indirect=True)
def test_a_board_that_answers_unlocks_gives_the_guest_the_first_door(kiosk):
    visit = register_guest(kiosk)
    assignment = kiosk.lockers.assign_and_open(visit.id)
    assert (assignment.door, assignment.faulty) == (1, ())


@pytest.mark.parametrize("fault", ["noise", "split", "garbled:1", "noise,split"])
def test_noisy_split_and_garbled_replies_are_cut_on_frame_boundaries(fault):
    with LockerBoardEmulator(BOARDS, faults=fault) as emulator:
        driver = _driver(emulator)
        try:
            emulator._open[2] = True  # door 2 was left open
            states = driver.status_all()
            assert [d for d, s in states.items() if s.open] == [2]
        finally:
            driver.close()


# --- the adapter pulled and plugged back in ----------------------------------------------------------


def test_pulling_the_adapter_mid_command_is_a_clear_port_error_never_a_serial_traceback(tmp_path):
    link = tmp_path / "ttyUSB-locker"
    with LockerBoardEmulator(BOARDS, link=link) as emulator:
        driver = _driver(emulator)
        try:
            driver.status_all()
            emulator.unplug()
            for call in (driver.status_all, lambda: driver.open(1), driver.status_all):
                with pytest.raises(LockerPortError) as exc:
                    call()
                assert not isinstance(exc.value.__cause__, termios.error)
            emulator.replug()
            assert len(driver.status_all()) == 8  # same driver object, the new pty behind the same path
        finally:
            driver.close()


def test_a_termios_error_from_the_port_is_mapped_to_a_port_error(tmp_path):
    with LockerBoardEmulator(BOARDS) as emulator:
        driver = _driver(emulator)
        try:
            driver.status_all()
            port = driver._port

            def unplugged_flush() -> None:
                raise termios.error(5, "Input/output error")  # what tcflush says on a vanished tty

            port.reset_input_buffer = unplugged_flush  # the pyserial port object, not our driver
            with pytest.raises(LockerPortError):
                driver.status_all()
            assert len(driver.status_all()) == 8  # reopened
        finally:
            driver.close()


def test_a_running_kiosk_reconnects_after_the_adapter_is_plugged_back_in(plugged):
    emulator, ctx = plugged
    bus = ctx.devices.lockers
    assert bus.check_now().state == "ok"
    emulator.unplug()
    visit = register_guest(ctx)
    with pytest.raises(LockerBoardError.__mro__[1]):
        ctx.lockers.assign_and_open(visit.id)
    assert bus.state == "offline"
    emulator.replug()
    assert bus.check_now().state == "ok"
    assignment = ctx.lockers.assign_and_open(register_guest(ctx, 2).id)
    assert emulator.open_doors() == [assignment.door]
