"""`kiosk report service`: data capture, waiting and whole service per visit against the seeds' standard times."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from kiosk.cli.commands.survey import add_period_options, emit, parse_period
from kiosk.cli.common import add_config_option, context_from_args


def register(sub) -> None:
    p = sub.add_parser("report", help="reports: service standards")
    rsub = p.add_subparsers(dest="report_command", metavar="REPORT")
    rsub.required = True
    svc = rsub.add_parser("service", help="per visit and in sum: times against the service standards; complaints")
    add_period_options(svc)
    add_config_option(svc)
    svc.set_defaults(func=run_service)


def run_service(args) -> int:
    from kiosk.app import charts, report_render

    start, end = parse_period(args)
    ctx = context_from_args(args)
    try:
        rep = ctx.service_report.report(start, end)
        tz = ZoneInfo(ctx.config.office.timezone)
    finally:
        ctx.close()
    text = {
        "table": lambda r: report_render.service_table(r, tz),
        "json": lambda r: report_render.to_json(report_render.service_dict(r)),
        "csv": report_render.service_csv,
        "png": lambda r: None,
    }[args.format](rep)
    emit(args, text, lambda path: charts.service_png(rep, path), f"service-{start}-{end}.png")
    return 0
