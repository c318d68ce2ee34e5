"""`kiosk nik NIK`: validate a NIK and print what it encodes as one JSON object (invalid: one line, exit 2)."""
from __future__ import annotations

import dataclasses
import datetime
import json


def register(sub) -> None:
    p = sub.add_parser("nik", help="validate a NIK and print its region, birth date, sex and serial as JSON")
    p.add_argument("nik", metavar="NIK", help="the 16-digit NIK (spaces, dots and hyphens are ignored)")
    p.add_argument("--today", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="the date the century rule counts from (default: today)")
    p.set_defaults(func=run)


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        from kiosk.cli import UsageError

        raise UsageError(f"--today expects YYYY-MM-DD, got {text!r}") from None


def nik_json(info) -> dict:
    """NikInfo as the JSON the CLI prints: region codes and names, birth date, sex, serial in that order, then `warnings`."""
    data = dataclasses.asdict(info)
    data["birth_date"] = info.birth_date.isoformat()
    data["warnings"] = list(info.warnings)
    return data


def run(args) -> int:
    from kiosk.domain.nik import parse_nik

    print(json.dumps(nik_json(parse_nik(args.nik, today=args.today)), ensure_ascii=False))
    return 0
