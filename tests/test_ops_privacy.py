"""UU PDP: the retention purge removes exactly what is past retention; export and forget for a data subject."""
from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.app.privacy import FORGET_TOPIC, DataSubjectNotFound
from kiosk.domain.visit import VisitState
from tests.fixtures_ops import ADDRESS_A, NAME_A, NIK_A, NIK_B, register_at

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _count(ctx, table: str, where: str = "1=1", args=()) -> int:
    return ctx.db.conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", args).fetchone()[0]


def test_purge_removes_exactly_the_visits_past_retention_with_events_photos_and_lone_guests(context):
    days = context.config.privacy.retention_days
    cutoff = NOW - timedelta(days=days)
    old = register_at(context, cutoff - timedelta(milliseconds=1), nik=NIK_B, name="Siti Aminah")
    boundary = register_at(context, cutoff)  # registered exactly at the cut-off: not yet past retention
    old_a = register_at(context, cutoff - timedelta(days=3))  # guest A also has the boundary visit: guest stays
    recent = register_at(context, NOW - timedelta(hours=1), nik=NIK_B, name="Siti Aminah", photo=False)
    context.clock.set(NOW)
    photo_old = context.config.data_dir / old.photo_path
    photo_boundary = context.config.data_dir / boundary.photo_path
    assert photo_old.exists()

    result = context.privacy.purge()

    assert result.visits == 2 and result.photos == 2 and result.guests == 0
    remaining = {r[0] for r in context.db.conn.execute("SELECT id FROM visits")}
    assert remaining == {boundary.id, recent.id}
    assert _count(context, "visit_events", "visit_id IN (?, ?)", (old.id, old_a.id)) == 0
    assert _count(context, "outbox", "aggregate_id IN (?, ?)", (old.id, old_a.id)) == 0
    assert _count(context, "visit_events", "visit_id = ?", (boundary.id,)) >= 1
    assert not photo_old.exists() and photo_boundary.exists()
    # Both guests still have a visit inside retention.
    assert context.guests.find_by_nik(NIK_A) is not None and context.guests.find_by_nik(NIK_B) is not None

    # A day later the boundary visit is past retention and guest A has nothing left: the guest goes too.
    context.clock.set(NOW + timedelta(days=1))
    again = context.privacy.purge()
    assert again.visits == 1 and again.guests == 1
    assert context.guests.find_by_nik(NIK_A) is None
    assert context.guests.find_by_nik(NIK_B) is not None
    assert not photo_boundary.exists()


def test_purge_keeps_anonymous_survey_answers_and_deletes_gate_rows_of_purged_visits(context):
    old = register_at(context, NOW - timedelta(days=40))
    context.clock.set(NOW)
    with context.db.transaction() as conn:
        conn.execute(
            "INSERT INTO survey_responses(id, visit_id, answers, created_at) VALUES ('s1', ?, '[4,4,4,4,4,4,4,4,4]', ?)",
            (old.id, old.created_at.isoformat()),
        )
        conn.execute("CREATE TABLE IF NOT EXISTS test_scans (id INTEGER PRIMARY KEY, visit_id TEXT NOT NULL)")
        conn.execute("INSERT INTO test_scans(visit_id) VALUES (?)", (old.id,))
        conn.execute("INSERT INTO test_scans(visit_id) VALUES ('some-other-visit')")
    context.privacy.purge()
    assert _count(context, "survey_responses", "id='s1' AND visit_id IS NULL") == 1
    assert [r[0] for r in context.db.conn.execute("SELECT visit_id FROM test_scans")] == ["some-other-visit"]


def test_purge_dry_run_counts_and_deletes_nothing(context):
    register_at(context, NOW - timedelta(days=45))
    context.clock.set(NOW)
    r = context.privacy.purge(dry_run=True)
    assert r.visits == 1
    assert _count(context, "visits") == 1
    assert context.privacy.processing_log() == []


def test_every_purge_export_and_forget_is_in_the_processing_log_without_personal_data(context):
    register_at(context, NOW - timedelta(days=45), nik=NIK_B, name="Siti Aminah")
    register_at(context, NOW - timedelta(days=1))
    context.clock.set(NOW)
    context.privacy.purge(actor="timer")
    context.privacy.export(NIK_A)
    context.privacy.forget(NIK_A)
    log = context.privacy.processing_log()
    assert [e.action for e in log] == ["forget", "export", "purge"]
    assert log[2].details["visits"] == 1 and log[2].actor == "timer"
    text = json.dumps([e.details for e in log]) + " ".join(e.request_id + e.actor for e in log)
    for secret in (NIK_A, NIK_B, NIK_A[-4:] + "0", NAME_A, "Siti", ADDRESS_A):
        assert secret not in text


def test_export_gives_the_data_subject_their_decrypted_records_and_photos(context):
    first = register_at(context, NOW - timedelta(days=2))
    second = register_at(context, NOW - timedelta(hours=2), photo=False)
    register_at(context, NOW - timedelta(hours=1), nik=NIK_B, name="Siti Aminah")
    context.clock.set(NOW)
    record = context.privacy.export(NIK_A)
    assert record["guest"]["nik"] == NIK_A
    assert record["guest"]["name"] == NAME_A
    assert record["guest"]["address"] == ADDRESS_A
    assert {v["id"] for v in record["visits"]} == {first.id, second.id}
    (photo,) = record["photos"]
    assert photo["visit_id"] == first.id and photo["file"] == str((context.config.data_dir / first.photo_path).resolve())
    assert base64.b64decode(photo["jpeg_base64"]) == b"\xff\xd8fake-jpeg"  # decrypted for the person
    assert record["visits"][0]["events"][0]["to_state"] == "registered"
    json.dumps(record)  # serialisable as it is


def test_forget_deletes_the_person_here_and_queues_the_deletion_without_their_nik(context):
    a1 = register_at(context, NOW - timedelta(days=2))
    a2 = register_at(context, NOW - timedelta(hours=2))
    b = register_at(context, NOW - timedelta(hours=1), nik=NIK_B, name="Siti Aminah")
    context.registration.transition(a2.id, VisitState.WAITING_HOST, actor="guest")
    context.clock.set(NOW)
    photo = context.config.data_dir / a1.photo_path

    result = context.privacy.forget(NIK_A)

    assert result.visits == 2 and result.photos == 2
    assert context.guests.find_by_nik(NIK_A) is None
    assert {r[0] for r in context.db.conn.execute("SELECT id FROM visits")} == {b.id}
    assert not photo.exists()
    queued = [m for m in context.visits.outbox.by_status("pending") if m.topic == FORGET_TOPIC]
    assert len(queued) == 1
    assert sorted(queued[0].payload["visit_ids"]) == sorted([a1.id, a2.id])
    raw = context.db.conn.execute("SELECT payload FROM outbox WHERE topic=?", (FORGET_TOPIC,)).fetchone()[0]
    assert NIK_A not in raw and NAME_A not in raw
    # Nothing else of the person is left in the outbox to be sent later.
    assert not context.visits.outbox.for_aggregate(a1.id) and not context.visits.outbox.for_aggregate(a2.id)


def test_unknown_or_malformed_nik_is_a_clear_error(context):
    with pytest.raises(DataSubjectNotFound) as exc:
        context.privacy.export(NIK_B)
    assert NIK_B not in exc.value.message() and NIK_B[-4:] in exc.value.message()
    from kiosk.app.privacy import InvalidNikInput

    with pytest.raises(InvalidNikInput):
        context.privacy.forget("12345")
