"""The service-standard report: each visit's times against the seeds' standards; complaints in working hours."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

from PIL import Image

from kiosk.domain.sla import CAPTURE_STARTED
from kiosk.domain.visit import VisitEvent
from kiosk.domain.visit import VisitState as S
from tests.fixtures_survey import make_ctx, register_visit, walk, wita


def capture_started(ctx, visit_id, minutes_before):
    ev = VisitEvent(visit_id, "step", ctx.clock.now() - timedelta(minutes=minutes_before), "guest", "lobby-1",
                    data={"step": CAPTURE_STARTED})  # fmt: skip
    with ctx.db.transaction() as conn:
        ctx.visits.append_event(conn, ev, outbox=False)


def test_report_measures_each_visit_and_sums_them_against_the_standards(tmp_path):
    ctx = make_ctx(tmp_path, wita(2026, 11, 23, 9, 0))
    quick = register_visit(ctx)
    capture_started(ctx, quick.id, 2)
    walk(ctx, quick.id, (1, S.WAITING_HOST), (5, S.ACCEPTED), (2, S.INSIDE), (30, S.CHECKED_OUT))
    slow = register_visit(ctx)
    capture_started(ctx, slow.id, 6)
    walk(ctx, slow.id, (1, S.WAITING_HOST), (40, S.DECLINED))
    rep = ctx.service_report.report(date(2026, 11, 23), date(2026, 11, 23))
    by_id = {r.visit_id: r.durations for r in rep.rows}
    assert by_id[quick.id].data_capture == timedelta(minutes=2)
    assert by_id[quick.id].waiting == timedelta(minutes=6)
    assert by_id[quick.id].whole_service == timedelta(minutes=10)
    assert by_id[slow.id].data_capture == timedelta(minutes=6)
    assert by_id[slow.id].whole_service == timedelta(minutes=47)
    summary = {s.key: s for s in rep.summary}
    assert (summary["data_capture"].measured, summary["data_capture"].within_limit) == (2, 1)
    assert (summary["whole_service"].within_target, summary["whole_service"].within_limit) == (1, 1)
    assert rep.complaints == 0


def test_complaint_answered_monday_for_a_friday_afternoon_report_meets_the_3_working_hours(tmp_path):
    ctx = make_ctx(tmp_path, wita(2026, 11, 20, 15, 0))  # Friday 15:00 WITA
    met = register_visit(ctx, purpose="complaint", host_id="kasi-intel")
    ctx.clock.set(wita(2026, 11, 23, 9, 30))  # Monday: 1 h Friday + 1.5 h Monday
    walk(ctx, met.id, (0, S.WAITING_HOST), (0, S.ACCEPTED))
    ctx.clock.set(wita(2026, 11, 26, 14, 0))  # Thursday; Friday 27 is cuti bersama from the config
    late = register_visit(ctx, purpose="complaint", host_id="kasi-intel")
    ctx.clock.set(wita(2026, 11, 30, 9, 5))  # Monday: 2 h Thursday + 1 h 5 min
    walk(ctx, late.id, (0, S.WAITING_HOST), (0, S.ACCEPTED))
    opened = register_visit(ctx, purpose="complaint", host_id="kasi-intel")
    rep = ctx.service_report.report(date(2026, 11, 20), date(2026, 11, 30))
    by_id = {r.visit_id: r.complaint for r in rep.rows}
    assert by_id[met.id].met is True and by_id[met.id].deadline == wita(2026, 11, 23, 10, 0)
    assert by_id[late.id].met is False and by_id[late.id].deadline == wita(2026, 11, 30, 9, 0)
    assert by_id[opened.id].met is None
    assert (rep.complaints, rep.complaints_met, rep.complaints_late, rep.complaints_open) == (3, 1, 1, 1)


def test_cli_report_service_in_every_format(tmp_path, capsys, artifacts):
    from kiosk.cli import main
    from tests.fixtures_survey import write_config

    ctx = make_ctx(tmp_path, wita(2026, 11, 23, 9, 0))
    v = register_visit(ctx, purpose="complaint", host_id="kasi-intel")
    walk(ctx, v.id, (1, S.WAITING_HOST), (20, S.ACCEPTED), (3, S.INSIDE))
    register_visit(ctx)
    ctx.close()
    args = ["report", "service", "--from", "2026-11-23", "--to", "2026-11-23", "--config", str(write_config(tmp_path))]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Pengaduan / complaints: 1; dijawab <= 3 jam kerja / answered within 3 working hours: 1" in out
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["visits"]) == 2 and data["complaints"]["met"] == 1
    assert {s["key"]: s["limit_min"] for s in data["standards"]} == {"data_capture": 3, "waiting": 30, "whole_service": 30}
    assert main([*args, "--format", "csv"]) == 0
    assert capsys.readouterr().out.count("\n") == 3
    png = artifacts / "service-report.png"
    assert main([*args, "--format", "png", "--output", str(png)]) == 0
    with Image.open(png) as im:
        assert im.size == (1200, 700)
        assert im.getpixel((500, 500)) == (46, 125, 50)  # the complaint bar: all within 3 working hours


def test_visits_of_other_days_are_not_in_the_report(tmp_path):
    ctx = make_ctx(tmp_path, wita(2026, 11, 23, 23, 30))
    register_visit(ctx)
    rep = ctx.service_report.report(date(2026, 11, 24), date(2026, 11, 24))
    assert rep.rows == ()
    assert replace(rep.summary[0]).measured == 0
