"""`kiosk survey import FILE.csv` (paper forms, all rows or none) and `kiosk survey report` (IKM of a period)."""
from __future__ import annotations

import sys
from datetime import date

from kiosk.cli import UsageError
from kiosk.cli.common import add_config_option, context_from_args, parse_day

FORMATS = ("table", "json", "csv", "png")


def add_period_options(p) -> None:
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", required=True, help="first day (inclusive)")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", required=True, help="last day (inclusive)")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument("--output", metavar="FILE", default=None, help="write here instead of stdout (png: default a file)")


def parse_period(args) -> tuple[date, date]:
    start, end = parse_day(args.date_from, "--from"), parse_day(args.date_to, "--to")
    if end < start:
        raise UsageError(f"--to {end} is before --from {start}")
    return start, end


def emit(args, text: str | None, png_writer, default_png: str) -> None:
    """Text to stdout or --output; png to --output or a default file name, whose path is printed."""
    from pathlib import Path

    if args.format == "png":
        target = Path(args.output or default_png)
        if target.is_dir():  # --output DIR: the default file name inside it
            target = target / default_png
        path = png_writer(target)
        print(path)
        return
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text or "")
        print(args.output)
    else:
        sys.stdout.write(text or "")


def register(sub) -> None:
    p = sub.add_parser("survey", help="satisfaction survey (SKM/IKM): import paper forms, report")
    ssub = p.add_subparsers(dest="survey_command", metavar="ACTION")
    ssub.required = True
    imp = ssub.add_parser("import", help="import paper forms from CSV (columns u1..u9, optional profile columns)")
    imp.add_argument("file", metavar="FILE.csv")
    add_config_option(imp)
    imp.set_defaults(func=run_import)
    rep = ssub.add_parser("report", help="IKM, per-element NRR, grade and sample size for a period")
    add_period_options(rep)
    add_config_option(rep)
    rep.set_defaults(func=run_report)


def run_import(args) -> int:
    ctx = context_from_args(args)
    try:
        n = ctx.surveys.import_csv(args.file)
    finally:
        ctx.close()
    print(f"{n} jawaban diimpor / responses imported")
    return 0


def run_report(args) -> int:
    from kiosk.app import charts, report_render

    start, end = parse_period(args)
    ctx = context_from_args(args)
    try:
        rep = ctx.surveys.report(start, end)
    finally:
        ctx.close()
    text = {
        "table": report_render.survey_table,
        "json": lambda r: report_render.to_json(report_render.survey_dict(r)),
        "csv": report_render.survey_csv,
        "png": lambda r: None,
    }[args.format](rep)
    emit(args, text, lambda path: charts.survey_png(rep, path), f"survey-{start}-{end}.png")
    return 0
