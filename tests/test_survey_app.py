"""The survey desk: recording answers, importing paper forms all-or-nothing, and the IKM report in every format."""
from __future__ import annotations

import json
from datetime import date
from fractions import Fraction

import pytest
from PIL import Image

from kiosk.app.survey import InvalidProfile, SurveyImportFailed, age_group_for
from kiosk.cli import main
from kiosk.domain.errors import NotFound
from tests.fixtures_survey import make_ctx, register_visit, wita, write_config

HEADER = "u1,u2,u3,u4,u5,u6,u7,u8,u9,umur,jenis_kelamin,pendidikan,pekerjaan,saran,tanggal\n"


@pytest.fixture
def ctx(tmp_path):
    c = make_ctx(tmp_path, wita(2026, 11, 23, 10, 0))
    yield c
    c.close()


def test_answers_given_at_the_desk_are_linked_to_the_visit_or_anonymous(ctx):
    visit = register_visit(ctx)
    linked = ctx.surveys.record((4, 4, 3, 4, 3, 4, 4, 3, 4), visit_id=visit.id, sex="P", age_group="30-39")
    anonymous = ctx.surveys.record({f"u{i}": 3 for i in range(1, 10)}, comment="  Pelayanan ramah ")
    assert ctx.surveys.repo.for_visit(visit.id)[0].id == linked.id
    assert anonymous.visit_id is None and anonymous.comment == "Pelayanan ramah"
    assert ctx.surveys.repo.count() == 2


def test_a_profile_answer_outside_the_offices_options_is_refused(ctx):
    with pytest.raises(InvalidProfile):
        ctx.surveys.record((4,) * 9, education="Sekolah Dasar")
    with pytest.raises(NotFound):
        ctx.surveys.record((4,) * 9, visit_id="no-such-visit")
    assert ctx.surveys.repo.count() == 0


def test_paper_forms_import_with_profile_columns_and_an_age_in_years(ctx, tmp_path):
    f = tmp_path / "forms.csv"
    f.write_text(HEADER + "4,4,4,4,4,4,4,4,4,34,L,SMA,PNS,bagus,2026-11-20\n3,3,3,4,3,3,3,3,3,,,,,,\n", encoding="utf-8")
    assert ctx.surveys.import_csv(f) == 2
    stored = ctx.surveys.repo.list_between(wita(2026, 11, 1), wita(2026, 12, 1))
    assert [r.age_group for r in stored] == ["30-39", ""]
    assert stored[0].source == "paper" and stored[0].created_at.date() == date(2026, 11, 20)


def test_every_answer_recorded_or_imported_is_queued_for_the_central_server_by_id_only(ctx, tmp_path):
    visit = register_visit(ctx)
    kiosk = ctx.surveys.record((4, 4, 3, 4, 3, 4, 4, 3, 4), visit_id=visit.id, comment="Pak Made ramah")
    f = tmp_path / "forms.csv"
    f.write_text(HEADER + "4,4,4,4,4,4,4,4,4,34,L,SMA,PNS,bagus,2026-11-20\n", encoding="utf-8")
    ctx.surveys.import_csv(f)
    queued = [m for m in ctx.visits.outbox.by_status("pending", 1000) if m.topic == "survey.response"]
    assert len(queued) == 2 and queued[0].payload == {"response_id": kiosk.id}
    assert all(set(m.payload) == {"response_id"} for m in queued)  # the answers and comment are read when sent
    paper = ctx.surveys.repo.get(queued[1].payload["response_id"])
    assert paper.source == "paper" and paper.answers == (4,) * 9


def test_answers_recorded_before_the_push_existed_are_queued_once_by_the_store_migration(ctx):
    from kiosk.domain.survey import SurveyResponse

    old = SurveyResponse((3,) * 9, created_at=wita(2026, 11, 1, 9, 0), device_id="survey-1")
    with ctx.db.transaction() as conn:  # as an older version stored it: no outbox message
        ctx.surveys.repo.insert(conn, old)
        conn.execute("DELETE FROM schema_migrations WHERE name = '0103_survey_push_backfill'")
    assert ctx.db.migrate() == ["0103_survey_push_backfill"]
    queued = [m for m in ctx.visits.outbox.by_status("pending", 1000) if m.topic == "survey.response"]
    assert [m.payload for m in queued] == [{"response_id": old.id}] and queued[0].idempotency_key == f"survey:{old.id}"
    with ctx.db.transaction() as conn:
        conn.execute("DELETE FROM schema_migrations WHERE name = '0103_survey_push_backfill'")
    ctx.db.migrate()  # run again: the same key is not queued twice
    assert len([m for m in ctx.visits.outbox.by_status("pending", 1000) if m.topic == "survey.response"]) == 1


def test_one_bad_row_stops_the_import_and_every_bad_row_is_named_by_its_line(ctx, tmp_path):
    f = tmp_path / "forms.csv"
    f.write_text(
        HEADER + "4,4,4,4,4,4,4,4,4,,,,,,\n4,4,5,4,4,4,4,4,4,,,,,,\n4,4,4,4,4,4,4,4,4,,,,,,\n4,4,4,4,,4,4,4,4,,X,,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(SurveyImportFailed) as err:
        ctx.surveys.import_csv(f)
    assert [line for line, _ in err.value.problems] == [3, 5]
    assert "u3" in err.value.problems[0][1]
    assert ctx.surveys.repo.count() == 0  # nothing half-imported


def test_semicolon_separated_spreadsheets_import_too(ctx, tmp_path):
    f = tmp_path / "forms.csv"
    f.write_text("U1;U2;U3;U4;U5;U6;U7;U8;U9\n4;3;4;4;3;4;4;3;4\n", encoding="utf-8-sig")
    assert ctx.surveys.import_csv(f) == 1


def test_age_in_years_maps_to_the_configured_groups():
    groups = ["<20", "20-29", "30-39", ">=60"]
    assert [age_group_for(a, groups) for a in (19, 20, 39, 45, 60)] == ["<20", "20-29", "30-39", None, ">=60"]


def test_report_gives_ikm_grade_and_respondents_against_the_required_sample(ctx):
    for _ in range(3):
        register_visit(ctx)
    ctx.surveys.record((3, 3, 3, 4, 3, 3, 3, 3, 3))
    ctx.surveys.record((3, 4, 3, 4, 3, 3, 3, 2, 3))
    rep = ctx.surveys.report(date(2026, 11, 23), date(2026, 11, 23))
    assert rep.result.ikm == Fraction(700, 9)
    assert str(rep.result.ikm_rounded) == "77.78" and rep.result.category.letter == "B"
    assert (rep.respondents, rep.population, rep.required_sample, rep.sample_met) == (2, 3, 3, False)
    assert str(rep.shortcut_ikm) == "77.00"
    assert ctx.surveys.report(date(2026, 11, 24), date(2026, 11, 30)).result is None


def test_cli_survey_report_renders_table_json_csv_and_a_chart(tmp_path, capsys, artifacts):
    cfg = write_config(tmp_path)
    forms = tmp_path / "forms.csv"
    forms.write_text(HEADER + "4,4,3,4,3,4,4,3,4,,,,,,2026-11-20\n3,3,3,4,3,3,3,2,3,,,,,,2026-11-21\n")
    assert main(["survey", "import", str(forms), "--config", str(cfg)]) == 0
    assert "2 jawaban" in capsys.readouterr().out
    args = ["survey", "report", "--from", "2026-11-01", "--to", "2026-11-30", "--config", str(cfg)]
    assert main(args) == 0
    table = capsys.readouterr().out
    assert "bobot 1/9 eksak" in table and "weight exactly 1/9" in table and "Persyaratan" in table
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["respondents"] == 2 and data["ikm"] == "83.33" and data["category"]["letter"] == "B"
    assert main([*args, "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("element,name_id,name_en,nrr,converted\nu1,")
    png = artifacts / "survey-ikm-report.png"
    assert main([*args, "--format", "png", "--output", str(png)]) == 0
    with Image.open(png) as im:
        assert im.size == (1200, 760)
        assert im.getpixel((970, 140)) == (124, 179, 66)  # the grade box is B's colour


def test_cli_import_of_a_bad_file_is_one_line_and_exit_2(tmp_path, capsys):
    cfg = write_config(tmp_path)
    forms = tmp_path / "forms.csv"
    forms.write_text(HEADER + "4,4,4,4,4,4,4,4,9,,,,,,\n")
    assert main(["survey", "import", str(forms), "--config", str(cfg)]) == 2
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("kiosk:")]
    assert len(lines) == 1 and "line 2" in lines[0] and "nothing imported" in lines[0]
    assert main(["survey", "report", "--from", "2026-11-30", "--to", "2026-11-01", "--config", str(cfg)]) == 2
