"""`kiosk ticket print|reprint VISIT_ID`, `kiosk ticket status`, `kiosk ticket --demo --out DIR`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from kiosk.cli import UsageError
from kiosk.cli.common import add_config_option, config_from_args, context_from_args
from kiosk.domain.clock import SystemClock


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
    # Imported here: every command module is imported to build the parser, and the printer stack is heavy.
    from kiosk.app.ticket_demo import demo_ticket_data, print_test_pass, render_demo_ticket

    cfg = config_from_args(args)
    data = demo_ticket_data(cfg, SystemClock().now())
    if not args.printer:
        render_demo_ticket(cfg, data, Path(args.out))
        print(data.token)
        return 0
    result = print_test_pass(cfg, data)
    if result.no_printer:
        print("kiosk: tidak ada printer yang diatur / no printer is configured", file=sys.stderr)
        return 1
    if result.printer is None:
        print("kiosk: tanda uji tidak tercetak / test pass not printed: " + "; ".join(result.reasons), file=sys.stderr)
        return 1
    note = " (status unknown: confirmed by drained bytes)" if result.status_unknown else ""
    print(f"test pass printed on {result.printer}{note}")
    print(data.token)
    return 0
