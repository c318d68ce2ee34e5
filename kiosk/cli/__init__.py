"""The `kiosk` command. Each subcommand is one module in kiosk/cli/commands with a `register(subparsers)`."""
from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sqlite3
import sys

from kiosk.domain.errors import KioskError

log = logging.getLogger("kiosk.cli")


class UsageError(KioskError):
    code = "usage"

    def __init__(self, text: str) -> None:
        super().__init__(text=text)

    def message(self) -> str:
        return self.text_en


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line (exit 2) instead of usage + error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")

    def _get_values(self, action, arg_strings):
        # `--opt=--` gives argparse the value "--", which it drops, leaving [] where a string belongs.
        if action.option_strings and action.nargs is None and arg_strings == ["--"]:
            self.error(f"{'/'.join(action.option_strings)} needs a value, not '--'")
        return super()._get_values(action, arg_strings)


def build_parser() -> argparse.ArgumentParser:
    from kiosk import __version__
    from kiosk.cli import commands

    parser = OneLineParser(prog="kiosk", description="Guest registration kiosk for Kejaksaan Negeri offices.")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    sub.required = True
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"kiosk.cli.commands.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def one_line(text: str) -> str:
    """The error as one terminal line: control characters from user input (a file named with a newline or
    a record separator, which str.splitlines and terminals break on) are shown escaped."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except KioskError as exc:
        if logging.getLogger().handlers:
            log.warning("command failed", extra={"code": exc.code, **exc.log_fields()})
        print(one_line(f"kiosk: {exc.message()}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except sqlite3.DatabaseError as exc:
        # A database damaged after it was opened (a torn page, a disk error): one line, never a traceback.
        if logging.getLogger().handlers:
            log.warning("command failed", extra={"code": "database_error"})
        print(one_line(f"kiosk: basis data rusak / database damaged: {exc}; restore it from a backup"), file=sys.stderr)
        return 2
    except OSError as exc:
        # A file or device the command was pointed at (missing, not allowed, busy): the user's to fix, so
        # one line naming it, not a traceback. Bugs still raise.
        where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
        if logging.getLogger().handlers:
            log.warning("command failed", extra={"code": "os_error", "errno": exc.errno or 0})
        print(one_line(f"kiosk: berkas atau perangkat tidak dapat dipakai / file or device cannot be used: "
                       f"{exc.strerror or exc}{where}"), file=sys.stderr)
        return 2
