"""`kiosk lockers ...` against the emulator (kind = "simulated")."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kiosk.cli import main
from tests.fixtures_lockers import write_config

ROOT = Path(__file__).resolve().parent.parent


def test_status_prints_one_row_per_door(tmp_path, capsys):
    cfg = write_config(tmp_path, out_of_service=[3])
    assert main(["lockers", "status", "--config", str(cfg)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["door", "state", "door_state", "occupied", "visit", "note"]
    assert len(lines) == 1 + 8
    assert lines[3].split()[:3] == ["3", "out_of_service", "closed"]


def test_status_as_json(tmp_path, capsys):
    cfg = write_config(tmp_path)
    assert main(["lockers", "status", "--json", "--config", str(cfg)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["door"] for r in rows] == list(range(1, 9))
    assert {r["door_state"] for r in rows} == {"closed"}


def test_open_one_door(tmp_path, capsys):
    cfg = write_config(tmp_path)
    assert main(["lockers", "open", "6", "--config", str(cfg)]) == 0
    assert capsys.readouterr().out.strip() == "door 6 open"


def test_open_a_stuck_door_is_one_line_and_exit_2(tmp_path, capsys):
    cfg = write_config(tmp_path, simulate_fault="stuck:6")
    assert main(["lockers", "open", "6", "--config", str(cfg)]) == 2
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and said[0].startswith("kiosk:") and "Locker 6 did not open" in said[0]
    # and the door is now listed as faulty
    assert main(["lockers", "status", "--json", "--config", str(cfg)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[5]["state"] == "faulty"


def test_open_a_door_that_does_not_exist_is_refused(tmp_path, capsys):
    cfg = write_config(tmp_path)
    assert main(["lockers", "open", "99", "--config", str(cfg)]) == 2
    assert "no locker number 99" in capsys.readouterr().err


def test_open_all(tmp_path, capsys):
    cfg = write_config(tmp_path)
    assert main(["lockers", "open-all", "--config", str(cfg)]) == 0
    assert capsys.readouterr().out.strip() == "all doors open"


def test_open_all_names_doors_that_stay_shut(tmp_path, capsys):
    cfg = write_config(tmp_path, simulate_fault="stuck:2")
    assert main(["lockers", "open-all", "--config", str(cfg)]) == 1
    assert capsys.readouterr().out.strip() == "still closed: 2"


def test_silent_board_shows_status_from_the_database_with_the_error_and_exits_non_zero(tmp_path, capsys):
    cfg = write_config(tmp_path, simulate_fault="silent")
    assert main(["lockers", "status", "--config", str(cfg)]) == 1
    out = capsys.readouterr().out
    assert "unknown" in out
    assert "board 0 unreachable: Locker board 0 does not answer (3 attempts)" in out
    assert "board 1 unreachable: Locker board 1 does not answer (3 attempts)" in out


def test_one_silent_board_of_two_shows_the_other_boards_doors_and_exits_non_zero(tmp_path, capsys):
    cfg = write_config(tmp_path, simulate_fault="silentboard:1")
    assert main(["lockers", "status", "--config", str(cfg)]) == 1
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split()[2] for line in out.splitlines()[1:] if line[:1].isdigit()}
    assert [rows[str(d)] for d in range(1, 9)] == ["closed"] * 4 + ["unknown"] * 4
    assert "board 1 unreachable" in out and "board 0 unreachable" not in out


def test_open_all_with_one_silent_board_opens_the_other_board_and_names_the_silent_one(tmp_path, capsys):
    cfg = write_config(tmp_path, simulate_fault="silentboard:0")
    assert main(["lockers", "open-all", "--config", str(cfg)]) == 1
    out = capsys.readouterr().out
    assert "still closed: 1, 2, 3, 4" in out and "board 0 unreachable" in out


def test_the_installed_command_runs_in_its_own_process(tmp_path):
    cfg = write_config(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "lockers", "open", "1", "--config", str(cfg)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
    )
    assert (done.returncode, done.stdout.strip()) == (0, "door 1 open")
    report = subprocess.run(
        [sys.executable, "-m", "kiosk", "lockers", "report", "--config", str(cfg)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
    )
    assert (report.returncode, report.stdout.strip()) == (0, "no locker is held by an open visit")
