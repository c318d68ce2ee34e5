"""`kiosk selftest`: check every configured peripheral and service; a table, and exit 1 when any check fails."""
from __future__ import annotations

import json

from kiosk.cli.common import add_config_option, config_from_args, context_from_args


def register(sub) -> None:
    p = sub.add_parser("selftest", help="check printer, scanner, camera, locker boards, central API, notifier")
    p.add_argument("--only", action="append", metavar="CHECK", help="run only this check (repeatable)")
    p.add_argument("--json", action="store_true", help="results as a JSON array")
    p.add_argument("--simulate", action="store_true", help="check the simulated peripherals instead of the real ones")
    add_config_option(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from kiosk.app.selftest import format_table, registered

    cfg = config_from_args(args)
    if args.simulate:
        from kiosk.cli.commands.run import simulated

        cfg = simulated(cfg)
    if args.only:
        unknown = sorted(set(args.only) - set(registered()))
        if unknown:
            from kiosk.cli import UsageError

            raise UsageError(f"unknown check {unknown[0]!r}; known: {', '.join(registered())}")
    ctx = context_from_args(args, simulate=args.simulate, config=cfg)
    try:
        results = ctx.selftest.run(args.only)
    finally:
        ctx.close()
    if args.json:
        print(json.dumps([r.__dict__ for r in results], indent=2))
    else:
        print(format_table(results))
    return 1 if any(r.failed for r in results) else 0
