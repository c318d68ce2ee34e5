"""Shared helpers for the locker tests: a kiosk context on a temp dir whose lockers run on the pty emulator."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.app.context import AppContext
from kiosk.app.registration import GuestIdentity
from kiosk.config import parse_config
from kiosk.domain.clock import FixedClock

T0 = datetime(2026, 11, 16, 1, 30, tzinfo=UTC)  # 09:30 WITA, a Monday


def locker_config_data(tmp_path: Path, **lockers: Any) -> dict[str, Any]:
    section = {
        "kind": "simulated",
        "boards": [{"address": 0, "doors": 4}, {"address": 1, "doors": 4}],
        "timeout_s": 0.05,
        "retries": 2,
        "confirm_timeout_s": 0.0,
    }
    section.update(lockers)
    return {
        "kiosk": {"data_dir": str(tmp_path / "data")},
        "privacy": {"key_file": str(tmp_path / "keys" / "data.key")},
        "devices": {"lockers": section},
        "hosts": [{"id": "ptsp", "name": "Petugas PTSP"}],
    }


def make_ctx(tmp_path: Path, **lockers: Any) -> AppContext:
    cfg = parse_config(locker_config_data(tmp_path, **lockers), base_dir=tmp_path)
    return AppContext(cfg, clock=FixedClock(T0))


def register_guest(ctx: AppContext, n: int = 1):
    identity = GuestIdentity(nik=f"51050141019{n:05d}", name=f"Tamu {n}", phone="081200000000")
    return ctx.registration.register(identity, purpose="ptsp_service", host_id="ptsp", host_name="Petugas PTSP", consent=True)


def write_config(tmp_path: Path, **lockers: Any) -> Path:
    """The same config as a TOML file, for CLI tests."""
    data = locker_config_data(tmp_path, **lockers)
    sec = data["devices"]["lockers"]
    boards = ", ".join(f"{{ address = {b['address']}, doors = {b['doors']} }}" for b in sec["boards"])
    lines = [
        "[kiosk]",
        f'data_dir = "{data["kiosk"]["data_dir"]}"',
        "[privacy]",
        f'key_file = "{data["privacy"]["key_file"]}"',
        "[devices.lockers]",
        f'kind = "{sec["kind"]}"',
        f"boards = [{boards}]",
        f"timeout_s = {sec['timeout_s']}",
        f"retries = {sec['retries']}",
        f"confirm_timeout_s = {sec['confirm_timeout_s']}",
    ]
    for key in ("simulate_fault", "out_of_service"):
        if key in sec:
            lines.append(f"{key} = {sec[key]!r}".replace("'", '"'))
    path = tmp_path / "kiosk.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
