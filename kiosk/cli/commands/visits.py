"""`kiosk visits list`: the visits of one day, as a table or JSON (NIK masked, no address)."""
from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

from kiosk.cli.common import add_config_option, context_from_args, parse_day


def register(sub) -> None:
    p = sub.add_parser("visits", help="list visits")
    vsub = p.add_subparsers(dest="visits_command", metavar="ACTION")
    vsub.required = True
    lst = vsub.add_parser("list", help="visits registered on one day (default: today)")
    lst.add_argument("--date", metavar="YYYY-MM-DD", default=None)
    lst.add_argument("--json", action="store_true", help="one JSON array instead of a table")
    add_config_option(lst)
    lst.set_defaults(func=run_list)
    from kiosk.cli.commands.privacy import register_visit_actions

    register_visit_actions(vsub)


def _parse_day(text: str | None) -> date | None:
    if text is None:
        return None
    return parse_day(text, "--date")


def run_list(args) -> int:
    day = _parse_day(args.date)
    ctx = context_from_args(args)
    try:
        lines = ctx.staff.visits_on(day)
        day = day or ctx.clock.now().astimezone(ZoneInfo(ctx.config.office.timezone)).date()
    finally:
        ctx.close()
    rows = [
        {
            "id": v.id,
            "created_at": v.created_at.isoformat(timespec="seconds"),
            "state": v.state,
            "guest": v.guest,
            "nik": v.nik,
            "purpose": v.purpose,
            "host": v.host,
            "locker": v.locker,
            "pass_id": v.pass_id,
        }
        for v in lines
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(f"no visits on {day.isoformat()}")
        return 0
    header = ("time", "state", "guest", "nik", "purpose", "host", "locker", "id")
    table = [
        (r["created_at"][11:16], r["state"], r["guest"], r["nik"], r["purpose"], r["host"], str(r["locker"] or "-"), r["id"][:8])
        for r in rows
    ]
    widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for t in table:
        print("  ".join(c.ljust(w) for c, w in zip(t, widths, strict=True)))
    return 0
