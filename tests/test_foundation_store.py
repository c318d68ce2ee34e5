"""The store and the visit lifecycle: WAL, migrations, one transaction per change, encrypted personal data."""
from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from kiosk.app.registration import GuestIdentity, UnknownPurpose
from kiosk.domain.errors import IllegalTransition
from kiosk.domain.visit import TRANSITIONS, VisitState

NIK = "5105014101900001"


def register(ctx, nik=NIK, name="Budi Santoso"):
    return ctx.registration.register(
        GuestIdentity(nik=nik, name=name, phone="081234567890", address="Jl. Melati 3, Semarapura"),
        purpose="meet_employee",
        host_id="kasi-pidum",
        host_name="I Gede Wirawan, S.H.",
        consent=True,
    )


def test_database_runs_in_wal_mode_with_full_sync_and_all_migrations(context):
    conn = context.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert "0001_base" in context.db.applied_migrations()


def test_migrations_are_applied_once(context):
    assert context.db.migrate() == []


def test_registering_writes_guest_visit_event_and_outbox_together(context):
    visit = register(context)
    assert context.visits.get(visit.id).state is VisitState.REGISTERED
    events = context.visits.events(visit.id)
    assert [e.to_state for e in events] == [VisitState.REGISTERED]
    outbox = context.visits.outbox.for_aggregate(visit.id)
    assert [m.topic for m in outbox] == ["visit.registered"]
    assert outbox[0].idempotency_key == f"visit:{visit.id}"


def test_nik_and_address_are_encrypted_at_rest_and_nowhere_in_clear(context):
    register(context)
    raw = context.config.database_path.read_bytes()
    for path in context.config.database_path.parent.glob("*.sqlite3*"):
        raw += path.read_bytes()
    assert NIK.encode() not in raw
    assert b"Melati" not in raw
    guest = context.guests.find_by_nik(NIK)
    assert guest.nik == NIK and guest.address.startswith("Jl. Melati")


def test_a_returning_guest_is_the_same_guest(context):
    a = register(context)
    b = register(context, name="Budi S.")
    assert a.guest_id == b.guest_id
    assert context.guests.get(a.guest_id).name == "Budi S."


def test_each_transition_writes_state_event_and_outbox_in_one_go(context):
    visit = register(context)
    for target in (VisitState.WAITING_HOST, VisitState.ACCEPTED, VisitState.INSIDE, VisitState.CHECKED_OUT):
        context.clock.advance(minutes=3)
        visit = context.registration.transition(visit.id, target, actor="test")
    events = context.visits.events(visit.id)
    assert [e.to_state.value for e in events] == ["registered", "waiting_host", "accepted", "inside", "checked_out"]
    topics = [m.topic for m in context.visits.outbox.for_aggregate(visit.id)]
    assert topics == ["visit.registered"] + ["visit.event"] * 4
    assert events[-1].at - events[0].at == timedelta(minutes=12)


@pytest.mark.parametrize("state", [s for s in VisitState if s not in TRANSITIONS[VisitState.REGISTERED]])
def test_illegal_transitions_raise_a_domain_error_and_change_nothing(context, state):
    visit = register(context)
    with pytest.raises(IllegalTransition) as err:
        context.registration.transition(visit.id, state, actor="test")
    assert err.value.current == "registered"
    assert err.value.code == "illegal_transition" and err.value.fields["requested"] == state.value
    assert context.visits.get(visit.id).state is VisitState.REGISTERED
    assert len(context.visits.events(visit.id)) == 1


def test_terminal_states_have_no_way_out():
    for state in (VisitState.CHECKED_OUT, VisitState.CANCELLED, VisitState.EXPIRED):
        assert TRANSITIONS[state] == frozenset()


def test_a_stale_writer_cannot_overwrite_a_newer_state(context):
    visit = register(context)
    stale = context.visits.get(visit.id)
    context.registration.transition(visit.id, VisitState.CANCELLED, actor="staff")
    new, event = stale.transition(VisitState.WAITING_HOST, at=context.clock.now(), actor="x", device_id="d")
    with pytest.raises(IllegalTransition):
        context.visits.save_transition(new, event)
    assert context.visits.get(visit.id).state is VisitState.CANCELLED


def test_events_are_append_only(context):
    visit = register(context)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"), context.db.transaction() as conn:
        conn.execute("UPDATE visit_events SET actor='forged' WHERE visit_id=?", (visit.id,))


def test_an_unknown_purpose_is_refused_before_anything_is_written(context):
    with pytest.raises(UnknownPurpose):
        context.registration.register(
            GuestIdentity(nik=NIK, name="X"), purpose="shopping", host_id="", host_name="", consent=True
        )
    assert context.db.conn.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 0


def test_outbox_hands_out_only_the_oldest_pending_message_per_visit(context):
    a = register(context)
    context.registration.transition(a.id, VisitState.WAITING_HOST, actor="t")
    b = register(context, nik="5105014101900002")
    due = context.visits.outbox.due(context.clock.now())
    assert [(m.aggregate_id, m.topic) for m in due] == [(a.id, "visit.registered"), (b.id, "visit.registered")]
    context.visits.outbox.mark_sent(due[0].id, context.clock.now())
    due = context.visits.outbox.due(context.clock.now())
    assert [(m.aggregate_id, m.topic) for m in due] == [(a.id, "visit.event"), (b.id, "visit.registered")]
