"""UU PDP commands: `kiosk purge` (retention), `kiosk visits export|forget --nik` and `kiosk privacy log`."""
from __future__ import annotations

import json
import sys

from kiosk.cli.common import add_config_option, context_from_args


def register(sub) -> None:
    p = sub.add_parser("purge", help="delete visits, events, photos and guests past privacy.retention_days")
    p.add_argument("--dry-run", action="store_true", help="count what would go, delete nothing")
    add_config_option(p)
    p.set_defaults(func=run_purge)
    log = sub.add_parser("privacy", help="the processing log of personal data (purges, exports, forgets)")
    lsub = log.add_subparsers(dest="privacy_command", metavar="ACTION")
    lsub.required = True
    show = lsub.add_parser("log", help="show the processing log (no personal data in it)")
    show.add_argument("--json", action="store_true")
    add_config_option(show)
    show.set_defaults(func=run_log)


def register_visit_actions(vsub) -> None:
    """`kiosk visits export|forget`: called from kiosk/cli/commands/visits.py."""
    exp = vsub.add_parser("export", help="a data subject's records as JSON (decrypted, photos as base64 JPEG)")
    exp.add_argument("--nik", required=True, help="the person's 16-digit NIK")
    exp.add_argument("--out", metavar="FILE", help="write to FILE (mode 0600) instead of stdout")
    add_config_option(exp)
    exp.set_defaults(func=run_export)
    fg = vsub.add_parser("forget", help="delete a data subject's records here and queue the deletion centrally")
    fg.add_argument("--nik", required=True, help="the person's 16-digit NIK")
    fg.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    add_config_option(fg)
    fg.set_defaults(func=run_forget)


def run_purge(args) -> int:
    ctx = context_from_args(args)
    try:
        r = ctx.privacy.purge(dry_run=args.dry_run, actor="cli")
    finally:
        ctx.close()
    verb = "would delete" if args.dry_run else "deleted"
    print(f"purge (retention {ctx.config.privacy.retention_days} days, before {r.cutoff.isoformat()}): {verb} "
          f"{r.visits} visits, {r.events} events, {r.photos} photos, {r.guests} guests, {r.outbox} outbox messages")
    return 0


def run_export(args) -> int:
    ctx = context_from_args(args)
    try:
        record = ctx.privacy.export(args.nik, actor="cli")
    finally:
        ctx.close()
    text = json.dumps(record, ensure_ascii=False, indent=2)
    if args.out:
        from kiosk.files import open_private_write

        # 0600 even over an existing file; a symlink (planted to send the export elsewhere) is refused.
        with open_private_write(args.out) as fh:
            fh.write(text + "\n")
        print(f"export {record['request_id']}: {len(record['visits'])} visits written to {args.out}")
    else:
        print(text)
    return 0


def run_forget(args) -> int:
    from kiosk.domain.masking import mask_nik

    if not args.yes:
        if not sys.stdin.isatty():
            from kiosk.cli import UsageError

            raise UsageError("visits forget deletes records for good: add --yes when not asked on a terminal")
        answer = input(f"Hapus semua data NIK {mask_nik(args.nik)}? / Delete all data of NIK {mask_nik(args.nik)}? [y/N] ")
        if answer.strip().lower() not in ("y", "ya", "yes"):
            print("nothing deleted")
            return 1
    ctx = context_from_args(args)
    try:
        r = ctx.privacy.forget(args.nik, actor="cli")
    finally:
        ctx.close()
    print(f"forget {r.request_id}: deleted {r.visits} visits, {r.events} events, {r.photos} photos; "
          "deletion queued for the central server")
    return 0


def run_log(args) -> int:
    ctx = context_from_args(args)
    try:
        entries = ctx.privacy.processing_log()
    finally:
        ctx.close()
    if args.json:
        print(json.dumps([{**e.__dict__, "at": e.at.isoformat()} for e in entries], indent=2))
        return 0
    for e in entries:
        print(f"{e.at.isoformat()}  {e.action:<7} {e.request_id}  {e.actor:<6} {json.dumps(e.details, sort_keys=True)}")
    return 0
