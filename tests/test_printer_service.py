"""TicketService: print after the visit is committed, backup printer, paper-out, reprint with the same pass id."""
from __future__ import annotations

import pytest

from kiosk.app.passes import init_keys
from kiosk.app.printing import FLAG_PRINT_FAILED, AlreadyPrinted, VisitNotPrintable
from kiosk.app.registration import GuestIdentity
from kiosk.devices.escpos_render import render
from kiosk.domain.errors import NotFound
from kiosk.domain.visit import VisitState
from tests.fixtures_printing import decode_both


@pytest.fixture
def kiosk(make_config):
    from datetime import UTC, datetime

    from kiosk.app.context import AppContext
    from kiosk.domain.clock import FixedClock

    def make(**devices):
        ctx = AppContext(make_config({"devices": devices}), clock=FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC)))
        init_keys(ctx.config)
        return ctx

    made = []
    yield lambda **d: made.append(make(**d)) or made[-1]
    for ctx in made:
        ctx.close()


def _register(ctx):
    identity = GuestIdentity(nik="5105014101900123", name="Ni Kadek Ayu Lestari", phone="081200000000")
    return ctx.registration.register(identity, purpose="meet_employee", host_id="kajari", host_name="Kajari", consent=True)


def _sim(ctx, index=0):
    return ctx.tickets.printers[index].transport


def test_a_registered_guest_gets_a_pass_that_the_gate_accepts(kiosk):
    ctx = kiosk()
    visit = _register(ctx)
    outcome = ctx.tickets.issue_and_print(visit.id)
    assert outcome.printed and outcome.reason == "ok" and outcome.printer == "printer" and not outcome.reprint
    stored = ctx.visits.get(visit.id)
    assert stored.pass_id == outcome.pass_id and stored.state == VisitState.REGISTERED
    assert [e.kind for e in ctx.visits.events(visit.id)][-1] == "pass_printed"
    page = render(_sim(ctx).printed)
    assert decode_both(page.image) == ([outcome.token], [outcome.token])
    assert ctx.passes.verify(outcome.token).reason == "ok"


def test_printing_the_same_pass_twice_by_accident_is_refused(kiosk):
    ctx = kiosk()
    visit = _register(ctx)
    ctx.tickets.issue_and_print(visit.id)
    with pytest.raises(AlreadyPrinted):
        ctx.tickets.issue_and_print(visit.id)
    assert len(_sim(ctx).jobs) == 1


def test_a_reprint_keeps_the_pass_id_and_token_and_says_reprint(kiosk):
    ctx = kiosk()
    visit = _register(ctx)
    first = ctx.tickets.issue_and_print(visit.id)
    again = ctx.tickets.reprint(visit.id)
    assert (again.pass_id, again.token, again.reprint) == (first.pass_id, first.token, True)
    jobs = _sim(ctx).jobs
    assert "CETAK ULANG / REPRINT" not in [line.strip() for line in render(jobs[0]).lines]
    assert "CETAK ULANG / REPRINT" in [line.strip() for line in render(jobs[1]).lines]
    assert ctx.passes.repo.for_visit(visit.id).prints == 2


def test_scripted_paper_out_keeps_the_visit_and_the_pass_reprints_later(kiosk):
    ctx = kiosk(printer={"simulate_fault": "paper_out"})
    visit = _register(ctx)
    outcome = ctx.tickets.issue_and_print(visit.id)
    assert not outcome.printed and outcome.reason == "paper_out"
    assert "PTSP" in outcome.message_id and "PTSP" in outcome.message_en and "kertas" in outcome.message_id
    stored = ctx.visits.get(visit.id)
    assert stored.state == VisitState.REGISTERED and FLAG_PRINT_FAILED in stored.flags
    assert stored.pass_id == outcome.pass_id
    failed = ctx.visits.events(visit.id)[-1]
    assert failed.kind == "print_failed" and failed.data["reason"] == "paper_out"
    assert _sim(ctx).jobs == []

    _sim(ctx).fault = ""  # staff load paper
    again = ctx.tickets.reprint(visit.id)
    assert again.printed and again.pass_id == outcome.pass_id and again.token == outcome.token
    assert not again.reprint  # no copy came out before, so this one is not marked as a reprint
    assert FLAG_PRINT_FAILED not in ctx.visits.get(visit.id).flags


def test_the_backup_printer_prints_when_the_first_is_offline(kiosk):
    ctx = kiosk(printer={"simulate_fault": "offline"}, backup_printer={"kind": "simulated", "paper_width_mm": 58})
    visit = _register(ctx)
    outcome = ctx.tickets.issue_and_print(visit.id)
    assert outcome.printed and outcome.printer == "backup"
    page = render(_sim(ctx, 1).printed, width_dots=384)
    assert decode_both(page.image)[1] == [outcome.token]


def test_no_printer_at_all_sends_the_guest_to_ptsp(kiosk):
    ctx = kiosk(printer={"kind": "none"})
    visit = _register(ctx)
    outcome = ctx.tickets.issue_and_print(visit.id)
    assert not outcome.printed and outcome.reason == "no_printer"
    assert ctx.visits.get(visit.id).state == VisitState.REGISTERED


def test_a_visit_that_was_never_committed_is_not_printed(kiosk):
    ctx = kiosk()
    with pytest.raises(NotFound):
        ctx.tickets.issue_and_print("no-such-visit")


def test_a_checked_out_guest_has_a_dead_pass_and_gets_no_reprint(kiosk):
    ctx = kiosk()
    visit = _register(ctx)
    outcome = ctx.tickets.issue_and_print(visit.id)
    for state in (VisitState.WAITING_HOST, VisitState.CHECKED_OUT):
        ctx.registration.transition(visit.id, state, actor="test")
    assert ctx.passes.verify(outcome.token).reason == "checked_out"
    with pytest.raises(VisitNotPrintable):
        ctx.tickets.reprint(visit.id)


def test_the_printed_pass_expires_with_the_visit(kiosk):
    ctx = kiosk()
    visit = _register(ctx)
    outcome = ctx.tickets.issue_and_print(visit.id)
    assert ctx.passes.verify(outcome.token, at=visit.expires_at).reason == "expired"
