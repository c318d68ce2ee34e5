"""`kiosk ticket print|reprint VISIT_ID`, `kiosk ticket status`, `kiosk ticket --demo --out DIR`."""
from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.cli import UsageError
from kiosk.cli.common import add_config_option, config_from_args, context_from_args


def register(sub) -> None:
    p = sub.add_parser("ticket", help="gate-pass printing: print, reprint, printer status, demo ticket")
    p.add_argument("--demo", action="store_true", help="print a sample pass on the simulated printer")
    p.add_argument("--out", metavar="DIR", help="with --demo: write ticket.bin (ESC/POS) and ticket.png here")
    p.add_argument("--printer", action="store_true",
                   help="with --demo: print the sample pass on the configured printer (then the backup) instead")
    add_config_option(p)
    p.set_defaults(func=run_demo)
    tsub = p.add_subparsers(dest="ticket_command", metavar="ACTION")
    for name, helptext in (
        ("print", "print the pass of a registered visit (refused if it already printed)"),
        ("reprint", "print the pass again with the same pass id, marked CETAK ULANG / REPRINT"),
    ):
        cmd = tsub.add_parser(name, help=helptext)
        cmd.add_argument("visit_id", metavar="VISIT_ID")
        add_config_option(cmd)
        cmd.set_defaults(func=run_print, reprint=name == "reprint")
    st = tsub.add_parser("status", help="status of the configured printers as JSON")
    add_config_option(st)
    st.set_defaults(func=run_status)
    tp = tsub.add_parser("test", help="print a sample pass on the configured printer (same as --demo --printer)")
    add_config_option(tp)
    tp.set_defaults(func=run_demo, demo=True, printer=True, out=None)


def run_print(args) -> int:
    ctx = context_from_args(args)
    try:
        outcome = ctx.tickets.reprint(args.visit_id) if args.reprint else ctx.tickets.issue_and_print(args.visit_id)
    finally:
        ctx.close()
    print(json.dumps(outcome.to_dict(), ensure_ascii=False))
    if not outcome.printed:
        print(f"kiosk: {outcome.message_id} / {outcome.message_en}", file=sys.stderr)
        return 1
    return 0


def run_status(args) -> int:
    ctx = context_from_args(args)
    try:
        rows = [{"printer": p.name, **p.status().to_dict()} for p in ctx.tickets.printers]
    finally:
        ctx.close()
    print(json.dumps(rows))
    return 0


def run_demo(args) -> int:
    if not args.demo:
        raise UsageError("kiosk ticket: give an ACTION (print, reprint, status, test) or --demo --out DIR")
    if not args.out and not args.printer:
        raise UsageError("kiosk ticket --demo needs --out DIR (or --printer)")
    from kiosk.devices.escpos_render import render
    from kiosk.devices.printer import EscposPrinter, width_for
    from kiosk.devices.printer_simulator import SimulatedPrinterTransport
    from kiosk.domain.clock import SystemClock
    from kiosk.domain.gatepass import demo_signer, issue
    from kiosk.domain.ticket import TicketData, gate_pass_ticket
    from kiosk.domain.tokens import KIND_DEMO_PASS

    cfg = config_from_args(args)
    # Never the office's key: a demo pass is of the demo kind, signed with the public demo key; gates refuse it.
    signer = demo_signer()
    pcfg = cfg.devices.printer
    now = SystemClock().now()
    gp, token = issue(
        signer,
        office_code=cfg.office.code,
        issued_at=now,
        expires_at=now + timedelta(minutes=cfg.kiosk.pass_validity_minutes),
        locker_door=7,
        kind=KIND_DEMO_PASS,
    )
    tz = ZoneInfo(cfg.office.timezone)
    purpose = cfg.purposes[0].label_id
    host = cfg.hosts[0].name if cfg.hosts else "Petugas PTSP"
    data = TicketData(
        office_name=cfg.office.name,
        office_address=cfg.office.address,
        office_phone=cfg.office.phone,
        guest_name="I Wayan Contoh Sudarsana",
        nik="5105010101900001",
        host_name=host,
        purpose=purpose,
        issued_at=gp.issued_at.astimezone(tz),
        expires_at=gp.expires_at.astimezone(tz),
        token=token,
        pass_id=gp.pass_id,
        locker_door=gp.locker_door,
    )
    if args.printer:
        return _print_on_configured_printer(cfg, data)
    sim = SimulatedPrinterTransport()
    width = width_for(pcfg)
    printer = EscposPrinter(
        sim, name="demo", profile=pcfg.profile, code_page=pcfg.code_page, native_qr=pcfg.native_qr, width_dots=width
    )
    printer.print_document(gate_pass_ticket(data, width_dots=width))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "ticket.bin").write_bytes(sim.printed)
    render(sim.printed, width_dots=width, profile=pcfg.profile).save(out / "ticket.png")
    print(token)
    return 0


def _print_on_configured_printer(cfg, data) -> int:
    """The sample pass through the same printer services as a guest's pass: confirmed, or the backup, or why not."""
    from kiosk.app.devices import build_device_services
    from kiosk.domain.ticket import gate_pass_ticket

    devices = build_device_services(cfg)
    try:
        printers = devices.printers()
        if not printers:
            print("kiosk: tidak ada printer yang diatur / no printer is configured", file=sys.stderr)
            return 1
        reasons = []
        for printer in printers:
            try:
                warnings = printer.print_document(gate_pass_ticket(data, width_dots=printer.width_dots))
            except Exception as exc:  # a PrinterError, or a driver failure: both are "did not print" here
                why = getattr(exc, "text_en", "") or f"{type(exc).__name__}: {exc}"
                reasons.append(f"{printer.name}: {why}")
                continue
            note = " (status unknown: confirmed by drained bytes)" if "status_unknown" in warnings else ""
            print(f"test pass printed on {printer.name}{note}")
            print(data.token)
            return 0
        print("kiosk: tanda uji tidak tercetak / test pass not printed: " + "; ".join(reasons), file=sys.stderr)
        return 1
    finally:
        devices.stop()
