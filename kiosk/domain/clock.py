"""Time as the domain sees it: aware datetimes, and a clock that tests can set."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to; for tests and benchmarks."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at

    def advance(self, **kwargs: float) -> datetime:
        self._at = self._at + timedelta(**kwargs)
        return self._at


def to_iso(dt: datetime) -> str:
    """Stored form: always UTC, so that stored times compare correctly as text (SQL ranges, ORDER BY)."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime")
    return dt.astimezone(UTC).isoformat(timespec="milliseconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)
