"""`kiosk central ...`: the central buku tamu service (serve, migrate, credentials, purge, contract).

Secrets never come from argv (visible in `ps`): the database URL with its password, the WhatsApp app
secret and verify token come from the environment or files (kiosk/central/settings.py); device tokens are
issued by `credential issue`, written to a 0600 file and stored at central only as a hash.
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import socket
import sys
from pathlib import Path

from kiosk.domain.errors import KioskError

DB_HELP = "SQLAlchemy URL (default: $KIOSK_CENTRAL_DB or the demo SQLite file); put a password in the env, not here"


class CentralCliError(KioskError):
    code = "central_cli"

    def __init__(self, reason: str, *, host: str = "", port: int = 0, detail: str = "") -> None:
        super().__init__(reason=reason, host=host, port=port, detail=detail)
        self.reason = reason

    @property
    def text_key(self) -> str:
        return f"{self.code}.{self.reason}"


def register(sub) -> None:
    p = sub.add_parser("central", help="the central guestbook service")
    csub = p.add_subparsers(dest="central_command", metavar="ACTION")
    csub.required = True

    s = csub.add_parser("serve", help="serve the central API (uvicorn, several worker processes)")
    s.add_argument("--db", default=None, help=DB_HELP)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=_port, default=8470, help="0 picks a free port (printed on start)")
    s.add_argument("--workers", type=_workers, default=1, help="worker processes (default: %(default)s)")
    s.add_argument("--public-url", default=None, help="base URL of the photo links sent to hosts (default: the request's)")
    s.add_argument("--seed-config", metavar="FILE", default=None, help="load the office's host directory from a kiosk config")
    s.add_argument("--no-migrate", action="store_true", help="do not upgrade the schema on start (run `central migrate`)")
    s.set_defaults(func=serve)

    m = csub.add_parser("migrate", help="upgrade the database schema to the newest revision (Alembic)")
    m.add_argument("--db", default=None, help=DB_HELP)
    m.set_defaults(func=migrate_cmd)

    c = csub.add_parser("credential", help="device credentials: issue, revoke, list")
    ccsub = c.add_subparsers(dest="credential_command", metavar="ACTION")
    ccsub.required = True
    i = ccsub.add_parser("issue", help="a new credential for one device of one office")
    i.add_argument("--office", required=True, type=_office)
    i.add_argument("--device", required=True, type=_device)
    i.add_argument("--out", metavar="FILE", default=None, help="write it to FILE (0600) instead of printing it")
    i.add_argument("--db", default=None, help=DB_HELP)
    i.set_defaults(func=credential_issue)
    r = ccsub.add_parser("revoke", help="revoke a device's credentials (or one by --id)")
    r.add_argument("--office", type=_office, default="")
    r.add_argument("--device", type=_device, default="")
    r.add_argument("--id", default="")
    r.add_argument("--db", default=None, help=DB_HELP)
    r.set_defaults(func=credential_revoke)
    ls = ccsub.add_parser("list", help="issued credentials (never the tokens)")
    ls.add_argument("--db", default=None, help=DB_HELP)
    ls.set_defaults(func=credential_list)

    u = csub.add_parser("user", help="web desk accounts: add")
    usub = u.add_subparsers(dest="user_command", metavar="ACTION")
    usub.required = True
    ua = usub.add_parser("add", help="a web desk account of one office (password prompted, or one line on stdin)")
    ua.add_argument("--office", required=True, type=_office)
    ua.add_argument("--role", required=True, choices=("ptsp", "host", "intel", "head", "admin", "kejati", "national"),
                    help="ptsp officer, host employee, intel (Head of Intelligence), head (Kajari), admin; "
                         "kejati or national: read-only reports across offices (aggregates only)")
    ua.add_argument("--scope", default="",
                    help="kejati: the office codes it reads, comma-separated (national reads every office)")
    ua.add_argument("--name", required=True, type=_user_name, help="the log-in name")
    ua.add_argument("--host-id", default="",
                    help="host: the host-directory id this employee is (they see only their own guests and invitations)")
    ua.add_argument("--db", default=None, help=DB_HELP)
    ua.set_defaults(func=user_add)

    cp = csub.add_parser("complaints", help="complaints by WhatsApp: erase a reporter on request (UU PDP)")
    cpsub = cp.add_subparsers(dest="complaints_command", metavar="ACTION")
    cpsub.required = True
    ce = cpsub.add_parser("erase", help="delete a WhatsApp reporter's number, name, messages and evidence "
                                        "(the cases keep their number and figures for the reports)")
    ce.add_argument("--office", required=True, type=_office)
    ce.add_argument("--phone", required=True, help="the reporter's WhatsApp number (0812..., +62 812..., 62812...)")
    ce.add_argument("--db", default=None, help=DB_HELP)
    ce.set_defaults(func=complaints_erase)

    pg = csub.add_parser("purge", help="delete visits older than the retention period (and old feed/idempotency rows)")
    pg.add_argument("--days", type=int, default=None, help="retention in days (default: $KIOSK_CENTRAL_RETENTION_DAYS or 30)")
    pg.add_argument("--db", default=None, help=DB_HELP)
    pg.set_defaults(func=purge_cmd)

    o = csub.add_parser("openapi", help="print the contract generated from the app (kiosk/central/openapi.json)")
    o.add_argument("--out", metavar="FILE", default=None)
    o.set_defaults(func=openapi_cmd)


def _settings(args, **extra):
    from kiosk.central.settings import CentralSettings

    return CentralSettings.from_env(db_url=getattr(args, "db", None), **extra)


def _store(args):
    from kiosk.central.db import open_engine
    from kiosk.central.keys import CentralKeys, ensure_key_file
    from kiosk.central.store import CentralStore

    settings = _settings(args)
    engine = open_engine(settings.db_url, pool_size=2)
    return CentralStore(engine, CentralKeys.from_file(ensure_key_file(settings.key_file))), settings


def serve(args) -> int:
    from kiosk.central.db import open_engine
    from kiosk.central.keys import CentralKeys, ensure_key_file
    from kiosk.central.store import CentralStore
    from kiosk.logs import setup_logging

    setup_logging("INFO")
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    loopback = _is_loopback(args.host)
    settings = _settings(args, public_url=args.public_url, open_on_loopback=loopback)
    engine = open_engine(settings.db_url, upgrade=not args.no_migrate)
    store = CentralStore(engine, CentralKeys.from_file(ensure_key_file(settings.key_file)))
    if args.seed_config:
        from kiosk.app.directory import central_host_directory
        from kiosk.config import load_config

        cfg = load_config(args.seed_config)
        store.seed_hosts(cfg.office.code, central_host_directory(cfg))  # desk edits stay
    active = store.active_credentials()
    engine.dispose()
    if not active and not loopback:
        raise CentralCliError("no_credential", host=args.host)
    try:
        sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((args.host, args.port))
        sock.listen(2048)
    except OSError as exc:
        raise CentralCliError("port_unusable", host=args.host, port=args.port, detail=exc.strerror or "") from None
    sock.set_inheritable(True)
    host, port = sock.getsockname()[:2]
    os.environ.update(settings.to_env())
    import uvicorn

    config = uvicorn.Config("kiosk.central.app:app_from_env", factory=True, workers=args.workers, log_config=None,
                            access_log=False, timeout_keep_alive=30, timeout_graceful_shutdown=10, backlog=2048,
                            server_header=False, proxy_headers=False)
    server = uvicorn.Server(config)
    notes = [f"{args.workers} worker(s)"] + (["open: no credential issued, loopback only"] if not active else [])
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    print(f"central serving on {url} ({', '.join(notes)})", flush=True)
    if args.workers > 1:
        import inspect

        from uvicorn.supervisors import Multiprocess

        if "target" in inspect.signature(Multiprocess).parameters:  # uvicorn before 0.40
            Multiprocess(config, target=server.run, sockets=[sock]).run()
        else:
            Multiprocess(config, sockets=[sock]).run()
    else:
        server.run(sockets=[sock])
    sys.stdout.flush()
    return 0


def migrate_cmd(args) -> int:
    from kiosk.central.db import current_revision, open_engine

    engine = open_engine(_settings(args).db_url)
    print(f"central schema at revision {current_revision(engine)}")
    return 0


def credential_issue(args) -> int:
    store, _ = _store(args)
    cred, token = store.issue_credential(args.office, args.device)
    record = {"office": cred.office, "device_id": cred.device_id, "credential_id": cred.id, "token": token,
              "subject_key": store.keys.subject_key(cred.office).hex()}
    text = json.dumps(record, indent=2) + "\n"
    if args.out:
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        print(f"credential {cred.id} for {cred.office}/{cred.device_id} written to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def credential_revoke(args) -> int:
    if not args.id and not (args.office and args.device):
        raise CentralCliError("which_credential")
    store, _ = _store(args)
    n = store.revoke_credentials(credential_id=args.id, office=args.office, device_id=args.device)
    if not n:
        raise CentralCliError("no_match")
    print(f"{n} credential(s) revoked (refused within 5 s by every worker)")
    return 0


def credential_list(args) -> int:
    store, _ = _store(args)
    for c in store.list_credentials():
        print(f"{c['id']}  {c['office']:<16} {c['device_id']:<20} issued {c['created_at']}"
              + (f"  revoked {c['revoked_at']}" if c["revoked_at"] else ""))
    return 0


def user_add(args) -> int:
    from kiosk.central.desk import DeskStore

    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass("Kata sandi / Password: ")
        if getpass.getpass("Ulangi / Repeat: ") != password:
            raise CentralCliError("kata sandi tidak sama", "the passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    store, _ = _store(args)
    scope = [o.strip().upper() for o in args.scope.split(",") if o.strip()]
    user = DeskStore(store.engine, store.keys).add_user(args.office, args.name, args.role, password, scope=scope,
                                                        host_id=args.host_id.strip())
    linked = f", linked to host {user.host_id}" if user.host_id else ""
    print(f"desk user {user.name} ({user.role}) added to {user.office}{linked}")
    return 0


def complaints_erase(args) -> int:
    from kiosk.central.complaints import ComplaintError, ComplaintStore
    from kiosk.central.desk import DeskStore

    store, settings = _store(args)
    try:
        numbers = ComplaintStore(store.engine, store.keys, settings).erase_reporter(args.office, args.phone)
    except ComplaintError:
        raise CentralCliError("phone") from None
    DeskStore(store.engine, store.keys).audit(args.office, "cli", None, "reporter_erased",
                                              f"{len(numbers)} cases: " + " ".join(numbers))
    print(f"reporter erased from {len(numbers)} complaint cases" + (f": {', '.join(numbers)}" if numbers else "")
          + " (case numbers and figures kept)")
    return 0


def purge_cmd(args) -> int:
    store, settings = _store(args)
    days = args.days if args.days is not None else settings.retention_days
    if days < 1:
        raise CentralCliError("days")
    counts = store.purge(days)
    print(f"central purge: {counts['visits']} visits older than {days} days deleted, "
          f"{counts['feed']} feed items, {counts['idempotency']} idempotency records, "
          f"{counts.get('complaints', 0)} closed complaints anonymised, "
          f"{counts.get('invitations', 0)} invitations and {counts.get('wa_outbox', 0)} of their messages")
    return 0


def openapi_cmd(args) -> int:
    from kiosk.central.app import openapi_text

    text = openapi_text()
    if args.out:
        Path(args.out).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (0-65535)")
    return port


def _workers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of workers (1-64)")
    return int(text)


def _office(text: str) -> str:
    import re

    if not re.fullmatch(r"[A-Z0-9-]{3,32}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an office code (A-Z, 0-9, -; 3-32)")
    return text


def _device(text: str) -> str:
    import re

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,31}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a device id (a-z, 0-9, -; up to 32)")
    return text


def _user_name(text: str) -> str:
    import re

    if not re.fullmatch(r"[A-Za-z0-9._-]{2,64}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a user name (A-Z, a-z, 0-9, . _ -; 2-64)")
    return text
