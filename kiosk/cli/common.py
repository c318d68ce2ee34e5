"""Helpers shared by the subcommands: the --config option, loading the config, building the app context."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from kiosk.config import PROJECT_ROOT, Config, load_config


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=None,
        help="config file (default: $KIOSK_CONFIG, /etc/kiosk/kiosk.toml, config/kiosk.toml, config/simulate.toml)",
    )


def resolve_config_path(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get("KIOSK_CONFIG")
    if env:
        return Path(env)
    for candidate in (Path("/etc/kiosk/kiosk.toml"), PROJECT_ROOT / "config" / "kiosk.toml"):
        if candidate.exists():
            return candidate
    return PROJECT_ROOT / "config" / "simulate.toml"


def config_from_args(args: argparse.Namespace) -> Config:
    cfg = load_config(resolve_config_path(getattr(args, "config", None)))
    from kiosk.logs import setup_logging

    # A CLI command's own output is its answer; with no log file, stderr carries only errors
    # (a failed command's one line stays one line).
    quiet = getattr(args, "command", "") != "run"
    level = "ERROR" if quiet and not cfg.logging.file else cfg.logging.level
    setup_logging(level, cfg.logging.file and str(cfg.path(cfg.logging.file)), cfg.logging.max_bytes, cfg.logging.backups)
    return cfg


def context_from_args(args: argparse.Namespace, *, simulate: bool = False, config: Config | None = None):
    """The composition root for this command, from `config` or else the --config file."""
    # Imported here: the root imports every service and driver, and most commands (nik, version, config) need none.
    from kiosk.app.context import AppContext

    return AppContext(config or config_from_args(args), simulate=simulate)
