"""`kiosk run`: start the touchscreen app in one role (guest, security, survey)."""
from __future__ import annotations

import dataclasses

from kiosk.cli.common import add_config_option, config_from_args
from kiosk.config import ROLES, Config


def register(sub) -> None:
    p = sub.add_parser("run", help="start the kiosk app")
    p.add_argument("--role", choices=ROLES, default=None, help="guest (lobby), security (gate) or survey (exit desk)")
    p.add_argument("--simulate", action="store_true", help="use simulated peripherals whatever the config says")
    p.add_argument("--fullscreen", action="store_true", help="fullscreen without a cursor (production)")
    add_config_option(p)
    p.set_defaults(func=run)


def simulated(cfg: Config) -> Config:
    """The same config with every peripheral simulated (the demo, and machines without devices)."""
    d = cfg.devices
    devices = dataclasses.replace(
        d,
        printer=dataclasses.replace(d.printer, kind="simulated"),
        backup_printer=dataclasses.replace(d.backup_printer, kind="none"),
        scanner=dataclasses.replace(d.scanner, kind="simulated"),
        camera=dataclasses.replace(d.camera, kind="simulated"),
        lockers=dataclasses.replace(d.lockers, kind="simulated"),
    )
    notifier = cfg.notifier if cfg.notifier.kind == "none" else dataclasses.replace(cfg.notifier, kind="simulated")
    return dataclasses.replace(cfg, devices=devices, notifier=notifier)


def run(args) -> int:
    cfg = config_from_args(args)
    if args.simulate:
        cfg = simulated(cfg)
    role = args.role or cfg.kiosk.role
    fullscreen = args.fullscreen or cfg.ui.fullscreen
    cfg = dataclasses.replace(
        cfg,
        kiosk=dataclasses.replace(cfg.kiosk, role=role),
        ui=dataclasses.replace(cfg.ui, fullscreen=fullscreen),
    )

    if args.simulate and not cfg.path(cfg.privacy.signing_key_file).exists():
        # The demo prints signed passes from the first guest on; a real office runs `kiosk keys init`.
        from kiosk.app.passes import init_keys

        init_keys(cfg)

    from kiosk.ui.setup import configure_window

    configure_window(width=cfg.ui.width, height=cfg.ui.height, fullscreen=fullscreen, fit_screen=True)

    from kiosk.app.context import AppContext
    from kiosk.ui.app import KioskApp

    KioskApp(AppContext(cfg, simulate=args.simulate), role=role).run()
    return 0
