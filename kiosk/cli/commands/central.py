"""`kiosk central serve`: the reference central buku tamu server (contract kiosk/central/openapi.json)."""
from __future__ import annotations

import os
import signal
import sys


def register(sub) -> None:
    p = sub.add_parser("central", help="reference central guestbook server")
    csub = p.add_subparsers(dest="central_command", metavar="ACTION")
    csub.required = True
    s = csub.add_parser("serve", help="serve the central API on this machine")
    s.add_argument("--db", default="sqlite:///var/central.sqlite3", help="SQLAlchemy URL (default: %(default)s)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=_port, default=8470, help="0 picks a free port (printed on start)")
    s.add_argument("--token", action="append", default=[], help="accepted bearer token (repeatable; env KIOSK_CENTRAL_TOKEN)")
    s.add_argument("--public-url", default="", help="base URL for photo links (default: http://HOST:PORT)")
    s.add_argument("--app-secret", default=os.environ.get("KIOSK_WA_APP_SECRET", ""), help="WhatsApp app secret (webhook signatures)")
    s.add_argument("--verify-token", default=os.environ.get("KIOSK_WA_VERIFY_TOKEN", ""), help="WhatsApp webhook verify token")
    s.add_argument("--seed-config", metavar="FILE", default=None, help="load the office's host directory from a kiosk config")
    s.set_defaults(func=serve)


def serve(args) -> int:
    from kiosk.central.server import make_server
    from kiosk.logs import setup_logging

    setup_logging("INFO")
    if args.db.startswith("sqlite:///") and not args.db.startswith("sqlite:////"):
        from pathlib import Path

        Path(args.db[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    tokens = list(args.token) + ([os.environ["KIOSK_CENTRAL_TOKEN"]] if os.environ.get("KIOSK_CENTRAL_TOKEN") else [])
    server = make_server(args.db, args.host, args.port, tokens=tokens, app_secret=args.app_secret,
                         verify_token=args.verify_token, public_url=args.public_url)
    if args.seed_config:
        from kiosk.app.directory import central_host_directory
        from kiosk.config import load_config

        cfg = load_config(args.seed_config)
        server.store.replace_hosts(cfg.office.code, central_host_directory(cfg))
    signal.signal(signal.SIGTERM, _interrupt)
    print(f"central serving on {server.url}" + ("" if tokens else " (no token required)"), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sys.stdout.flush()
    return 0


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _port(text: str) -> int:
    import argparse

    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (0-65535)")
    return port
