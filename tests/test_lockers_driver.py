"""The real pyserial driver against the board emulator on a real pty pair."""
from __future__ import annotations

import threading

import pytest

from kiosk.devices.locker import (
    BoardSpec,
    DoorMap,
    LockerBadReply,
    LockerNoReply,
    LockerPortError,
    SerialLockerBoard,
    UnknownDoor,
)
from kiosk.devices.locker_emulator import LockerBoardEmulator
from kiosk.devices.locker_kerong import KerongCuCodec

BOARDS = [BoardSpec(0, 12), BoardSpec(3, 6)]  # doors 1-12 on board 0, 13-18 on board 3


@pytest.fixture
def bus():
    emulator = LockerBoardEmulator(BOARDS).start()
    driver = SerialLockerBoard.open_port(emulator.port, DoorMap(BOARDS), KerongCuCodec(), retries=2, timeout_s=0.05)
    yield emulator, driver
    driver.close()
    emulator.stop()


def test_opened_door_reads_open_and_stays_open_until_closed(bus):
    emulator, driver = bus
    driver.open(5)
    assert [d for d, s in driver.status_all().items() if s.open] == [5]
    assert emulator.open_doors() == [5]  # the unlock is processed before the status request that follows it
    assert [d for d, s in driver.status_all().items() if s.open] == [5]  # still open on a second look
    emulator.close_door(5)
    assert not any(s.open for s in driver.status_all().values())


def test_doors_on_the_second_board_are_addressed_on_that_board(bus):
    emulator, driver = bus
    driver.open(13)
    states = driver.status_all()
    assert emulator.requests[0] == bytes.fromhex("02 30 31 03 66")  # unlock: board 3, lock 0
    assert emulator.requests[1:] == [bytes.fromhex("02 00 30 03 35"), bytes.fromhex("02 30 30 03 65")]
    assert sorted(states) == list(range(1, 19))
    assert [d for d, s in states.items() if s.open] == [13]


def test_occupancy_sensor_is_reported(bus):
    emulator, driver = bus
    emulator.set_occupied(7)
    assert [d for d, s in driver.status_all().items() if s.occupied] == [7]


def test_one_bad_checksum_is_retried_and_the_reading_succeeds(bus):
    emulator, driver = bus
    emulator.set_faults("badsum:1")
    driver.open(2)
    assert driver.status_all()[2].open
    assert driver.stats["retries"] == 1


def test_one_lost_reply_is_retried_and_the_reading_succeeds(bus):
    emulator, driver = bus
    emulator.set_faults("silent:2")
    assert len(driver.status_all()) == 18
    assert driver.stats["retries"] == 2


def test_silent_board_fails_after_the_configured_retries(bus):
    emulator, driver = bus
    emulator.set_faults("silent")
    before = len(emulator.requests)
    with pytest.raises(LockerNoReply) as exc:
        driver.status_all()
    assert exc.value.fields == {"board": 0, "attempts": 3}
    assert len(emulator.requests) - before == 3  # 1 try + 2 retries, then it stops


def test_persistent_bad_checksum_fails_as_a_corrupt_reply(bus):
    emulator, driver = bus
    emulator.set_faults("badsum")
    with pytest.raises(LockerBadReply) as exc:
        driver.status_all()
    assert exc.value.fields["reason"] == "checksum"


def test_stuck_door_does_not_open(bus):
    emulator, driver = bus
    emulator.set_faults("stuck:4")
    driver.open(4)
    assert not driver.status_all()[4].open


def test_open_all_opens_every_door_on_every_board(bus):
    emulator, driver = bus
    driver.open_all()
    assert all(s.open for s in driver.status_all().values())
    assert len(emulator.open_doors()) == 18


def test_a_door_number_off_the_bus_is_refused(bus):
    _, driver = bus
    with pytest.raises(UnknownDoor):
        driver.open(19)


@pytest.fixture
def patient_bus():
    """The bus with a reply timeout far above the emulator's answer time even on a loaded machine, so a
    retry can only come from a reply the driver rejected (a mix-up), not from a thread scheduled late."""
    emulator = LockerBoardEmulator(BOARDS).start()
    driver = SerialLockerBoard.open_port(emulator.port, DoorMap(BOARDS), KerongCuCodec(), retries=2, timeout_s=2.0)
    yield emulator, driver
    driver.close()
    emulator.stop()


def test_threads_sharing_the_bus_never_mix_up_replies(patient_bus):
    emulator, driver = patient_bus
    errors: list[BaseException] = []

    def worker(door: int) -> None:
        try:
            for _ in range(15):
                driver.open(door)
                states = driver.status_all()
                assert states[door].open
                assert len(states) == 18
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(d,)) for d in (1, 8, 13, 18)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(emulator.open_doors()) == [1, 8, 13, 18]
    assert driver.stats["retries"] == 0


def test_a_missing_port_is_a_clear_error():
    with pytest.raises(LockerPortError) as exc:
        SerialLockerBoard.open_port("/dev/does-not-exist-locker", DoorMap(BOARDS), KerongCuCodec())
    assert "/dev/does-not-exist-locker" in exc.value.message()
