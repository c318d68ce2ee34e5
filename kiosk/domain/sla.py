"""Working-time arithmetic and the seeds' service standards: complaint answer time, data capture, waiting, service.

Working time is office hours (08:00-16:00 by default) on Monday-Friday, minus national holidays and
cuti bersama (collective leave, decreed each year and revised mid-year; hence the config override list).
The `holidays` package is pure Python; with categories ("public", "government") it includes cuti bersama,
its default (public only) would leave those days out.
"""
from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from kiosk.domain.visit import VisitEvent, VisitState

COMPLAINT_ANSWER_HOURS = 3  # seed 004: answered within 3 working hours


def parse_hours(text: str) -> tuple[time, time]:
    """'08:00-16:00' -> (08:00, 16:00)."""
    start, _, end = text.partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


class WorkingCalendar:
    """Which moments are working time in one office, and how much of it lies between two moments."""

    def __init__(
        self,
        *,
        start: time = time(8),
        end: time = time(16),
        tz: str | ZoneInfo = "Asia/Jakarta",
        collective_leave: Iterable[date | str] = (),
        country: str = "ID",
    ) -> None:
        if start >= end:
            raise ValueError("working hours must start before they end")
        self.start, self.end = start, end
        self.tz = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        self.extra_days = frozenset(d if isinstance(d, date) else date.fromisoformat(d) for d in collective_leave)
        self._holidays = holidays_lib.country_holidays(country, categories=("public", "government"))

    @classmethod
    def from_office(cls, office) -> WorkingCalendar:
        """From `config.office` (working_hours, timezone, collective_leave)."""
        start, end = parse_hours(office.working_hours)
        return cls(start=start, end=end, tz=office.timezone, collective_leave=office.collective_leave)

    def holiday_name(self, day: date) -> str | None:
        if day in self.extra_days:
            return "Cuti bersama (config)"
        return self._holidays.get(day)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday_name(day) is None

    def _window(self, day: date) -> tuple[datetime, datetime]:
        return datetime.combine(day, self.start, self.tz), datetime.combine(day, self.end, self.tz)

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time in [a, b); zero when b <= a."""
        if b <= a:
            return timedelta(0)
        a, b = a.astimezone(self.tz), b.astimezone(self.tz)
        total = timedelta(0)
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                lo, hi = self._window(day)
                overlap = min(hi, b) - max(lo, a)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total

    def add_working_time(self, at: datetime, amount: timedelta) -> datetime:
        """The moment when `amount` of working time has passed since `at` (a deadline)."""
        if amount < timedelta(0):
            raise ValueError("amount must not be negative")
        cur = at.astimezone(self.tz)
        left = amount
        for _ in range(3660):  # ten years of days; a calendar with no working day at all is a config error
            day = cur.date()
            if self.is_working_day(day):
                lo, hi = self._window(day)
                begin = max(cur, lo)
                if begin < hi:
                    if begin + left <= hi:
                        return begin + left
                    left -= hi - begin
            cur = datetime.combine(day + timedelta(days=1), time.min, self.tz)
        raise ValueError("no working time found within ten years")


@dataclass(frozen=True)
class ComplaintAnswer:
    received_at: datetime
    deadline: datetime
    answered_at: datetime | None
    working_time_used: timedelta | None
    met: bool | None  # None: not answered and the deadline not yet passed


def complaint_answer(
    calendar: WorkingCalendar,
    received_at: datetime,
    answered_at: datetime | None,
    *,
    now: datetime | None = None,
    hours: float = COMPLAINT_ANSWER_HOURS,
) -> ComplaintAnswer:
    """Was the complaint answered within `hours` of working time? A complaint that arrives after hours
    starts counting at the next working morning, which is what the deadline of seed 004 means."""
    deadline = calendar.add_working_time(received_at, timedelta(hours=hours))
    if answered_at is not None:
        used = calendar.working_time_between(received_at, answered_at)
        return ComplaintAnswer(received_at, deadline, answered_at, used, answered_at <= deadline)
    late = now is not None and now > deadline
    return ComplaintAnswer(received_at, deadline, None, None, False if late else None)


# --- the seeds' standard times --------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceStandard:
    """A measured stretch of the guest service and its standard: `target` is the best seed's time,
    `limit` the longest time any seed allows."""

    key: str
    label_id: str
    label_en: str
    target: timedelta
    limit: timedelta
    source: str


SERVICE_STANDARDS: tuple[ServiceStandard, ...] = (
    ServiceStandard(
        "data_capture", "Pengambilan data", "Data capture",
        timedelta(minutes=3), timedelta(minutes=3), "Kejari Alor: 3 menit ambil data",
    ),
    ServiceStandard(
        "waiting", "Menunggu", "Waiting",
        timedelta(minutes=15), timedelta(minutes=30), "Kejari Alor: 15-30 menit menunggu",
    ),
    ServiceStandard(
        "whole_service", "Seluruh layanan", "Whole service",
        timedelta(minutes=10), timedelta(minutes=30), "Kejari Kapuas/Klungkung: 10 menit; Kejari Alor: 30 menit",
    ),
)  # fmt: skip
STANDARDS = {s.key: s for s in SERVICE_STANDARDS}

# The step event a registration screen records when a guest starts entering data.
CAPTURE_STARTED = "capture_started"
_HOST_ANSWER = (VisitState.ACCEPTED, VisitState.DECLINED)
_SERVICE_END = (VisitState.INSIDE, VisitState.DECLINED, VisitState.CHECKED_OUT, VisitState.CANCELLED)


@dataclass(frozen=True)
class VisitDurations:
    """Measured stretches of one visit; None where the events needed are missing."""

    data_capture: timedelta | None
    waiting: timedelta | None
    whole_service: timedelta | None
    registered_at: datetime | None
    host_answer_at: datetime | None

    def get(self, key: str) -> timedelta | None:
        return getattr(self, key)


def _first(events: Sequence[VisitEvent], states: Sequence[VisitState]) -> datetime | None:
    times = [e.at for e in events if e.kind == "transition" and e.to_state in states]
    return min(times) if times else None


def measure_visit(events: Sequence[VisitEvent], registered_at: datetime | None = None) -> VisitDurations:
    """Data capture: capture start -> registered. Waiting: registered -> host's answer (accepted/declined).
    Whole service: capture start (else registered) -> the guest goes in, is told no, leaves or cancels.
    `registered_at` stands in when no event records the registration (a visit pushed already registered)."""
    registered = _first(events, (VisitState.REGISTERED,)) or registered_at
    starts = [e.at for e in events if e.kind == "step" and e.data.get("step") == CAPTURE_STARTED]
    started = min(starts) if starts else None
    answer = _first(events, _HOST_ANSWER)
    end = _first(events, _SERVICE_END)
    begin = started or registered
    return VisitDurations(
        data_capture=registered - started if started and registered else None,
        waiting=answer - registered if answer and registered else None,
        whole_service=end - begin if end and begin else None,
        registered_at=registered,
        host_answer_at=answer,
    )


def within(standard: ServiceStandard, measured: timedelta | None) -> bool | None:
    return None if measured is None else measured <= standard.limit


@dataclass(frozen=True)
class StretchSummary:
    """One standard over many visits: how many were measured, within the limit and the target, and the times."""

    key: str
    measured: int
    within_limit: int
    within_target: int
    mean: timedelta | None
    median: timedelta | None
    longest: timedelta | None

    @property
    def share_within_limit(self) -> float | None:
        return self.within_limit / self.measured if self.measured else None


def summarise_stretch(key: str, values: Sequence[timedelta]) -> StretchSummary:
    """The kiosk's service report and the central desk's report summarise a stretch the same way."""
    std = STANDARDS[key]
    if not values:
        return StretchSummary(key, 0, 0, 0, None, None, None)
    secs = [v.total_seconds() for v in values]
    return StretchSummary(
        key,
        len(values),
        sum(1 for v in values if v <= std.limit),
        sum(1 for v in values if v <= std.target),
        timedelta(seconds=round(statistics.fmean(secs))),
        timedelta(seconds=round(statistics.median(secs))),
        max(values),
    )
