"""The config file: validated at start, one clear line naming the bad key, every key documented."""
from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from kiosk.config import Config, ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_configs_are_valid():
    demo = load_config(ROOT / "config" / "simulate.toml")
    assert demo.devices.printer.kind == "simulated"
    assert demo.office.code == "KEJARI-KLK"
    example = load_config(ROOT / "config" / "kiosk.example.toml")
    assert example.kiosk.role == "guest"


def _all_keys(cls: type, prefix: str = "") -> list[str]:
    keys = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if f.metadata.get("internal"):
            continue
        tp = hints[f.name]
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(tp):
            keys += _all_keys(tp, f"{key}.")
        elif typing.get_origin(tp) is list and dataclasses.is_dataclass(typing.get_args(tp)[0]):
            keys += _all_keys(typing.get_args(tp)[0], f"{key}[].")
        else:
            keys.append(key)
    return keys


def test_every_config_key_is_documented_in_the_example_file():
    text = (ROOT / "config" / "kiosk.example.toml").read_text(encoding="utf-8")
    undocumented = []
    for key in _all_keys(Config):
        name = key.rsplit(".", 1)[-1]
        if key.startswith("devices.backup_printer."):
            continue  # documented as "same keys as [devices.printer]"
        if not re.search(rf"(^|[\s{{,]){re.escape(name)}\s*=", text, re.M):
            undocumented.append(key)
    assert undocumented == []


@pytest.mark.parametrize(
    "data,key",
    [
        ({"kiosk": {"role": "janitor"}}, "kiosk.role"),
        ({"devices": {"printer": {"paper_width_mm": 70}}}, "devices.printer.paper_width_mm"),
        ({"devices": {"printer": {"pass_layout": "card"}}}, "devices.printer.pass_layout"),
        ({"devices": {"backup_printer": {"pass_layout": 1}}}, "devices.backup_printer.pass_layout"),
        ({"devices": {"lockers": {"boards": [{"address": 0, "doors": 17}]}}}, "devices.lockers.boards[0].doors"),
        ({"central": {"url": "ftp://x"}}, "central.url"),
        ({"office": {"code": "kejari lower"}}, "office.code"),
        ({"ui": {"idle_timeout_s": "90"}}, "ui.idle_timeout_s"),
        ({"ui": {"fullscren": True}}, "ui.fullscren"),
        ({"hosts": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]}, "hosts[1].id"),
        ({"hosts": [{"name": "No id"}]}, "hosts[0].id"),
        ({"notifier": {"intel_head_host_id": "nobody"}}, "notifier.intel_head_host_id"),
        ({"devices": {"lockers": {"out_of_service": [99]}}}, "devices.lockers.out_of_service[0]"),
        ({"privacy": {"retention_days": 0}}, "privacy.retention_days"),
    ],
)
def test_a_bad_value_names_its_key(data, key):
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    assert err.value.key == key
    assert key in err.value.message()
    assert "\n" not in err.value.message()


def test_config_check_on_a_broken_file_prints_one_line_and_exits_2(tmp_path):
    bad = tmp_path / "kiosk.toml"
    bad.write_text('[devices.printer]\nkind = "laser"\n')
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk", "config", "check", "--config", str(bad)],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "devices.printer.kind" in lines[0] and "'laser'" in lines[0] and "'usb'" in lines[0]
    assert "Traceback" not in proc.stderr


def test_config_check_reports_toml_syntax_errors_in_one_line(tmp_path):
    bad = tmp_path / "kiosk.toml"
    bad.write_text("[office\nname = 1\n")
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk", "config", "check", "--config", str(bad)],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "valid TOML" in proc.stderr


def test_a_missing_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "nope.toml")
    assert "kiosk.example.toml" in err.value.message()


def test_relative_paths_resolve_against_the_project_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = load_config(ROOT / "config" / "simulate.toml")
    assert cfg.data_dir == ROOT / "var" / "data"
