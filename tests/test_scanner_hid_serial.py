"""Keyboard-wedge (evdev) and serial (pty pair) scanners driven against their simulators."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from evdev import InputEvent
from evdev import ecodes as e

from kiosk.config import ScannerConfig
from kiosk.devices.code_scanners import open_scanner
from kiosk.devices.scanner import ScannerUnavailable, SerialScanner
from kiosk.devices.scanner_hid import (
    EvdevKeySource,
    HidScanner,
    KeyDecoder,
    KeyEvent,
    ScriptedKeySource,
    keystrokes,
)
from tests.fixtures_scanner import Collector, pty_pair, wait_until  # noqa: F401  (pty_pair: fixture)

NIK = "3201015708850123"
RECORDING = Path(__file__).parent / "data" / "hid_wedge_scans.jsonl"


def key(code: int, value: int) -> InputEvent:
    return InputEvent(0, 0, e.EV_KEY, code, value)


def tap(code: int) -> list[InputEvent]:
    return [key(code, 1), InputEvent(0, 0, e.EV_SYN, 0, 0), key(code, 0)]


def test_key_decoder_reads_evdev_events_with_shift_and_caps_lock():
    # Keycodes from evdev's own table, not ours: the decoder must agree with the kernel's numbering.
    events = [key(e.KEY_LEFTSHIFT, 1), *tap(e.KEY_A), key(e.KEY_LEFTSHIFT, 0), *tap(e.KEY_B), *tap(e.KEY_1),
              key(e.KEY_RIGHTSHIFT, 1), *tap(e.KEY_1), *tap(e.KEY_SLASH), key(e.KEY_RIGHTSHIFT, 0),
              *tap(e.KEY_CAPSLOCK), *tap(e.KEY_K), *tap(e.KEY_CAPSLOCK), *tap(e.KEY_KP7), *tap(e.KEY_MINUS),
              *tap(e.KEY_X), *tap(e.KEY_BACKSPACE), *tap(e.KEY_ENTER)]
    assert KeyDecoder().feed(events) == ["Ab1!?K7-"]


def test_key_decoder_keeps_a_partial_code_until_enter_and_ignores_repeats():
    decoder = KeyDecoder()
    assert decoder.feed([*tap(e.KEY_3), key(e.KEY_3, 2), *tap(e.KEY_2)]) == []
    assert decoder.feed(tap(e.KEY_KPENTER)) == ["32"]
    assert decoder.feed(tap(e.KEY_ENTER)) == []  # an empty line is not a code


def test_key_decoder_reads_the_recorded_bursts():
    events = [KeyEvent(t, c, v) for *_, t, c, v in
              (json.loads(line) for line in RECORDING.read_text().splitlines() if not line.startswith("#"))]
    assert KeyDecoder().feed(events) == [NIK, "https://layananonline.dukcapil.kemendagri.go.id/Terpusat/Pindai?q=AbC"]


def test_keystrokes_refuses_what_a_wedge_cannot_type():
    with pytest.raises(ValueError):
        keystrokes("é")


def test_hid_scanner_reports_scripted_bursts_once_each():
    keys = ScriptedKeySource([keystrokes(NIK)[:10], keystrokes(NIK)[10:], keystrokes(NIK), keystrokes("ABC")])
    scanner = HidScanner(keys, debounce_s=60)
    got = Collector()
    scanner.start(got)
    try:
        assert keys.opened
        assert wait_until(lambda: got.texts() == [NIK, "ABC"])
    finally:
        scanner.stop()
    assert not keys.opened and got.codes[0].source == "hid" and got.codes[0].symbology == "KEYBOARD"


def test_hid_device_that_is_not_there_is_unavailable(tmp_path):
    with pytest.raises(ScannerUnavailable):
        EvdevKeySource(str(tmp_path / "event99")).open()
    scanner = open_scanner(ScannerConfig(kind="hid", hid_device=str(tmp_path / "event99")), lambda p: p)
    with pytest.raises(ScannerUnavailable):
        scanner.start(Collector())
    with pytest.raises(ScannerUnavailable):
        open_scanner(ScannerConfig(kind="hid", hid_device=""), lambda p: p)


def test_serial_scanner_reads_lines_from_a_pty(pty_pair):  # noqa: F811  (the imported fixture)
    master, port = pty_pair
    scanner = open_scanner(ScannerConfig(kind="serial", serial_port=port, debounce_s=60), lambda p: p)
    assert isinstance(scanner, SerialScanner)
    got = Collector()
    scanner.start(got)
    try:
        os.write(master, NIK[:7].encode())
        os.write(master, NIK[7:].encode() + b"\r")
        os.write(master, b"SECOND\r\nTHIRD\n" + NIK.encode() + b"\r")
        assert wait_until(lambda: got.texts() == [NIK, "SECOND", "THIRD"])
    finally:
        scanner.stop()
    assert {c.source for c in got.codes} == {"serial"} and scanner.state == "stopped"


def test_serial_port_that_is_not_there_is_unavailable(tmp_path):
    with pytest.raises(ScannerUnavailable):
        SerialScanner(str(tmp_path / "ttyACM9")).start(Collector())


def test_scanner_switched_off_is_unavailable():
    with pytest.raises(ScannerUnavailable):
        open_scanner(ScannerConfig(kind="none"), lambda p: p)
