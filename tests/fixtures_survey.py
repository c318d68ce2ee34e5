"""Helpers for the survey, service-report and gate tests: a config in a temp dir, an app context, visits."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.app.context import AppContext
from kiosk.app.registration import GuestIdentity
from kiosk.config import parse_config
from kiosk.domain.clock import FixedClock
from kiosk.domain.visit import VisitState

WITA = ZoneInfo("Asia/Makassar")
CONFIG_TOML = """
[office]
code = "KEJARI-KLK"
timezone = "Asia/Makassar"
collective_leave = ["2026-11-27"]

[kiosk]
device_id = "{device}"
data_dir = "{data}"

[privacy]
key_file = "{keys}/data.key"

[[hosts]]
id = "kasi-intel"
name = "Ni Luh Putu Ayu, S.H."
section = "Intelijen"

[[hosts]]
id = "kasi-pidum"
name = "I Gede Wirawan, S.H."

[notifier]
intel_head_host_id = "kasi-intel"
"""


class UtcClock(FixedClock):
    """A fixed clock that, like the system clock, always answers in UTC (stored times are compared as text)."""

    def now(self) -> datetime:
        return super().now().astimezone(UTC)


def wita(*args) -> datetime:
    return datetime(*args, tzinfo=WITA)


def write_config(tmp_path: Path, device: str = "survey-1", data: str | None = None, extra: str = "") -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"{device}.toml"
    text = CONFIG_TOML.format(device=device, data=data or str(tmp_path / "data"), keys=tmp_path / "keys")
    path.write_text(text + extra, encoding="utf-8")
    return path


def make_ctx(tmp_path: Path, at: datetime, device: str = "survey-1", **kw) -> AppContext:
    import tomllib

    path = write_config(tmp_path, device, **kw)
    cfg = parse_config(tomllib.loads(path.read_text()), base_dir=tmp_path)
    return AppContext(cfg, clock=UtcClock(at))


def register_visit(ctx: AppContext, *, purpose: str = "meet_employee", host_id: str = "kasi-pidum", name: str = "Budi Santoso"):
    host = ctx.hosts.get(host_id)
    return ctx.registration.register(
        GuestIdentity(nik=f"51050141019{sum(map(ord, name)) % 100000:05d}", name=name),  # one guest per name
        purpose=purpose,
        host_id=host_id,
        host_name=host.name if host else host_id,
        consent=True,
    )


def walk(ctx: AppContext, visit_id: str, *steps: tuple[int, VisitState]):
    """Advance the clock by minutes and move the visit, step by step."""
    visit = None
    for minutes, state in steps:
        ctx.clock.advance(minutes=minutes)
        visit = ctx.registration.transition(visit_id, state, actor="test")
    return visit
