"""The `kiosk` command: version, visits list, and one-line errors with exit code 2."""
from __future__ import annotations

import json

import pytest

from kiosk.app.registration import GuestIdentity
from kiosk.cli import main


@pytest.fixture
def cfg_file(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path}/data"\n[privacy]\nkey_file = "{tmp_path}/k.key"\n'
        '[office]\ntimezone = "Asia/Makassar"\n'
    )
    return path


def test_version_names_the_program(capsys):
    assert main(["version"]) == 0
    assert capsys.readouterr().out.startswith("kiosk ")


def test_visits_list_shows_todays_visits_with_the_nik_masked(cfg_file, capsys):
    from kiosk.app.context import AppContext
    from kiosk.config import load_config

    ctx = AppContext(load_config(cfg_file))
    ctx.registration.register(
        GuestIdentity(nik="5105014101900001", name="Budi Santoso"),
        purpose="meet_employee", host_id="h", host_name="Host", consent=True,
    )
    ctx.close()
    assert main(["visits", "list", "--json", "--config", str(cfg_file)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1
    assert rows[0]["nik"] == "************0001"
    assert rows[0]["guest"] == "Budi Santoso"
    assert main(["visits", "list", "--config", str(cfg_file)]) == 0
    out = capsys.readouterr().out
    assert "5105014101900001" not in out and "0001" in out


def test_visits_list_on_a_day_without_visits(cfg_file, capsys):
    assert main(["visits", "list", "--date", "2020-01-01", "--config", str(cfg_file)]) == 0
    assert "no visits on 2020-01-01" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["visits", "list", "--date", "23/11/2026"], "YYYY-MM-DD"),
        (["no-such-command"], "invalid choice"),
        (["run", "--role", "janitor"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(cfg_file, capsys, argv, needle):
    if argv[0] == "visits":
        argv = [*argv, "--config", str(cfg_file)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]


def test_visits_list_uses_the_office_day_not_the_utc_day(cfg_file, capsys):
    """A visit at 07:30 WITA (23:30 UTC the day before) belongs to the office's day."""
    from datetime import UTC, datetime

    from kiosk.app.context import AppContext
    from kiosk.config import load_config
    from kiosk.domain.clock import FixedClock

    ctx = AppContext(load_config(cfg_file), clock=FixedClock(datetime(2026, 11, 22, 23, 30, tzinfo=UTC)))
    ctx.registration.register(
        GuestIdentity(nik="5105014101900001", name="Early Guest"),
        purpose="meet_employee", host_id="h", host_name="Host", consent=True,
    )
    ctx.close()
    assert main(["visits", "list", "--json", "--date", "2026-11-23", "--config", str(cfg_file)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["guest"] for r in rows] == ["Early Guest"]
    assert rows[0]["created_at"].startswith("2026-11-23T07:30")
    assert main(["visits", "list", "--json", "--date", "2026-11-22", "--config", str(cfg_file)]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_folder_that_cannot_be_written_is_one_line_and_exit_2(tmp_path, capsys):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert main(["ktp", "synth", str(blocked / "cards"), "--count", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kiosk: berkas atau perangkat") and str(blocked) in err[0]


def test_a_port_out_of_range_is_a_usage_line_not_a_traceback(capsys):
    assert main(["central", "serve", "--port", "99999"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a TCP port" in err[0]
