"""`kiosk sync run|status|retry|pull`: the outbox worker for a systemd unit, and what it is doing."""
from __future__ import annotations

import json
import signal

from kiosk.cli.common import add_config_option, context_from_args


def register(sub) -> None:
    p = sub.add_parser("sync", help="send the outbox to the central server and the host's WhatsApp")
    ssub = p.add_subparsers(dest="sync_command", metavar="ACTION")
    ssub.required = True
    run = ssub.add_parser("run", help="run the sync worker until stopped (systemd: Type=simple)")
    add_config_option(run)
    run.set_defaults(func=run_worker)
    st = ssub.add_parser("status", help="outbox counts, worker state, parked messages with reasons")
    st.add_argument("--json", action="store_true")
    add_config_option(st)
    st.set_defaults(func=status)
    rt = ssub.add_parser("retry", help="queue parked messages again (all, or --id N ...)")
    rt.add_argument("--id", type=int, action="append", default=None)
    add_config_option(rt)
    rt.set_defaults(func=retry)
    pl = ssub.add_parser("pull", help="pull the office's events (and host directory) once")
    pl.add_argument("--hosts", action="store_true", help="also replace the host directory from the central server")
    add_config_option(pl)
    pl.set_defaults(func=pull)


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


def run_worker(args) -> int:
    ctx = context_from_args(args)
    signal.signal(signal.SIGTERM, _stop)
    try:
        _ = ctx.sync.worker  # built before saying so: a stop from here on is recorded as 'stopped'
        print(f"sync worker: central={ctx.config.central.url or '(none)'} notifier={ctx.config.notifier.kind}", flush=True)
        ctx.sync.run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        ctx.close()
    return 0


def status(args) -> int:
    ctx = context_from_args(args)
    s = ctx.sync.status()
    parked = [{"id": m.id, "topic": m.topic, "aggregate_id": m.aggregate_id, "attempts": m.attempts,
               "reason": m.last_error, "created_at": m.created_at.isoformat()} for m in s.parked]
    held = [{"id": m.id, "topic": m.topic, "aggregate_id": m.aggregate_id} for m in s.held]
    if args.json:
        print(json.dumps({"counts": s.counts, "worker": s.worker, "cursor": s.cursor, "parked": parked, "held": held},
                         indent=2))
        return 0
    c = s.counts
    print(f"outbox: {c['pending']} pending, {c['sent']} sent, {c['parked']} parked")
    print(f"worker: {s.worker.get('state')}" + (f" (last error: {s.worker['last_error']})" if s.worker.get("last_error") else ""))
    print(f"central: {s.central_url or '(not configured)'}  pull cursor: {s.cursor}  notifier: {s.notifier}")
    for m in parked:
        print(f"parked #{m['id']} {m['topic']} {m['aggregate_id']}: {m['reason']}")
    for m in held:  # later messages of a visit wait behind its parked one, to keep the visit's order
        print(f"held #{m['id']} {m['topic']} {m['aggregate_id']}: waits behind a parked message of the visit")
    return 0


def retry(args) -> int:
    ctx = context_from_args(args)
    print(f"{ctx.sync.retry_parked(args.id)} message(s) queued again")
    return 0


def pull(args) -> int:
    ctx = context_from_args(args)
    if args.hosts:
        n = ctx.sync.pull_hosts()
        print(f"{n} host(s) in the directory" if n else "host directory unchanged since the last pull")
    print(f"{ctx.sync.pull_once()} item(s) applied, cursor {ctx.sync.status().cursor}")
    return 0
