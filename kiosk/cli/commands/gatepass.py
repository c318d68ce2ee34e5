"""`kiosk pass verify TOKEN [--at ISO-TIME]`: check a gate pass offline; JSON out, exit 0 valid / 1 not / 2 unreadable."""
from __future__ import annotations

import json
from datetime import UTC, datetime

from kiosk.cli import UsageError
from kiosk.cli.common import add_config_option, context_from_args


def register(sub) -> None:
    p = sub.add_parser("pass", help="gate passes: verify a scanned token")
    psub = p.add_subparsers(dest="pass_command", metavar="ACTION")
    psub.required = True
    verify = psub.add_parser("verify", help="verify a token: signature, key, office, time, visit state")
    verify.add_argument("token", metavar="TOKEN")
    verify.add_argument("--at", metavar="ISO-TIME", default=None, help="judge at this time (default: now)")
    add_config_option(verify)
    verify.set_defaults(func=run_verify)


def _parse_at(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        at = datetime.fromisoformat(str(text))
    except ValueError:
        raise UsageError(f"--at {text!r} is not an ISO-8601 time (e.g. 2026-11-23T09:30+08:00)") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def run_verify(args) -> int:
    at = _parse_at(args.at)
    ctx = context_from_args(args)
    try:
        verdict = ctx.passes.verify(args.token, at=at)
    finally:
        ctx.close()
    print(json.dumps(verdict.to_dict(), ensure_ascii=False))
    if verdict.valid:
        return 0
    return 2 if verdict.reason == "unreadable" else 1
