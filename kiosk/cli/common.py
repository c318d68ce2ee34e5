"""Helpers shared by the subcommands: the --config option, loading the config, building the app context."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from kiosk.config import PROJECT_ROOT, Config, ConfigNotFound, load_config


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=None,
        help="config file (default: $KIOSK_CONFIG, /etc/kiosk/kiosk.toml, config/kiosk.toml; "
        "with --simulate / --demo: config/simulate.toml when none of them exists)",
    )


SEARCHED = (Path("/etc/kiosk/kiosk.toml"), PROJECT_ROOT / "config" / "kiosk.toml")
DEMO_CONFIG = PROJECT_ROOT / "config" / "simulate.toml"


def resolve_config_path(explicit: str | None, *, simulate: bool = False) -> Path:
    """--config, else $KIOSK_CONFIG, else the first of SEARCHED that exists. Only a simulated run (the
    demo) may fall back to config/simulate.toml: a kiosk without its config stops and says so."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("KIOSK_CONFIG")
    if env:
        return Path(env)
    for candidate in SEARCHED:
        if candidate.exists():
            return candidate
    if simulate:
        return DEMO_CONFIG
    raise ConfigNotFound([str(p) for p in SEARCHED])


def simulated_run(args: argparse.Namespace) -> bool:
    """The command runs on simulated devices (`--simulate`, or a demo), so the demo config may serve."""
    return bool(getattr(args, "simulate", False) or getattr(args, "demo", False))


def config_from_args(args: argparse.Namespace) -> Config:
    cfg = load_config(resolve_config_path(getattr(args, "config", None), simulate=simulated_run(args)))
    from kiosk.logs import setup_logging

    # A CLI command's own output is its answer; with no log file, stderr carries only errors
    # (a failed command's one line stays one line).
    quiet = getattr(args, "command", "") != "run"
    level = "ERROR" if quiet and not cfg.logging.file else cfg.logging.level
    setup_logging(level, cfg.logging.file and str(cfg.path(cfg.logging.file)), cfg.logging.max_bytes, cfg.logging.backups)
    return cfg


def context_from_args(args: argparse.Namespace, *, simulate: bool = False):
    from kiosk.app.context import AppContext

    return AppContext(config_from_args(args), simulate=simulate)
