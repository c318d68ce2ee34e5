"""The service-standard report: each visit's data capture, waiting and whole service against the seeds' times,
and for complaints whether the answer came within 3 working hours."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from kiosk.app.survey import period_bounds
from kiosk.domain.sla import (
    SERVICE_STANDARDS,
    ComplaintAnswer,
    StretchSummary,
    VisitDurations,
    WorkingCalendar,
    complaint_answer,
    measure_visit,
    summarise_stretch,
    within,
)

if TYPE_CHECKING:
    from kiosk.config import Config
    from kiosk.domain.clock import Clock
    from kiosk.store.visits import VisitRepository


@dataclass(frozen=True)
class VisitServiceRow:
    visit_id: str
    created_at: datetime
    purpose: str
    host_name: str
    state: str
    durations: VisitDurations
    complaint: ComplaintAnswer | None  # only for purposes routed to the Head of Intelligence


@dataclass(frozen=True)
class ServiceReport:
    start: date
    end: date
    rows: tuple[VisitServiceRow, ...]
    summary: tuple[StretchSummary, ...]
    complaints: int
    complaints_met: int
    complaints_late: int
    complaints_open: int
    working_hours: str = "08:00-16:00"


class ServiceReportService:
    def __init__(self, *, config: Config, clock: Clock, visits: VisitRepository) -> None:
        self.config, self.clock, self.visits = config, clock, visits

    @property
    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar.from_office(self.config.office)

    def report(self, start: date, end: date) -> ServiceReport:
        cfg = self.config
        lo, hi = period_bounds(cfg.office.timezone, start, end)
        intel_purposes = {p.id for p in cfg.purposes if p.routes_to_intel}
        cal = self.calendar
        now = self.clock.now()
        rows = []
        for visit in self.visits.list_between(lo, hi):
            d = measure_visit(self.visits.events(visit.id))
            complaint = None
            if visit.purpose in intel_purposes:
                received = d.registered_at or visit.created_at
                complaint = complaint_answer(cal, received, d.host_answer_at, now=now)
            rows.append(
                VisitServiceRow(visit.id, visit.created_at, visit.purpose, visit.host_name, visit.state.value, d, complaint)
            )
        summary = tuple(
            summarise_stretch(s.key, [v for r in rows if (v := r.durations.get(s.key)) is not None]) for s in SERVICE_STANDARDS
        )
        complaints = [r.complaint for r in rows if r.complaint]
        return ServiceReport(
            start,
            end,
            tuple(rows),
            summary,
            complaints=len(complaints),
            complaints_met=sum(1 for c in complaints if c.met is True),
            complaints_late=sum(1 for c in complaints if c.met is False),
            complaints_open=sum(1 for c in complaints if c.met is None),
            working_hours=cfg.office.working_hours,
        )


def met_flag(key: str, measured: timedelta | None) -> bool | None:
    return within(next(s for s in SERVICE_STANDARDS if s.key == key), measured)
