"""The staff menu by touch (long press, PIN pad, tabs) and the systemd watchdog fed by the Kivy clock."""
from __future__ import annotations

import time

import pytest

from kiosk.domain.visit import VisitState
from tests.fixtures_ops import NIK_A, PIN, NotifySocket, pin_hash, register_at

pytestmark = pytest.mark.ui


def pump_for(ui, seconds: float) -> None:
    from kivy.base import EventLoop

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        EventLoop.idle()


def wait_until(ui, condition, seconds: float = 10) -> None:
    from kivy.base import EventLoop

    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "condition not met in time"
        EventLoop.idle()


def long_press(ui, widget) -> None:
    from kivy.tests.common import UnitTestTouch

    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    pump_for(ui, widget.hold_s + 0.3)
    touch.touch_up()
    ui.settle()


@pytest.fixture
def staff_ctx(make_config):
    from datetime import UTC, datetime

    from kiosk.app.context import AppContext
    from kiosk.domain.clock import FixedClock

    cfg = make_config({"ui": {"staff_pin_hash": pin_hash(), "staff_pin_attempts": 3}})
    ctx = AppContext(cfg, clock=FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC)))
    yield ctx
    ctx.close()


def _harness(ctx, role, artifacts):
    from tests.ui_harness import UiHarness

    return UiHarness(ctx, role=role, artifacts=artifacts)


def enter_pin(ui, pin: str) -> None:
    for digit in pin:
        ui.tap(ui.find(f"key{digit}"))
    ui.tap(ui.find("enter"))
    ui.pump(5)
    if ui.app.screens.current != "staff_pin" or ui.app.screens.transition.is_active:
        ui.settle()


@pytest.mark.parametrize("role", ["security", "survey"])  # guest: in the full staff walk-through below
def test_a_long_press_on_the_office_name_opens_the_pin_pad_in_every_role(staff_ctx, artifacts, role):
    ui = _harness(staff_ctx, role, artifacts)
    try:
        name = ui.header("office_name")
        first = ui.app.screens.current
        ui.tap(name)  # a short tap does nothing
        ui.settle()
        assert ui.app.screens.current == first
        long_press(ui, name)
        assert ui.app.screens.current == "staff_pin"
        ui.screenshot(f"staff-pin-pad-{role}")
    finally:
        ui.close()


def test_staff_unlock_status_visits_checkout_lockers_and_leave(staff_ctx, artifacts):
    visit = register_at(staff_ctx, staff_ctx.clock.now())
    staff_ctx.registration.transition(visit.id, VisitState.WAITING_HOST, actor="guest")
    ui = _harness(staff_ctx, "guest", artifacts)
    try:
        long_press(ui, ui.header("office_name"))
        enter_pin(ui, "1357")
        assert ui.app.screens.current == "staff_pin"
        assert "2" in ui.find("message").text  # attempts left, in Indonesian first
        enter_pin(ui, PIN)
        assert ui.app.screens.current == "staff"

        content = ui.find("content")
        wait_until(ui, lambda: any("Loker: baik" in getattr(w, "text", "") for w in content.children))
        texts = [getattr(w, "text", "") for w in content.walk()]
        assert "Printer: baik" in texts  # each device's service state in words, Indonesian first
        assert any("2 menunggu" in t for t in texts)  # registered + waiting_host, no central configured
        ui.screenshot("staff-status")

        ui.tap(ui.find("tab_visits"))
        ui.settle()
        texts = " ".join(getattr(w, "text", "") for w in content.walk())
        assert NIK_A[-4:] in texts and NIK_A not in texts  # masked on screen
        assert "[menunggu pegawai]" in texts  # the visit's state in words, not its code
        ui.screenshot("staff-visits")
        row = next(w for w in content.children if getattr(w, "visit_id", None) == visit.id)
        ui.tap(next(b for b in row.children if getattr(b, "text", "") == "Diterima"))  # the host said yes by phone
        wait_until(ui, lambda: staff_ctx.visits.get(visit.id).state == VisitState.ACCEPTED)
        wait_until(ui, lambda: ui.find("message").text == "Dicatat: pegawai menerima tamu")
        ui.settle()
        row = next(w for w in content.children if getattr(w, "visit_id", None) == visit.id)
        assert "Diterima" not in [getattr(b, "text", "") for b in row.children]  # answered once
        checkout = next(b for b in row.children if getattr(b, "text", "") == "Check-out")
        ui.tap(checkout)
        wait_until(ui, lambda: staff_ctx.visits.get(visit.id).state == VisitState.CHECKED_OUT)
        wait_until(ui, lambda: ui.find("message").text == "Tamu sudah di-check-out")

        ui.tap(ui.find("tab_lockers"))
        ui.settle()
        door_row = next(w for w in ui.find("content").children if getattr(w, "door", None) == 3)
        ui.tap(next(b for b in door_row.children if getattr(b, "text", "") == "Buka"))
        wait_until(ui, lambda: ui.find("message").text == "Loker 3 terbuka")
        door_texts = [getattr(w, "text", "") for w in ui.find("content").walk()]
        assert any(t.strip().startswith("1  kosong, pintu tertutup") for t in door_texts)
        ui.screenshot("staff-lockers")
        ui.tap(ui.find("leave"))
        ui.settle()
        assert ui.app.screens.current == ui.app.screens.screen_names[0]
    finally:
        ui.close()


def test_wrong_pins_lock_the_pad(make_config, artifacts):
    from kiosk.app.context import AppContext

    ctx = AppContext(make_config({"ui": {"staff_pin_hash": pin_hash(), "staff_pin_attempts": 1}}))
    ui = _harness(ctx, "security", artifacts)
    try:
        ui.app.go("staff_pin")
        ui.settle()
        enter_pin(ui, "0000")
        assert "Coba lagi" in ui.find("message").text
        enter_pin(ui, PIN)
        assert ui.app.screens.current == "staff_pin"
        ui.screenshot("staff-pin-locked")
    finally:
        ui.close()
        ctx.close()


def test_watchdog_beats_come_from_the_kivy_clock_and_stop_when_the_ui_freezes(staff_ctx, artifacts, tmp_path, monkeypatch):
    sock = NotifySocket(tmp_path / "notify.sock")
    for key, value in sock.env(watchdog_usec=300_000).items():
        monkeypatch.setenv(key, value)
    ui = _harness(staff_ctx, "guest", artifacts)
    try:
        pump_for(ui, 0.5)
        got = sock.drain()
        assert got[0].startswith("READY=1")
        assert "WATCHDOG=1" in got[1:]
        time.sleep(0.5)  # the UI thread is blocked: no clock, no beat
        assert sock.drain() == []
        pump_for(ui, 0.5)
        assert "WATCHDOG=1" in sock.drain()
    finally:
        ui.close()
        sock.close()
    assert ui.app.watchdog.beats >= 2


def test_the_staff_status_shows_a_printer_pulled_while_the_menu_is_open_and_back_again(staff_ctx, artifacts):
    ui = _harness(staff_ctx, "guest", artifacts)
    printer = staff_ctx.devices.printer
    printer.poll_s, printer.backoff_s = 0.1, 0.05
    try:
        long_press(ui, ui.header("office_name"))
        enter_pin(ui, PIN)
        content = ui.find("content")

        def shows(text: str) -> bool:
            return any(text in getattr(w, "text", "") for w in content.children)

        wait_until(ui, lambda: shows("Printer: baik"))
        printer.transport.fault = "offline"  # the USB cable is pulled while staff look at the menu
        wait_until(ui, lambda: shows("Printer: tidak bisa dipakai (tidak terhubung / not connected)"))
        ui.screenshot("staff-status-printer-offline")
        printer.transport.fault = ""  # plugged back in: no restart
        wait_until(ui, lambda: shows("Printer: baik"))
    finally:
        ui.close()


def test_a_reprint_the_web_desk_asked_for_is_marked_on_the_visit_until_it_is_printed(staff_ctx, artifacts):
    from kiosk.app.passes import init_keys
    from kiosk.domain.visit import VisitEvent

    init_keys(staff_ctx.config)  # the kiosk that prints holds the pass key
    visit = register_at(staff_ctx, staff_ctx.clock.now())
    staff_ctx.registration.transition(visit.id, VisitState.WAITING_HOST, actor="guest")
    asked = VisitEvent(visit.id, "reprint_requested", staff_ctx.clock.now(), "desk:ani", "central",
                       data={"via": "desk", "device_id": staff_ctx.config.kiosk.device_id})
    with staff_ctx.db.transaction() as conn:  # as the pull stores an event from central
        staff_ctx.visits.append_event(conn, asked, outbox=False)
    ui = _harness(staff_ctx, "guest", artifacts)
    try:
        long_press(ui, ui.header("office_name"))
        enter_pin(ui, PIN)
        ui.tap(ui.find("tab_visits"))
        ui.settle()
        content = ui.find("content")
        line = next(w.text for w in content.walk() if NIK_A[-4:] in getattr(w, "text", ""))
        assert "(meja minta cetak ulang)" in line
        ui.screenshot("staff-visits-reprint-asked")
        row = next(w for w in content.children if getattr(w, "visit_id", None) == visit.id)
        ui.tap(next(b for b in row.children if getattr(b, "text", "") == "Cetak ulang"))
        wait_until(ui, lambda: ui.find("message").text == "Tanda pengenal dicetak ulang")
        assert not staff_ctx.staff.todays_visits()[0].reprint_asked
    finally:
        ui.close()
