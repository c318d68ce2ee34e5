"""`kiosk selftest`: a registry of checks, one per peripheral or service, run in order and shown as a table.

A device module contributes its check with `@selftest_check("name")` (see kiosk/app/selftest_checks.py for
the built-in ones); a check returns one `CheckResult` or several (one per locker board, for example). A check
that raises is a failed check, never a crashed self-test.
"""
from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from kiosk.domain.errors import KioskError
from kiosk.domain.masking import scrub_text

if TYPE_CHECKING:
    from kiosk.app.lockers import LockerService
    from kiosk.config import Config
    from kiosk.sync.service import SyncService

Status = Literal["ok", "fail", "skip"]

# Modules whose import registers checks.
CHECK_MODULES = ("kiosk.app.selftest_checks",)


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: Status
    detail: str = ""
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status == "fail"


@dataclass(frozen=True)
class SelfTest:
    """What the checks look at: the config, and the services that own a long-lived device connection."""

    config: Config
    lockers: LockerService
    sync: SyncService

    def run(self, only: Iterable[str] | None = None) -> list[CheckResult]:
        return run_checks(self, only)


Check = Callable[[SelfTest], "CheckResult | Iterable[CheckResult]"]
_REGISTRY: dict[str, tuple[int, Check]] = {}


def selftest_check(name: str, order: int = 100) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        _REGISTRY[name] = (order, fn)
        return fn

    return register


def ok(name: str, detail: str = "") -> CheckResult:
    return CheckResult(name, "ok", detail)


def fail(name: str, detail: str) -> CheckResult:
    return CheckResult(name, "fail", detail)


def skip(name: str, detail: str) -> CheckResult:
    return CheckResult(name, "skip", detail)


def _load() -> None:
    for module in CHECK_MODULES:
        importlib.import_module(module)


def registered() -> list[str]:
    _load()
    return [name for name, _ in sorted(_REGISTRY.items(), key=lambda kv: (kv[1][0], kv[0]))]


def run_checks(subjects: SelfTest, only: Iterable[str] | None = None) -> list[CheckResult]:
    wanted = set(only) if only else None
    results: list[CheckResult] = []
    for name in registered():
        if wanted is not None and name not in wanted:
            continue
        _order, fn = _REGISTRY[name]
        started = time.perf_counter()
        try:
            out = fn(subjects)
            items = [out] if isinstance(out, CheckResult) else list(out)
        except KioskError as exc:
            items = [fail(name, exc.text_en)]
        except Exception as exc:  # a broken driver must show up as a failed line, not a traceback
            items = [fail(name, f"{type(exc).__name__}: {exc}")]
        elapsed = time.perf_counter() - started
        for item in items:
            results.append(CheckResult(item.name, item.status, scrub_text(item.detail), item.seconds or elapsed))
    return results


def format_table(results: list[CheckResult]) -> str:
    header = ("check", "result", "time", "detail")
    rows = [(r.name, r.status.upper(), f"{r.seconds * 1000:.0f} ms", r.detail) for r in results]
    widths = [max(len(header[i]), *(len(row[i]) for row in rows)) if rows else len(header[i]) for i in range(3)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header[:3], widths, strict=True)) + "  " + header[3]]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row[:3], widths, strict=True)) + "  " + row[3])
    failed = sum(r.failed for r in results)
    lines.append(f"{len(results)} checks, {failed} failed" if failed else f"{len(results)} checks, all passed")
    return "\n".join(lines)
