"""`kiosk lockers status|open N|open-all|report`: staff operations on the electronic lockers."""
from __future__ import annotations

import json

from kiosk.cli.common import add_config_option, context_from_args


def register(sub) -> None:
    p = sub.add_parser("lockers", help="electronic lockers: status, open a door, emergency open-all")
    lsub = p.add_subparsers(dest="lockers_command", metavar="ACTION")
    lsub.required = True

    st = lsub.add_parser("status", help="table of doors: number, state, door open/closed, visit")
    st.add_argument("--json", action="store_true", help="one JSON array instead of a table")
    add_config_option(st)
    st.set_defaults(func=run_status)

    op = lsub.add_parser("open", help="open one door (a confirmed opening clears a 'faulty' mark)")
    op.add_argument("door", type=int, metavar="N", help="door number printed on the locker")
    add_config_option(op)
    op.set_defaults(func=run_open)

    oa = lsub.add_parser("open-all", help="EMERGENCY: open every door on every board")
    add_config_option(oa)
    oa.set_defaults(func=run_open_all)

    rp = lsub.add_parser("report", help="doors still held by visits that are not checked out")
    add_config_option(rp)
    rp.set_defaults(func=run_report)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def run_status(args) -> int:
    ctx = context_from_args(args)
    try:
        rows = ctx.lockers.status()
        error = ctx.lockers.last_error
        unreachable = dict(ctx.lockers.unreachable_boards)
    finally:
        ctx.close()
    if args.json:
        print(json.dumps([r.__dict__ for r in rows], ensure_ascii=False, indent=2))
        return 1 if unreachable else 0
    _table(
        ("door", "state", "door_state", "occupied", "visit", "note"),
        [
            (
                str(r.door),
                r.state,
                r.door_state,
                "?" if r.occupied is None else ("yes" if r.occupied else "no"),
                (r.visit_id or "-")[:8],
                r.note,
            )
            for r in rows
        ],
    )
    for board, why in sorted(unreachable.items()):
        print(f"board {board} unreachable: {why}")
    if error and not unreachable:
        print(f"board: {error}")
    # A board that does not answer is a fault staff must see, also from a script or a monitor.
    return 1 if unreachable else 0


def run_open(args) -> int:
    ctx = context_from_args(args)
    try:
        ctx.lockers.open_door(args.door, actor="staff-cli")
    finally:
        ctx.close()
    print(f"door {args.door} open")
    return 0


def run_open_all(args) -> int:
    ctx = context_from_args(args)
    try:
        shut = ctx.lockers.open_all(actor="staff-cli")
        unreachable = dict(ctx.lockers.unreachable_boards)
    finally:
        ctx.close()
    if shut:
        print("still closed: " + ", ".join(str(d) for d in shut))
        for board, why in sorted(unreachable.items()):
            print(f"board {board} unreachable: {why}")
        return 1
    print("all doors open")
    return 0


def run_report(args) -> int:
    ctx = context_from_args(args)
    try:
        items = ctx.lockers.report_end_of_day()
    finally:
        ctx.close()
    if not items:
        print("no locker is held by an open visit")
        return 0
    _table(
        ("door", "door_state", "visit_state", "since", "visit"),
        [(str(i.door), i.door_state, i.visit_state, i.since[:16], i.visit_id[:8]) for i in items],
    )
    return 0
