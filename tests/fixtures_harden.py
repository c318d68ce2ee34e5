"""Helpers for the hardening tests: a config file whose every path is in the test's folder, and the CLI in-process."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_config(tmp_path: Path, *, office_extra: str = "", privacy_extra: str = "", tail: str = "") -> Path:
    """config/simulate.toml with data, keys (and optionally a log file) inside `tmp_path`."""
    text = (ROOT / "config" / "simulate.toml").read_text(encoding="utf-8")
    text = text.replace('data_dir = "var/data"', f'data_dir = "{tmp_path / "data"}"')
    text = text.replace(
        'key_file = "var/keys/data.key"',
        f'key_file = "{tmp_path / "keys" / "data.key"}"\n'
        f'signing_key_file = "{tmp_path / "keys" / "pass_signing.key"}"\n'
        f'verify_keys_dir = "{tmp_path / "keys" / "verify"}"\n{privacy_extra}',
    )
    if office_extra:
        text = text.replace('timezone = "Asia/Makassar"\n', office_extra + "\n")
    path = tmp_path / "kiosk.toml"
    path.write_text(text + tail, encoding="utf-8")
    return path


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    from kiosk.cli import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_exit_2(code: int, err: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
