"""`kiosk invite --host H --purpose P [--nik N] [--hours N] [--png FILE]`: a pre-registration and its signed QR.

The guest shows the QR at the kiosk's scan step: purpose and host are filled, the guest confirms who they are
(with the NIK the invitation names, when it names one). Prints one JSON line (the token, never the NIK).
"""
from __future__ import annotations

import json
import sys
from datetime import timedelta

from kiosk.cli.common import add_config_option, context_from_args


def register(sub) -> None:
    p = sub.add_parser("invite", help="pre-register a guest: a signed invitation QR that fills purpose and host")
    p.add_argument("--host", required=True, help="host id (from [[hosts]])")
    p.add_argument("--purpose", required=True, help="purpose id (from [[purposes]])")
    p.add_argument("--nik", default="", help="the invited guest's NIK (then only that NIK may use it)")
    p.add_argument("--hours", type=float, default=24.0, help="valid from now for this many hours (default 24)")
    p.add_argument("--png", default="", metavar="FILE", help="also write the QR as a PNG image")
    add_config_option(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from kiosk.domain.errors import KioskError

    if not 0 < args.hours <= 24 * 90:
        print("kiosk: --hours harus 0-2160 / --hours must be within 0-2160", file=sys.stderr)
        return 2
    ctx = context_from_args(args)
    try:
        nik = ctx.identity.parse_nik(args.nik).nik if args.nik else ""
        now = ctx.clock.now()
        record, token = ctx.invitations.issue(purpose=args.purpose, host_id=args.host, nik=nik,
                                              valid_from=now, valid_until=now + timedelta(hours=args.hours))
        if args.png:
            import segno

            segno.make_qr(token, error="m").save(args.png, kind="png", scale=6, border=4)
    except (KioskError, OSError) as exc:
        text = exc.message() if isinstance(exc, KioskError) else f"{args.png}: {exc.strerror}"
        print(f"kiosk: {text}", file=sys.stderr)
        return 2
    finally:
        ctx.close()
    print(json.dumps({"invitation_id": record.id, "purpose": record.purpose, "host": record.host_id,
                      "names_nik": bool(record.nik), "valid_from": record.valid_from.isoformat(),
                      "valid_until": record.valid_until.isoformat(), "token": token}))
    return 0
