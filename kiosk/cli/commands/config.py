"""`kiosk config check`: validate the config file and say what it sets up."""
from __future__ import annotations

from kiosk.cli.common import add_config_option, config_from_args, resolve_config_path


def register(sub) -> None:
    p = sub.add_parser("config", help="check the configuration")
    csub = p.add_subparsers(dest="config_command", metavar="ACTION")
    csub.required = True
    check = csub.add_parser("check", help="validate the config file; exit 2 with the bad key if it is wrong")
    add_config_option(check)
    check.set_defaults(func=run_check)


def run_check(args) -> int:
    cfg = config_from_args(args)
    d = cfg.devices
    print(
        f"config OK: {resolve_config_path(args.config)} - office {cfg.office.code} ({cfg.office.name}), "
        f"role {cfg.kiosk.role}, printer {d.printer.kind}, scanner {d.scanner.kind}, camera {d.camera.kind}, "
        f"lockers {d.lockers.kind}, notifier {cfg.notifier.kind}, central {cfg.central.url or '(none)'}"
    )
    return 0
