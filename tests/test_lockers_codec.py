"""Kerong CU frames and the emulator's fault script, checked with values (no port)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.devices.locker_emulator import FOREVER, BadFaultScript, FaultScript
from kiosk.devices.locker_kerong import FrameError, KerongCuCodec, checksum


def test_request_frames_match_the_documented_examples():
    codec = KerongCuCodec()
    assert codec.encode_status(0) == bytes.fromhex("02 00 30 03 35")
    assert codec.encode_unlock(0, 3) == bytes.fromhex("02 03 31 03 39")  # lock 4 of board 0
    assert codec.encode_unlock(1, 0) == bytes.fromhex("02 10 31 03 46")  # board 1 in the high nibble
    assert codec.encode_unlock_all(2) == bytes.fromhex("02 20 33 03 58")


def test_checksum_is_the_low_byte_of_the_sum():
    assert checksum(bytes([0x02, 0xFF, 0x35, 0xFF, 0xFF, 0xFF, 0xFF, 0x03])) == (0x02 + 0x35 + 0x03 + 5 * 0xFF) & 0xFF


def test_status_reply_bits_map_to_locks_in_order():
    codec = KerongCuCodec(hook_closed_bit=1)
    # lock 1 open (bit 0 clear), lock 10 open (bit 1 of H2 clear), lock 3 occupied
    frame = bytes([0x02, 0x00, 0x35, 0xFE, 0xFD, 0x04, 0x00, 0x03])
    frame += bytes([checksum(frame)])
    reading = codec.decode_status(0, frame)
    assert [i for i, c in enumerate(reading.closed) if not c] == [0, 9]
    assert [i for i, o in enumerate(reading.occupied) if o] == [2]


def test_hook_polarity_follows_the_configured_bit():
    frame = bytes([0x02, 0x00, 0x35, 0x01, 0x00, 0x00, 0x00, 0x03])
    frame += bytes([checksum(frame)])
    assert KerongCuCodec(hook_closed_bit=1).decode_status(0, frame).closed[0] is True
    assert KerongCuCodec(hook_closed_bit=0).decode_status(0, frame).closed[0] is False


@given(
    board=st.integers(0, 15),
    closed=st.lists(st.booleans(), min_size=16, max_size=16),
    occupied=st.lists(st.booleans(), min_size=16, max_size=16),
    bit=st.sampled_from([0, 1]),
)
def test_board_reply_round_trips_through_the_host_parser(board, closed, occupied, bit):
    codec = KerongCuCodec(hook_closed_bit=bit)
    reading = codec.decode_status(board, codec.encode_status_reply(board << 4, closed, occupied))
    assert list(reading.closed) == closed
    assert list(reading.occupied) == occupied


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda f: f[:-1] + bytes([(f[-1] + 1) & 0xFF]), "checksum"),
        (lambda f: f[:7] + b"\x04" + f[8:], "framing"),
        (lambda f: f[:8], "framing"),
    ],
)
def test_corrupt_reply_is_rejected_with_the_check_that_failed(mutate, reason):
    codec = KerongCuCodec()
    good = codec.encode_status_reply(0x00, [True] * 16, [False] * 16)
    with pytest.raises(FrameError) as exc:
        codec.decode_status(0, mutate(good))
    assert exc.value.reason == reason


def test_reply_from_another_board_is_rejected():
    codec = KerongCuCodec()
    with pytest.raises(FrameError) as exc:
        codec.decode_status(0, codec.encode_status_reply(0x10, [True] * 16, [False] * 16))
    assert exc.value.reason == "address"


def test_frame_reader_skips_noise_and_waits_for_split_frames():
    codec = KerongCuCodec()
    reply = codec.encode_status_reply(0x00, [True] * 16, [False] * 16)
    buffer = bytearray(b"\xff\x00\x02\x99" + reply[:4])  # noise, a false STX, then half a frame
    assert codec.take_frame(buffer) is None
    buffer += reply[4:]
    assert codec.take_frame(buffer) == reply
    assert buffer == bytearray()


def test_fault_script_reads_every_documented_item():
    f = FaultScript.parse("stuck:3, STUCK:5,silent:2,badsum", doors=8)
    assert f.stuck == {3, 5}
    assert f.silent == 2
    assert f.badsum == FOREVER
    assert FaultScript.parse("") == FaultScript()


@pytest.mark.parametrize("script", ["stuck", "stuck:0", "stuck:9", "silent:x", "explode"])
def test_bad_fault_script_is_refused_with_a_reason(script):
    with pytest.raises(BadFaultScript) as exc:
        FaultScript.parse(script, doors=8)
    assert script in exc.value.text_en
