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


def context_from_args(args: argparse.Namespace, *, simulate: bool = False, config: Config | None = None):
    """The composition root for this command, from `config` or else the --config file."""
    # Imported here: the root imports every service and driver, and most commands (nik, version, config) need none.
    from kiosk.app.context import AppContext

    return AppContext(config or config_from_args(args), simulate=simulate)


# An image named on the command line: a phone photo of a KTP is a few MB and 12-48 megapixels.
MAX_IMAGE_BYTES = 64 << 20
MAX_IMAGE_PIXELS = 60_000_000


def read_image_file(path: str, error):
    """Decode an image file to a BGR array, bounded: a file that is not a regular file, too large (in bytes or
    in pixels, read from its header before decoding) or not an image raises `error(path)` (a KioskError)."""
    import io

    import cv2
    import numpy as np
    from PIL import Image

    from kiosk.files import UnusableFile, read_bounded

    try:
        data = read_bounded(path, MAX_IMAGE_BYTES, "image")
    except (UnusableFile, OSError):
        raise error(path) from None
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
    except Exception:  # PIL does not know the format: OpenCV may, and has its own pixel limit
        width = height = 0
    if width * height > MAX_IMAGE_PIXELS:
        raise error(path)
    try:
        frame = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    except (cv2.error, ValueError, MemoryError):
        frame = None
    if frame is None:
        raise error(path)
    return frame


# Days a command can ask about: the kiosk keeps no records outside these, and the ends of Python's calendar
# (0001-01-01, 9999-12-31) overflow once a time zone or a day is added.
FIRST_DAY = "1970-01-01"
LAST_DAY = "2999-12-31"


def parse_day(text: str, option: str):
    """A YYYY-MM-DD date within FIRST_DAY..LAST_DAY, or a UsageError naming the option."""
    from datetime import date

    from kiosk.cli import UsageError

    try:
        day = date.fromisoformat(text)
    except (ValueError, TypeError):
        raise UsageError(f"{option} {text!r} is not a date of the form YYYY-MM-DD") from None
    if not date.fromisoformat(FIRST_DAY) <= day <= date.fromisoformat(LAST_DAY):
        raise UsageError(f"{option} {text!r} is outside {FIRST_DAY} .. {LAST_DAY}")
    return day
