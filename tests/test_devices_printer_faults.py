"""Printers that misbehave, against python-escpos' own Network connection on real sockets: a printer that
accepts and never reads, closes, ignores DLE EOT, runs out of paper mid-job, or is unplugged and re-plugged."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from escpos.printer import Network

from kiosk.app.passes import init_keys
from kiosk.app.registration import GuestIdentity
from kiosk.cli import main
from kiosk.devices.escpos_render import render
from kiosk.devices.printer import EscposPrinter, NotTaken, PaperOut, PrinterOffline
from kiosk.devices.printer_emulator import NetworkPrinterEmulator
from kiosk.domain.ticket import gate_pass_ticket
from tests.fixtures_printing import decode_both, sample_pass, sample_ticket

ROOT = Path(__file__).resolve().parents[1]


def _network(port: int, **kw) -> dict:
    return {"kind": "network", "host": "127.0.0.1", "port": port, "timeout_s": 2.0, "status_timeout_s": 0.3,
            "drain_timeout_s": 1.0, **kw}


@pytest.fixture
def kiosk(make_config):
    from kiosk.app.context import AppContext
    from kiosk.domain.clock import FixedClock

    made = []

    def make(**devices):
        ctx = AppContext(make_config({"devices": devices}), clock=FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC)))
        init_keys(ctx.config)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


def _register(ctx, n: int = 1):
    identity = GuestIdentity(nik=f"51050141019{n:05d}", name="Ni Kadek Ayu Lestari", phone="081200000000")
    return ctx.registration.register(identity, purpose="meet_employee", host_id="kajari", host_name="Kajari", consent=True)


def _doc():
    gp, token = sample_pass()
    return gate_pass_ticket(sample_ticket(token, gp.pass_id), width_dots=576)


def test_a_printer_that_accepts_but_never_reads_is_not_printed_and_the_backup_prints(kiosk):
    with NetworkPrinterEmulator("never_reads") as hung:
        ctx = kiosk(printer=_network(hung.port), backup_printer={"kind": "simulated"})
        visit = _register(ctx)
        outcome = ctx.tickets.issue_and_print(visit.id)
        assert outcome.printed and outcome.printer == "backup"
        page = render(ctx.tickets.printers[1].transport.printed)
        assert decode_both(page.image)[1] == [outcome.token]
        assert ctx.devices.printer.state == "offline"


def test_a_printer_that_never_reads_and_no_backup_sends_the_guest_to_ptsp_with_the_pass_reprintable(kiosk):
    with NetworkPrinterEmulator("never_reads") as hung:
        ctx = kiosk(printer=_network(hung.port))
        visit = _register(ctx)
        outcome = ctx.tickets.issue_and_print(visit.id)
        assert not outcome.printed and "PTSP" in outcome.message_id
        assert "print_failed" in ctx.visits.get(visit.id).flags
        hung.fault = ""  # staff power-cycle the printer; the kiosk keeps running
        again = ctx.tickets.reprint(visit.id)
        assert again.printed and again.printer == "printer" and again.pass_id == outcome.pass_id
        assert "print_failed" not in ctx.visits.get(visit.id).flags


def test_a_printer_that_closes_the_connection_is_not_printed_and_the_backup_prints(kiosk):
    with NetworkPrinterEmulator("closes") as closing:
        ctx = kiosk(printer=_network(closing.port), backup_printer={"kind": "simulated"})
        outcome = ctx.tickets.issue_and_print(_register(ctx).id)
        assert outcome.printed and outcome.printer == "backup"


def test_a_printer_that_ignores_status_is_asked_once_not_per_pass(kiosk):
    with NetworkPrinterEmulator("no_status") as quiet:
        ctx = kiosk(printer=_network(quiet.port))
        for n in (1, 2, 3):
            outcome = ctx.tickets.issue_and_print(_register(ctx, n).id)
            assert outcome.printed and "status_unknown" in outcome.warnings
        assert quiet.status_queries == 1  # learnt once, then every pass is confirmed by its drained bytes


def test_paper_running_out_during_the_pass_is_not_printed_and_the_backup_prints(kiosk):
    with NetworkPrinterEmulator("paper_out_after_job") as printer:
        ctx = kiosk(printer=_network(printer.port), backup_printer={"kind": "simulated"})
        outcome = ctx.tickets.issue_and_print(_register(ctx).id)
        assert outcome.printed and outcome.printer == "backup"
        assert ctx.devices.printer.state == "offline" and "paper" in ctx.devices.printer.last_error


def test_a_good_network_printer_confirms_with_one_status_answer_per_pass():
    with NetworkPrinterEmulator() as good:
        printer = EscposPrinter(Network("127.0.0.1", port=good.port, timeout=2), status_timeout_s=0.3)
        printer.print_document(_doc())
        printer.print_document(_doc())
        assert good.status_queries == 2
        assert len(decode_both(render(good.jobs_bytes).image)[1]) == 2


@pytest.mark.parametrize(("fault", "printed"), [("slow", True), ("garbled", True), ("never_reads", False)])
def test_without_a_status_answer_a_pass_is_printed_only_when_its_bytes_drained(fault, printed):
    with NetworkPrinterEmulator(fault, slow_bytes_per_s=100_000) as emulator:
        printer = EscposPrinter(Network("127.0.0.1", port=emulator.port, timeout=2), status_timeout_s=0.2,
                                drain_timeout_s=1.5)
        if printed:
            printer.print_document(_doc())
            assert printer.last_warnings == ("status_unknown",)
        else:
            with pytest.raises(NotTaken):
                printer.print_document(_doc())


def test_an_unplugged_network_printer_works_again_when_plugged_back_in_without_a_restart():
    emulator = NetworkPrinterEmulator().start()
    printer = EscposPrinter(Network("127.0.0.1", port=emulator.port, timeout=1), status_timeout_s=0.3)
    try:
        printer.print_document(_doc())
        emulator.unplug()
        with pytest.raises(PrinterOffline):
            printer.print_document(_doc())
        emulator.replug()
        printer.print_document(_doc())
        assert emulator.connections == 2
    finally:
        printer.close()
        emulator.stop()


def test_paper_out_mid_job_on_the_simulator_is_paper_out():
    from kiosk.devices.printer_simulator import SimulatedPrinterTransport

    sim = SimulatedPrinterTransport(fault="paper_out_after_job")
    with pytest.raises(PaperOut):
        EscposPrinter(sim).print_document(_doc())
    assert sim.jobs == []


def test_ticket_test_prints_a_sample_pass_on_the_configured_printer(tmp_path, capsys):
    with NetworkPrinterEmulator() as printer:
        cfg = tmp_path / "kiosk.toml"
        cfg.write_text(
            "[kiosk]\n"
            f'data_dir = "{tmp_path / "data"}"\n'
            "[privacy]\n"
            f'key_file = "{tmp_path / "keys" / "data.key"}"\n'
            f'signing_key_file = "{tmp_path / "keys" / "sign.key"}"\n'
            "[devices.printer]\n"
            'kind = "network"\nhost = "127.0.0.1"\n'
            f"port = {printer.port}\nstatus_timeout_s = 0.3\n",
            encoding="utf-8",
        )
        assert main(["ticket", "test", "--config", str(cfg)]) == 0
        out = capsys.readouterr().out
        assert "printed on printer" in out
        token = out.strip().splitlines()[-1]
        assert decode_both(render(printer.jobs_bytes).image)[1] == [token]
        assert main(["ticket", "--demo", "--printer", "--config", str(cfg)]) == 0


def test_ticket_test_on_a_printer_that_never_reads_says_so_and_exits_non_zero(tmp_path, capsys):
    with NetworkPrinterEmulator("never_reads") as printer:
        cfg = tmp_path / "kiosk.toml"
        cfg.write_text(
            f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n[privacy]\nkey_file = "{tmp_path / "k" / "d.key"}"\n'
            f'signing_key_file = "{tmp_path / "k" / "s.key"}"\n'
            f'[devices.printer]\nkind = "network"\nhost = "127.0.0.1"\nport = {printer.port}\n'
            "status_timeout_s = 0.2\ndrain_timeout_s = 0.5\n",
            encoding="utf-8",
        )
        assert main(["ticket", "test", "--config", str(cfg)]) == 1
        assert "not printed" in capsys.readouterr().err


def test_the_printer_driver_uses_only_the_public_api_of_python_escpos():
    source = (ROOT / "kiosk" / "devices" / "printer.py").read_text(encoding="utf-8")
    assert not re.search(r"\.(_raw|_read|_device)\b", source)


def test_a_printer_that_took_no_pass_stays_offline_for_staff_until_a_pass_prints(kiosk):
    with NetworkPrinterEmulator("never_reads") as hung:
        ctx = kiosk(printer=_network(hung.port), backup_printer={"kind": "simulated"})
        ctx.tickets.issue_and_print(_register(ctx).id)
        assert ctx.devices.printer.check_now().state == "offline"  # the next check cannot tell it is fixed
        hung.fault = ""
        outcome = ctx.tickets.issue_and_print(_register(ctx, 2).id)
        assert outcome.printer == "printer" and ctx.devices.printer.check_now().state == "ok"


@pytest.mark.parametrize(
    ("fault", "printed"), [("never_reads", False), ("slow_drain", True), ("garbled", True), ("no_status", True)]
)
def test_the_in_process_simulator_shows_the_same_faults_to_the_driver(fault, printed):
    from kiosk.devices.printer_simulator import SimulatedPrinterTransport

    sim = SimulatedPrinterTransport(fault=fault, drain_s=0.2)
    printer = EscposPrinter(sim, status_timeout_s=0.1, drain_timeout_s=0.6)
    if printed:
        printer.print_document(_doc())
        assert printer.last_warnings == ("status_unknown",) and len(sim.jobs) == 1
    else:
        with pytest.raises(NotTaken):
            printer.print_document(_doc())
        assert sim.jobs == []
