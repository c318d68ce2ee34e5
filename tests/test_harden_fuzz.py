"""Property-based sweep: every `kiosk` subcommand, found in the argparse tree (a new one is covered without
touching this file), fed odd arguments and odd input files, answers with exit 0, 1 or 2 and never a traceback;
and the config loader answers any document with a Config or one ConfigError."""
from __future__ import annotations

import argparse
import contextlib
import copy
import os
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.cli import UsageError, build_parser, main
from tests.fixtures_harden import ROOT, write_config

# Commands that serve or show a window until stopped: their arguments are parsed, never run.
LONG_RUNNING = {("run",), ("sync", "run"), ("central", "serve")}


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if path and parser.get_default("func") is not None:
        yield path, parser
    for action in subs:
        for name, child in action.choices.items():
            yield from _leaves(child, (*path, name))


LEAVES = {path: p for path, p in _leaves(build_parser())}


def test_the_sweep_sees_every_subcommand():
    names = {" ".join(p) for p in LEAVES}
    for expected in ("config check", "visits list", "visits export", "gate scan", "purge", "scan", "ktp read",
                     "survey import", "report service", "staff pin-hash", "ticket", "lockers open"):
        assert expected in names


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Odd files to offer as arguments, and a working config."""
    import cv2
    import numpy as np

    base = tmp_path_factory.mktemp("fuzz")
    cfg = write_config(base)
    files = base / "files"
    files.mkdir()
    fifo = files / "fifo"
    os.mkfifo(fifo)
    (files / "garbage.bin").write_bytes(os.urandom(2048))
    (files / "empty").write_bytes(b"")
    (files / "bad.csv").write_text("u1,u2\n9,x\n", encoding="utf-8")
    (files / "deep.toml").write_text("x = " + "[" * 3000 + "]" * 3000, encoding="utf-8")
    (files / "tz.toml").write_text('[office]\ntimezone = "Nowhere/Never"\n', encoding="utf-8")
    cv2.imwrite(str(files / "tiny.png"), np.zeros((8, 8, 3), np.uint8))
    os.symlink(files / "garbage.bin", files / "link")
    odd = [str(fifo), str(files / "garbage.bin"), str(files / "empty"), str(files / "bad.csv"),
           str(files / "deep.toml"), str(files / "tz.toml"), str(files / "tiny.png"), str(files / "link"),
           str(files), "/dev/zero", "/dev/null", "missing.file"]  # fmt: skip
    return {"cfg": str(cfg), "odd": odd, "cwd": base}


WORDS = ["", "0", "-1", "1", "7", "65536", "99999999999999999999", "nan", "1e309", "2026-11-23", "0001-01-01",
         "9999-12-31", "2026-02-30", "24:00", "ABCDEFGHJK", "5105011203900001", "3171064508850002", "x" * 300,
         "\u202eevil", "é", "--", "-x", "%s%n", "{}", "QR" * 80]  # fmt: skip
SAFE_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00/~"), max_size=12)


def _argv(draw, parser: argparse.ArgumentParser, odd: list[str]) -> list[str]:
    value = st.one_of(st.sampled_from(WORDS), st.sampled_from(odd), SAFE_TEXT)
    argv: list[str] = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._VersionAction, argparse._SubParsersAction)):
            continue
        if not action.option_strings:  # positional: usually given, sometimes not
            count = 2 if action.nargs in ("+", "*") else 1
            if draw(st.integers(0, 9)) > 0:
                argv += [draw(value) for _ in range(draw(st.integers(1, count)))]
            continue
        if action.dest == "config" or not draw(st.booleans()):
            continue
        flag = draw(st.sampled_from(action.option_strings))
        argv.append(flag if action.nargs == 0 else f"{flag}={draw(value)}")
    return argv


@st.composite
def invocation(draw, odd):
    path = draw(st.sampled_from(sorted(LEAVES)))
    argv = [*path, *_argv(draw, LEAVES[path], odd)]
    return path, argv


@pytest.mark.slow
def test_no_subcommand_ends_in_a_traceback(world, capsys, monkeypatch):
    monkeypatch.chdir(world["cwd"])
    monkeypatch.setenv("KIOSK_CONFIG", world["cfg"])

    @settings(max_examples=100, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(invocation(world["odd"]), st.one_of(st.none(), st.sampled_from(world["odd"])))
    def check(inv, config):
        path, argv = inv
        if config is not None and "--config" in {o for a in LEAVES[path]._actions for o in a.option_strings}:
            argv = [*argv, "--config", config]
        if path in LONG_RUNNING:
            with contextlib.suppress(UsageError):
                build_parser().parse_args(argv)
            return
        code = main(argv)
        out, err = capsys.readouterr()
        assert code in (0, 1, 2), (argv, code, err)
        assert "Traceback" not in err, (argv, err)
        if code == 2:
            assert len(err.strip().splitlines()) <= 1, (argv, err)  # `pass verify` answers "unreadable" in JSON

    check()


# --- config fuzzing ---------------------------------------------------------------------------

BASE = tomllib.loads((ROOT / "config" / "simulate.toml").read_text(encoding="utf-8"))
ODD_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8),
              st.sampled_from(["Asia/Jakarta", "Mars/Base", "UTC", "", "../zone", "08:00-16:00", "25:99"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=6,
)  # fmt: skip


def _paths(data, prefix=()):
    for key, value in data.items():
        yield (*prefix, key)
        if isinstance(value, dict):
            yield from _paths(value, (*prefix, key))


PATHS = sorted(_paths(BASE)) + [("office", "timezone"), ("ui", "nope"), ("nope",), ("kiosk", "data_dir", "deep")]


@given(st.lists(st.tuples(st.sampled_from(PATHS), ODD_VALUES), min_size=1, max_size=4), st.integers(0, 400))
@settings(max_examples=200, deadline=None, derandomize=True)
def test_any_config_document_gives_a_config_or_one_config_error(changes, depth):
    from zoneinfo import ZoneInfo

    from kiosk.config import ConfigError, parse_config
    from kiosk.domain.sla import WorkingCalendar

    data = copy.deepcopy(BASE)
    for path, value in changes:
        node = data
        for key in path[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[path[-1]] = value
    nested: object = "x"
    for _ in range(depth):
        nested = [nested]
    data.setdefault("survey", {})["age_groups"] = nested if depth else data.get("survey", {}).get("age_groups", [])
    try:
        cfg = parse_config(data, base_dir=Path("/nonexistent"))
    except ConfigError as exc:
        assert "\n" not in exc.message()
        return
    # What loads must work where it is used later: the zone and the working hours.
    ZoneInfo(cfg.office.timezone)
    WorkingCalendar.from_office(cfg.office)


@pytest.mark.parametrize("name", ["a\x1eb", "a\nb", "a\rb", "a\x85b", "a\u2028b"])
def test_a_file_name_with_line_breaking_characters_stays_one_error_line(name, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["scan", name]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
