"""The central service as an IT team installs it: its systemd units take settings from files and the
environment, never a token on the command line, and run migrations and the retention purge."""
from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _unit(name: str) -> configparser.ConfigParser:
    cp = configparser.ConfigParser(strict=False, interpolation=None)
    cp.optionxform = str
    cp.read(ROOT / "systemd" / name)
    return cp


def test_the_central_unit_serves_with_workers_migrates_first_and_keeps_secrets_off_the_command_line():
    text = (ROOT / "systemd" / "kiosk-central.service").read_text()
    u = _unit("kiosk-central.service")
    assert "central serve" in u["Service"]["ExecStart"] and "--workers" in u["Service"]["ExecStart"]
    assert "central migrate" in u["Service"]["ExecStartPre"]
    assert u["Service"]["EnvironmentFile"] == "/etc/kiosk/central.env" and u["Service"]["User"] == "kiosk-central"
    assert "--token" not in text and "--db" not in text and "LoadCredential=wa_app_secret" in text


def test_the_central_purge_runs_nightly():
    timer = _unit("kiosk-central-purge.timer")
    assert timer["Timer"]["Unit"] == "kiosk-central-purge.service" and timer["Timer"]["Persistent"] == "true"
    assert "central purge" in _unit("kiosk-central-purge.service")["Service"]["ExecStart"]


def test_the_example_environment_names_settings_the_service_reads():
    from kiosk.central.settings import CentralSettings

    env = dict(line.split("=", 1) for line in (ROOT / "systemd" / "kiosk-central.env").read_text().splitlines()
               if line and not line.startswith("#"))
    s = CentralSettings.from_env(env)
    assert s.db_url.startswith("postgresql://") and s.retention_days == 30 and s.public_url.startswith("https://")


def test_the_central_package_shares_only_the_domain_with_the_kiosk():
    import ast

    allowed = ("kiosk.central", "kiosk.domain", "kiosk.logs")
    for path in (ROOT / "kiosk" / "central").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                if name == "kiosk" or name.startswith("kiosk."):
                    assert name.startswith(allowed), f"{path.relative_to(ROOT)} imports {name}"
