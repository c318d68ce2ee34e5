"""The operations commands: selftest (table, exit 1 on a broken device), purge, visits export/forget, pin-hash."""
from __future__ import annotations

import io
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.cli import main
from tests.fixtures_ops import NAME_A, NIK_A, register_at

ROOT = Path(__file__).resolve().parent.parent


def write_config(tmp_path: Path, *, printer_fault: str = "", camera_source: str | None = None) -> Path:
    """config/simulate.toml with this test's data directory, key file and device faults."""
    text = (ROOT / "config" / "simulate.toml").read_text(encoding="utf-8")
    text = text.replace('data_dir = "var/data"', f'data_dir = "{tmp_path / "data"}"')
    text = text.replace('key_file = "var/keys/data.key"', f'key_file = "{tmp_path / "keys" / "data.key"}"')
    text = text.replace('[devices.printer]\nkind = "simulated"', f'[devices.printer]\nkind = "simulated"\nsimulate_fault = "{printer_fault}"')
    if camera_source is None:
        import cv2
        import numpy as np

        frame = tmp_path / "frame.png"
        cv2.imwrite(str(frame), np.full((120, 160, 3), 128, np.uint8))
        camera_source = str(frame)
    text = re.sub(r'(\[devices\.camera\]\nkind = "simulated"\nsource = )"[^"]*"', rf'\1"{camera_source}"', text)
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_selftest_prints_a_table_and_passes_with_working_simulated_devices(tmp_path, capsys):
    code, out, _ = run_cli(capsys, "selftest", "--config", str(write_config(tmp_path)))
    assert code == 0, out
    for name in ("printer", "camera", "scanner", "locker board 0", "central", "notifier"):
        assert re.search(rf"^{re.escape(name)}\s+(OK|SKIP)\b", out, re.M), out
    assert "all passed" in out


@pytest.mark.parametrize(
    "broken,line",
    [
        ({"printer_fault": "offline"}, r"^printer\s+FAIL\s.*offline"),
        ({"camera_source": "/nonexistent/camera.avi"}, r"^camera\s+FAIL\s.*(does not exist|no such file)"),
    ],
)
def test_selftest_reports_a_broken_simulated_device_as_failed_and_exits_1(tmp_path, capsys, broken, line):
    code, out, _ = run_cli(capsys, "selftest", "--config", str(write_config(tmp_path, **broken)))
    assert code == 1
    assert re.search(line, out, re.M), out
    assert "1 failed" in out


def test_selftest_json_and_only(tmp_path, capsys):
    code, out, _ = run_cli(capsys, "selftest", "--only", "printer", "--json", "--config",
                           str(write_config(tmp_path, printer_fault="paper_out")))
    assert code == 1
    assert [(r["name"], r["status"]) for r in json.loads(out)] == [("printer", "fail")]
    code, _, err = run_cli(capsys, "selftest", "--only", "toaster", "--config", str(write_config(tmp_path)))
    assert code == 2 and err.count("\n") == 1 and "toaster" in err


def test_selftest_fails_a_central_server_that_does_not_answer(tmp_path, capsys):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = write_config(tmp_path)
    cfg.write_text(cfg.read_text() + f'\n[central]\nurl = "http://127.0.0.1:{port}"\nconnect_timeout_s = 0.5\n')
    code, out, _ = run_cli(capsys, "selftest", "--only", "central", "--config", str(cfg))
    assert code == 1
    assert re.search(r"^central\s+FAIL\s.*unreachable", out, re.M), out


def _context_for(cfg_path: Path):
    from kiosk.app.context import AppContext
    from kiosk.config import load_config
    from kiosk.domain.clock import FixedClock

    return AppContext(load_config(cfg_path), clock=FixedClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC)))


def test_purge_export_and_forget_from_the_command_line(tmp_path, capsys, monkeypatch):
    cfg = write_config(tmp_path)
    ctx = _context_for(cfg)
    now = datetime.now(UTC)
    register_at(ctx, now - timedelta(days=60))
    recent = register_at(ctx, now - timedelta(days=1))
    ctx.close()

    code, out, _ = run_cli(capsys, "purge", "--config", str(cfg))
    assert code == 0 and "deleted 1 visits" in out

    code, out, _ = run_cli(capsys, "visits", "export", "--nik", NIK_A, "--config", str(cfg))
    record = json.loads(out)
    assert code == 0 and record["guest"]["name"] == NAME_A and [v["id"] for v in record["visits"]] == [recent.id]

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run_cli(capsys, "visits", "forget", "--nik", NIK_A, "--config", str(cfg))
    assert code == 2 and "--yes" in err  # never deletes without a confirmation
    code, out, _ = run_cli(capsys, "visits", "forget", "--nik", NIK_A, "--yes", "--config", str(cfg))
    assert code == 0 and "deleted 1 visits" in out

    code, _, err = run_cli(capsys, "visits", "export", "--nik", NIK_A, "--config", str(cfg))
    assert code == 2 and NIK_A not in err and err.count("\n") == 1

    code, out, _ = run_cli(capsys, "privacy", "log", "--config", str(cfg))
    assert [ln.split()[1] for ln in out.splitlines()] == ["forget", "export", "purge"]
    assert NIK_A not in out and NAME_A not in out


def test_pin_hash_reads_the_pin_from_stdin_and_prints_an_argon2_hash(capsys, monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr(sys, "stdin", io.StringIO("2468\n"))
    code, out, _ = run_cli(capsys, "staff", "pin-hash")
    assert code == 0 and out.startswith("$argon2id$")
    assert PasswordHasher().verify(out.strip(), "2468")
    monkeypatch.setattr(sys, "stdin", io.StringIO("12a\n"))
    code, _, err = run_cli(capsys, "staff", "pin-hash")
    assert code == 2 and "4 to 12 digits" in err
