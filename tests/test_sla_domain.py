"""Working hours 08:00-16:00 Mon-Fri without national holidays and cuti bersama; the seeds' standard times."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.sla import (
    CAPTURE_STARTED,
    STANDARDS,
    WorkingCalendar,
    complaint_answer,
    measure_visit,
    parse_hours,
    within,
)
from kiosk.domain.visit import VisitEvent, VisitState

WIB = ZoneInfo("Asia/Jakarta")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=WIB)


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar(tz=WIB, collective_leave=["2026-11-27"])


def test_weekends_national_holidays_and_cuti_bersama_are_not_working_days(cal):
    assert cal.is_working_day(date(2026, 11, 23))  # Monday
    assert not cal.is_working_day(date(2026, 11, 21))  # Saturday
    assert not cal.is_working_day(date(2026, 8, 17))  # Independence Day (Monday)
    assert not cal.is_working_day(date(2026, 12, 24))  # cuti bersama for Christmas, from the holidays package
    assert not cal.is_working_day(date(2026, 11, 27))  # collective leave from the config override
    assert cal.holiday_name(date(2026, 11, 27)).startswith("Cuti bersama")


def test_complaint_on_friday_afternoon_is_due_on_monday_morning(cal):
    result = complaint_answer(cal, at(2026, 11, 20, 15, 0), at(2026, 11, 23, 9, 30))
    assert result.deadline == at(2026, 11, 23, 10, 0)
    assert result.working_time_used == timedelta(hours=2, minutes=30)
    assert result.met is True


def test_complaint_before_christmas_leave_skips_cuti_bersama_christmas_and_the_weekend(cal):
    result = complaint_answer(cal, at(2026, 12, 23, 15, 0), at(2026, 12, 28, 10, 1))
    assert result.deadline == at(2026, 12, 28, 10, 0)
    assert result.met is False


def test_complaint_received_at_night_counts_from_the_next_working_morning(cal):
    result = complaint_answer(cal, at(2026, 11, 23, 20, 0), None, now=at(2026, 11, 24, 10, 0))
    assert result.deadline == at(2026, 11, 24, 11, 0)
    assert result.met is None  # not answered yet, still in time
    late = complaint_answer(cal, at(2026, 11, 23, 20, 0), None, now=at(2026, 11, 24, 11, 1))
    assert late.met is False


def test_working_hours_come_from_the_office_config():
    assert parse_hours("07:30-15:30") == (time(7, 30), time(15, 30))
    c = WorkingCalendar(start=time(7, 30), end=time(15, 30), tz=WIB)
    assert c.working_time_between(at(2026, 11, 23, 0, 0), at(2026, 11, 24, 0, 0)) == timedelta(hours=8)


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=WIB)
)


@given(moments, st.integers(0, 60 * 40))
def test_the_deadline_is_exactly_the_requested_working_time_away(start, minutes):
    c = WorkingCalendar(tz=WIB)
    amount = timedelta(minutes=minutes)
    deadline = c.add_working_time(start, amount)
    assert deadline >= start
    assert c.working_time_between(start, deadline) == amount


@given(moments, moments, moments)
def test_working_time_adds_up_over_consecutive_stretches(a, b, c_):
    a, b, c_ = sorted((a, b, c_))
    c = WorkingCalendar(tz=WIB)
    assert c.working_time_between(a, b) + c.working_time_between(b, c_) == c.working_time_between(a, c_)
    assert c.working_time_between(a, c_) <= c_ - a


def ev(kind, minute, to_state=None, **data):
    return VisitEvent("v1", kind, at(2026, 11, 23, 9, minute), "t", "lobby-1", to_state=to_state, data=data)


def test_a_visit_is_measured_against_the_seeds_standard_times():
    events = [
        ev("step", 0, step=CAPTURE_STARTED),
        ev("transition", 2, VisitState.REGISTERED),
        ev("transition", 3, VisitState.WAITING_HOST),
        ev("transition", 40, VisitState.ACCEPTED),
        ev("transition", 45, VisitState.INSIDE),
    ]
    d = measure_visit(events)
    assert d.data_capture == timedelta(minutes=2)
    assert d.waiting == timedelta(minutes=38)
    assert d.whole_service == timedelta(minutes=45)
    assert within(STANDARDS["data_capture"], d.data_capture) is True
    assert within(STANDARDS["waiting"], d.waiting) is False
    assert within(STANDARDS["whole_service"], d.whole_service) is False


def test_a_visit_without_a_capture_event_has_no_data_capture_time_rather_than_a_made_up_one():
    d = measure_visit([ev("transition", 2, VisitState.REGISTERED), ev("transition", 9, VisitState.DECLINED)])
    assert d.data_capture is None
    assert d.whole_service == timedelta(minutes=7)
    assert within(STANDARDS["data_capture"], d.data_capture) is None
