"""Where the `kiosk` command finds its config: never the simulator's config on a kiosk that lacks its own."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kiosk.cli import common, main
from tests.conftest import ROOT


@pytest.fixture
def nowhere(tmp_path, monkeypatch):
    """No $KIOSK_CONFIG and none of the searched files exists."""
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    searched = (tmp_path / "etc" / "kiosk.toml", tmp_path / "config" / "kiosk.toml")
    monkeypatch.setattr(common, "SEARCHED", searched)
    return searched


def _one_line_saying_no_config(err: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "konfigurasi tidak ditemukan" in lines[0] and "no config file found" in lines[0]
    assert lines[0].index("konfigurasi") < lines[0].index("no config")  # Indonesian first
    assert "Traceback" not in err


@pytest.mark.parametrize("argv", [["config", "check"], ["selftest"], ["visits", "list"], ["sync", "status"]])
def test_a_command_without_any_config_says_so_in_one_line_and_exits_2(nowhere, capsys, argv):
    assert main(argv) == 2
    captured = capsys.readouterr()
    _one_line_saying_no_config(captured.err)
    assert str(nowhere[0]) in captured.err and "simulate.toml" not in captured.err


def test_kiosk_run_without_its_config_stops_instead_of_simulating_the_devices(tmp_path):
    # A process of its own: were it to fall back to the simulator's config, it would open the app
    # (and the timeout would fail the test).
    code = (
        "import sys, pathlib; from kiosk.cli import common, main; "
        f"common.SEARCHED = (pathlib.Path({str(tmp_path / 'a.toml')!r}), pathlib.Path({str(tmp_path / 'b.toml')!r})); "
        "sys.exit(main(['run', '--role', 'guest']))"
    )
    env = {k: v for k, v in os.environ.items() if k != "KIOSK_CONFIG"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
    assert proc.returncode == 2, proc.stderr[-2000:]
    _one_line_saying_no_config(proc.stderr)


def test_only_a_simulated_run_may_use_the_demo_config(nowhere):
    assert common.resolve_config_path(None, simulate=True) == ROOT / "config" / "simulate.toml"
    with pytest.raises(common.ConfigNotFound):
        common.resolve_config_path(None)


def test_the_first_existing_config_wins_and_the_environment_before_it(nowhere, monkeypatch, tmp_path):
    local = nowhere[1]
    local.parent.mkdir(parents=True)
    local.write_text("")
    assert common.resolve_config_path(None) == local
    assert common.resolve_config_path(None, simulate=True) == local  # a real config beats the demo one
    nowhere[0].parent.mkdir(parents=True)
    nowhere[0].write_text("")
    assert common.resolve_config_path(None) == nowhere[0]
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "env.toml"))
    assert common.resolve_config_path(None) == tmp_path / "env.toml"
    assert common.resolve_config_path("given.toml") == common.Path("given.toml")


def test_the_demo_passes_simulate_and_its_config_explicitly():
    script = (ROOT / "bootstrap.sh").read_text(encoding="utf-8")
    runs = [ln for ln in script.splitlines() if "kiosk run" in ln and "exec" in ln]
    assert runs and all('--simulate --config "$cfg"' in ln for ln in runs)
