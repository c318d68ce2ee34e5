"""`kiosk gate scan|inside|auto-checkout|reconcile`: the security post from the command line."""
from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from kiosk.cli.common import add_config_option, context_from_args
from kiosk.domain.clock import to_iso


def register(sub) -> None:
    p = sub.add_parser("gate", help="security gate: scan passes, who is inside, closing time, reconciliation")
    gsub = p.add_subparsers(dest="gate_command", metavar="ACTION")
    gsub.required = True
    scan = gsub.add_parser("scan", help="scan one gate-pass token (as the QR scanner reads it)")
    scan.add_argument("token")
    inside = gsub.add_parser("inside", help="guests inside now (the evacuation list)")
    auto = gsub.add_parser("auto-checkout", help="after closing time: check out open visits, flag them for staff")
    rec = gsub.add_parser("reconcile", help="report passes let in twice or in again after exit, across devices")
    for sp, fn in ((scan, run_scan), (inside, run_inside), (auto, run_auto), (rec, run_reconcile)):
        sp.add_argument("--json", action="store_true")
        add_config_option(sp)
        sp.set_defaults(func=fn)


def _out(args, data, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str) if args.json else text)


def run_scan(args) -> int:
    ctx = context_from_args(args)
    try:
        r = ctx.gate.scan(args.token)
    finally:
        ctx.close()
    data = {
        "verdict": r.verdict.value, "green": r.green, "reason": r.reason, "pass_id": r.pass_id, "visit_id": r.visit_id,
        "guest": r.guest_name, "host": r.host_name, "locker": r.locker_door, "photo": r.photo_path,
        "return_id_card": r.return_id_card, "offline": r.offline,
    }  # fmt: skip
    text = f"{'OK' if r.green else 'STOP'} {r.verdict.value}: {r.guest_name or '-'} -> {r.host_name or '-'}"
    if r.locker_door:
        text += f" (locker {r.locker_door})"
    if r.return_id_card:
        text += "  | kembalikan KTP / return the ID card"
    if r.reason:
        text += f"  [{r.reason}]"
    _out(args, data, text)
    return 0 if r.green else 1


def run_inside(args) -> int:
    ctx = context_from_args(args)
    try:
        entries = ctx.gate.inside_now()
        lines = ctx.gate.inside_now_lines()
    finally:
        ctx.close()
    data = [{"visit_id": e.visit_id, "guest": e.guest_name, "host": e.host_name, "locker": e.locker_door,
             "photo": e.photo_path, "since": to_iso(e.since)} for e in entries]  # fmt: skip
    _out(args, data, "\n".join(lines))
    return 0


def run_auto(args) -> int:
    ctx = context_from_args(args)
    try:
        done = ctx.gate.auto_checkout()
    finally:
        ctx.close()
    _out(args, done, f"{len(done)} kunjungan ditutup otomatis / visits checked out at closing time")
    return 0


def run_reconcile(args) -> int:
    ctx = context_from_args(args)
    try:
        conflicts = ctx.gate.reconcile()
        tz = ZoneInfo(ctx.config.office.timezone)
    finally:
        ctx.close()
    data = [{"visit_id": c.visit_id, "kind": c.kind, "devices": list(c.devices), "times": [to_iso(t) for t in c.times]}
            for c in conflicts]  # fmt: skip
    lines = [f"{c.kind}: visit {c.visit_id[:8]} on {', '.join(c.devices)} at "
             f"{', '.join(t.astimezone(tz).strftime('%H:%M') for t in c.times)}" for c in conflicts]  # fmt: skip
    _out(args, data, "\n".join(lines) or "tidak ada konflik / no conflicts")
    return 1 if conflicts else 0
