"""Scanner framings (terminators, STX/ETX, AIM identifiers, prefix/suffix, no terminator at all) over a real pty
for the serial driver and recorded key events for the keyboard wedge; the scanner service across an unplug."""
from __future__ import annotations

import os
import time

import pytest

from kiosk.config import ScannerConfig
from kiosk.devices.code_scanners import open_scanner
from kiosk.devices.scan_framing import CodeFramer, Framing
from kiosk.devices.scanner import SerialScanner
from kiosk.devices.scanner_hid import (
    EV_KEY,
    KEY_ENTER,
    HidScanner,
    KeyDecoder,
    KeyEvent,
    ScriptedKeySource,
    keystrokes,
)
from kiosk.devices.scanner_service import ScannerService
from kiosk.devices.serial_sim import PluggablePty
from tests.fixtures_scanner import Collector, pty_pair, wait_until  # noqa: F401  (pty_pair: fixture)

PASS = "KJ1.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIj"  # shaped like a gate-pass token
NIK = "3201015708850123"


def _serial(port: str, **framing) -> SerialScanner:
    cfg = ScannerConfig(kind="serial", serial_port=port, debounce_s=0, **framing)
    return open_scanner(cfg, lambda p: p)


@pytest.mark.parametrize(
    ("wire", "config"),
    [
        (b"%s\r", {}),  # factory default: CR
        (b"%s\r\n", {}),  # CRLF
        (b"%s\n", {}),  # LF
        (b"\x02%s\x03", {}),  # STX ... ETX, no line end
        (b"\x02%s\x03\r\n", {}),  # STX ... ETX then CRLF
        (b"]Q1%s\r", {}),  # AIM identifier of a QR code
        (b"]C0%s\r", {}),  # AIM identifier of Code 128
        (b"]L0%s\r\n", {}),  # AIM identifier of PDF417
        (b"PRE%sSUF\r", {"prefix": "PRE", "suffix": "SUF"}),  # an installer's programmed prefix/suffix
        (b"%s\t", {"terminators": "\\t"}),  # Tab-terminated
        (b"\x02]Q1%s\x03", {}),  # both
    ],
)
def test_common_scanner_framings_deliver_the_bare_code(pty_pair, wire, config):  # noqa: F811
    master, port = pty_pair
    scanner = _serial(port, **config)
    got = Collector()
    scanner.start(got)
    try:
        os.write(master, wire % PASS.encode())
        os.write(master, wire % NIK.encode())
        assert wait_until(lambda: len(got.texts()) >= 2, 5)
        time.sleep(0.2)
        assert got.texts() == [PASS, NIK]
    finally:
        scanner.stop()


def test_an_unterminated_code_ends_after_silence_and_is_never_glued_to_the_next(pty_pair):  # noqa: F811
    master, port = pty_pair
    scanner = _serial(port)  # expects CR, but this scanner was programmed without a terminator
    got = Collector()
    scanner.start(got)
    try:
        os.write(master, PASS.encode())
        assert wait_until(lambda: got.texts() == [PASS], 5)
        os.write(master, NIK.encode() + b"\r")
        assert wait_until(lambda: len(got.texts()) == 2, 5)
        assert got.texts() == [PASS, NIK]
    finally:
        scanner.stop()


def test_a_code_split_across_reads_within_the_timeout_stays_whole(pty_pair):  # noqa: F811
    master, port = pty_pair
    scanner = _serial(port, inter_char_timeout_s=0.5)
    got = Collector()
    scanner.start(got)
    try:
        os.write(master, PASS[:10].encode())
        time.sleep(0.05)
        os.write(master, PASS[10:].encode() + b"\r")
        assert wait_until(lambda: got.texts() == [PASS], 5)
    finally:
        scanner.stop()


def test_aim_stripping_can_be_switched_off_for_codes_that_start_with_a_bracket():
    framer = CodeFramer(Framing(strip_aim=False))
    assert framer.feed(b"]Q1abc\r", 0.0) == [(b"]Q1abc", None)]
    assert CodeFramer().feed(b"]Q1abc\r", 0.0) == [(b"abc", "QRCODE")]


def _recorded(text: str, start: float, gap: float = 0.004, enter: bool = True) -> list[KeyEvent]:
    """A wedge scan as recorded: each key event with its time stamp (4 ms apart, a typical wedge rate)."""
    events = keystrokes(text, enter=enter)
    return [KeyEvent(ev.type, ev.code, ev.value, start + i * gap) for i, ev in enumerate(events)]


def test_hid_recorded_scans_without_enter_are_cut_by_the_pause_between_them():
    decoder = KeyDecoder(inter_char_timeout_s=0.08)
    first = _recorded(PASS, 100.0, enter=False)
    second = _recorded(NIK, 103.0)  # the next guest, moments later
    assert decoder.feed(first + second) == [PASS, NIK]


def test_hid_scanner_strips_an_aim_prefix_and_ends_a_code_without_enter():
    keys = ScriptedKeySource([keystrokes("]Q1" + PASS, enter=False), [], [], keystrokes(NIK)])
    scanner = HidScanner(keys, debounce_s=0, framing=Framing(inter_char_timeout_s=0.05))
    got = Collector()
    scanner.start(got)
    try:
        assert wait_until(lambda: len(got.texts()) == 2, 5)
        assert got.texts() == [PASS, NIK]
        assert got.codes[0].symbology == "QRCODE"
    finally:
        scanner.stop()


def test_hid_enter_still_ends_a_code_at_once():
    decoder = KeyDecoder(inter_char_timeout_s=0.08)
    events = _recorded(NIK, 5.0)
    assert events[-3].code == KEY_ENTER and events[-3].type == EV_KEY
    assert decoder.feed(events) == [NIK]


def test_scanner_service_goes_offline_when_pulled_and_delivers_codes_again_after_replug(tmp_path):
    device = PluggablePty(tmp_path / "usb-scanner-if00")
    scanner = SerialScanner(device.link, debounce_s=0, reconnect_s=0.2)
    service = ScannerService(scanner, poll_s=0.1, backoff_s=0.05)
    states: list[str] = []
    service.subscribe(lambda s: states.append(s.state))
    got = Collector()
    unsubscribe = service.subscribe_codes(got)
    service.start()
    try:
        assert wait_until(lambda: service.state == "ok", 5)
        os.write(device.master, PASS.encode() + b"\r")
        assert wait_until(lambda: got.texts() == [PASS], 5)
        device.unplug()
        assert wait_until(lambda: service.state == "offline", 5)
        device.plug()
        assert wait_until(lambda: service.state == "ok", 5)
        os.write(device.master, NIK.encode() + b"\r")
        assert wait_until(lambda: got.texts() == [PASS, NIK], 5)
        unsubscribe()
        os.write(device.master, b"AFTER\r")
        time.sleep(0.3)
        assert got.texts() == [PASS, NIK]  # a screen that left hears nothing more; the device stayed open
        assert states[:1] == ["unknown"] and "offline" in states and states[-1] == "ok"
    finally:
        service.stop()
        device.unplug()
