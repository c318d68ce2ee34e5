"""The security gate: verdicts, entry and exit, no re-entry, closing time, inside now, two offline devices."""
from __future__ import annotations

import pytest

from kiosk.app.gate import AUTO_CHECKOUT_FLAG, GateVerdict
from kiosk.domain.visit import VisitState as S
from tests.fixtures_gate import ACCEPTED, gate_for, token_for, visit_with_pass
from tests.fixtures_survey import make_ctx, wita


@pytest.fixture
def ctx(tmp_path):
    c = make_ctx(tmp_path, wita(2026, 11, 23, 9, 0), device="gate-1")
    yield c
    c.close()


def test_accepted_guest_enters_then_leaves_and_is_reminded_of_the_id_card(ctx):
    gate = gate_for(ctx)
    visit = visit_with_pass(ctx, *ACCEPTED, locker=4, name="Budi Santoso")
    went_in = gate.scan(token_for(visit))
    assert (went_in.verdict, went_in.green, went_in.guest_name, went_in.locker_door) == (GateVerdict.ENTER, True, "Budi Santoso", 4)
    assert ctx.visits.get(visit.id).state is S.INSIDE
    assert [e.visit_id for e in gate.inside_now()] == [visit.id]
    ctx.clock.advance(minutes=40)
    went_out = gate.scan(token_for(visit))
    assert went_out.verdict is GateVerdict.EXIT and went_out.return_id_card
    assert ctx.visits.get(visit.id).state is S.CHECKED_OUT
    assert gate.inside_now() == []
    kinds = [e.kind for e in ctx.visits.events(visit.id)]
    assert kinds.count("gate_scan") == 2  # every scan is a visit event


def test_a_pass_used_for_exit_cannot_enter_again(ctx):
    gate = gate_for(ctx)
    visit = visit_with_pass(ctx, *ACCEPTED)
    gate.scan(token_for(visit))
    gate.scan(token_for(visit))
    again = gate.scan(token_for(visit))
    assert again.verdict is GateVerdict.ALREADY_OUT and not again.green
    assert ctx.visits.get(visit.id).state is S.CHECKED_OUT


def test_guest_with_expired_pass_is_refused_at_the_gate_but_one_inside_may_still_leave(ctx):
    gate = gate_for(ctx)
    waiting = visit_with_pass(ctx, *ACCEPTED)
    inside = visit_with_pass(ctx, *ACCEPTED, S.INSIDE)
    ctx.clock.advance(hours=9)  # passes are valid 8 hours
    assert gate.scan(token_for(waiting)).verdict is GateVerdict.EXPIRED
    assert ctx.visits.get(waiting.id).state is S.ACCEPTED
    out = gate.scan(token_for(inside))
    assert out.verdict is GateVerdict.EXIT and out.reason == "pass expired"


def test_declined_guest_is_not_let_in_and_gets_the_id_card_back(ctx):
    gate = gate_for(ctx)
    visit = visit_with_pass(ctx, S.WAITING_HOST, S.DECLINED)
    result = gate.scan(token_for(visit))
    assert result.verdict is GateVerdict.DECLINED and result.return_id_card and not result.green
    assert ctx.visits.get(visit.id).state is S.CHECKED_OUT


def test_guest_whose_host_has_not_answered_waits(ctx):
    visit = visit_with_pass(ctx, S.WAITING_HOST)
    assert gate_for(ctx).scan(token_for(visit)).verdict is GateVerdict.WAITING_HOST


def _tamper(token: str) -> str:
    return token[:40] + ("A" if token[40] != "A" else "B") + token[41:]


@pytest.mark.parametrize(
    ("make", "verdict"),
    [
        (lambda v: token_for(v, forged=True), GateVerdict.FORGED),  # signed with a key the office does not know
        (lambda v: _tamper(token_for(v)), GateVerdict.FORGED),
        (lambda v: token_for(v, office="KEJARI-ALOR"), GateVerdict.OTHER_OFFICE),
        (lambda v: "not a pass at all \x00\xff", GateVerdict.FORGED),
        (lambda v: "", GateVerdict.FORGED),
    ],
)
def test_forged_unreadable_and_other_office_passes_are_refused_and_logged(ctx, make, verdict):
    gate = gate_for(ctx)
    visit = visit_with_pass(ctx, *ACCEPTED)
    result = gate.scan(make(visit))
    assert result.verdict is verdict and not result.green
    assert ctx.visits.get(visit.id).state is S.ACCEPTED
    assert gate.scans.recent(1)[0].verdict == verdict.value
    if verdict is GateVerdict.FORGED:
        assert result.guest_name == "" and result.visit_id == ""  # a forged code names nobody


def test_a_forged_code_at_the_survey_desk_checks_nobody_out(ctx):
    gate = gate_for(ctx)
    visit = visit_with_pass(ctx, *ACCEPTED, S.INSIDE)
    assert gate.checkout_for_survey(token_for(visit, forged=True)) is None
    assert ctx.visits.get(visit.id).state is S.INSIDE


def test_a_verifier_that_raises_on_garbage_still_gives_a_red_verdict(ctx):
    gate = ctx.gate
    gate._verifier = lambda token, at: (_ for _ in ()).throw(ValueError("bad base64"))
    assert gate.scan("%%%").verdict is GateVerdict.FORGED


def test_offline_pass_with_a_good_signature_but_no_local_visit_enters_on_the_signature_alone(ctx):
    from types import SimpleNamespace

    from kiosk.domain.gatepass import new_pass_id

    gate = gate_for(ctx)
    elsewhere = SimpleNamespace(pass_id=new_pass_id(), created_at=ctx.clock.now(), expires_at=None)
    result = gate.scan(token_for(elsewhere))  # registered on the lobby kiosk, not pulled here yet
    assert result.verdict is GateVerdict.ENTER and result.offline


def test_visits_still_open_at_closing_time_are_checked_out_and_flagged_for_staff(ctx):
    gate = gate_for(ctx)
    inside = visit_with_pass(ctx, *ACCEPTED, S.INSIDE)
    registered = visit_with_pass(ctx)
    done_early = gate.auto_checkout()
    assert done_early == []  # 09:00: not closing time yet
    ctx.clock.set(wita(2026, 11, 23, 17, 0))
    assert set(gate.auto_checkout()) == {inside.id, registered.id}
    assert ctx.visits.get(inside.id).state is S.CHECKED_OUT
    assert ctx.visits.get(registered.id).state is S.EXPIRED
    assert AUTO_CHECKOUT_FLAG in ctx.visits.get(inside.id).flags
    assert {v.id for v in gate.flagged_for_staff()} == {inside.id, registered.id}
    assert gate.inside_now() == []


def test_inside_now_list_prints_as_lines_for_an_evacuation(ctx, artifacts):
    gate = gate_for(ctx)
    visit = visit_with_pass(ctx, *ACCEPTED, locker=7, name="Siti Aminah")
    gate.scan(token_for(visit))
    lines = gate.inside_now_lines()
    assert lines[0] == "TAMU DI DALAM / INSIDE NOW: 1"
    assert "Siti Aminah -> I Gede Wirawan, S.H. L7" in lines[2]
    assert gate.print_inside_now() == "printer"  # the simulated thermal printer
    from kiosk.devices.escpos_render import render

    paper = render(ctx.tickets.printers[0].transport.printed)
    paper.save(artifacts / "gate-inside-now-paper.png")
    assert paper.cuts == 1
    assert any("Siti Aminah" in line for line in paper.lines)
    assert any("I Gede Wirawan" in line and "loker 7" in line for line in paper.lines)


def test_survey_desk_scan_checks_the_guest_out_and_links_the_answers(ctx):
    gate = gate_for(ctx)
    visit = visit_with_pass(ctx, *ACCEPTED, S.INSIDE)
    assert gate.checkout_for_survey(token_for(visit)) == visit.id
    assert ctx.visits.get(visit.id).state is S.CHECKED_OUT
    assert gate.checkout_for_survey("garbage") is None


def _pull(into, source, visit_id):
    """What the sync pull (kiosk.sync.pull) does for these tests: the other device's events land in the local store."""
    mine = {e.event_id for e in into.visits.events(visit_id)}
    with into.db.transaction() as conn:
        for e in source.visits.events(visit_id):
            if e.event_id not in mine:
                into.visits.append_event(conn, e, outbox=False)


def test_two_offline_gates_that_both_let_the_same_pass_in_report_it_after_syncing(tmp_path):
    from dataclasses import replace

    a = make_ctx(tmp_path / "a", wita(2026, 11, 23, 9, 0), device="gate-1")
    b = make_ctx(tmp_path / "b", wita(2026, 11, 23, 9, 0), device="gate-2")
    visit = visit_with_pass(a, *ACCEPTED)
    with b.db.transaction() as conn:  # b pulled the visit while the network was still up
        b.visits.insert(conn, replace(visit, guest_id=None))
    a.clock.advance(minutes=2)
    b.clock.advance(minutes=3)
    assert gate_for(a).scan(token_for(visit)).verdict is GateVerdict.ENTER
    assert gate_for(b).scan(token_for(visit)).verdict is GateVerdict.ENTER  # b cannot know: it is offline
    assert a.gate.reconcile() == []
    _pull(a, b, visit.id)
    _pull(b, a, visit.id)
    for ctx in (a, b):
        (conflict,) = ctx.gate.reconcile()
        assert conflict.kind == "duplicate_entry" and conflict.visit_id == visit.id
        assert sorted(conflict.devices) == ["gate-1", "gate-2"]
    a.close()
    b.close()


def test_an_entry_on_one_gate_after_the_exit_on_another_is_reported(tmp_path):
    from dataclasses import replace

    a = make_ctx(tmp_path / "a", wita(2026, 11, 23, 9, 0), device="gate-1")
    b = make_ctx(tmp_path / "b", wita(2026, 11, 23, 9, 0), device="gate-2")
    visit = visit_with_pass(a, *ACCEPTED)
    with b.db.transaction() as conn:
        b.visits.insert(conn, replace(visit, guest_id=None))
    gate_for(a).scan(token_for(visit))  # in at gate 1
    a.clock.advance(minutes=30)
    gate_for(a).scan(token_for(visit))  # out at gate 1
    b.clock.advance(minutes=45)
    gate_for(b).scan(token_for(visit))  # b still thinks "accepted": lets the pass in again
    _pull(a, b, visit.id)
    kinds = sorted(c.kind for c in a.gate.reconcile())
    assert kinds == ["duplicate_entry", "entry_after_exit"]
    a.close()
    b.close()


def test_cli_lists_guests_inside_and_closes_the_day(tmp_path, capsys):
    from kiosk.cli import main
    from tests.fixtures_survey import write_config

    ctx = make_ctx(tmp_path, wita(2026, 11, 23, 9, 0), device="gate-1")
    visit = visit_with_pass(ctx, *ACCEPTED, S.INSIDE, name="Siti Aminah")
    ctx.close()
    cfg = str(write_config(tmp_path, device="gate-1"))
    assert main(["gate", "inside", "--config", cfg]) == 0
    assert "Siti Aminah" in capsys.readouterr().out
    assert main(["gate", "inside", "--json", "--config", cfg]) == 0
    import json

    assert json.loads(capsys.readouterr().out)[0]["visit_id"] == visit.id
    assert main(["gate", "reconcile", "--config", cfg]) == 0
    assert "no conflicts" in capsys.readouterr().out


def test_leaving_through_the_gate_frees_the_guests_locker(ctx):
    gate = gate_for(ctx)
    visit = visit_with_pass(ctx, *ACCEPTED)
    door = ctx.lockers.assign_and_open(visit.id).door  # the real locker service on its board emulator
    visit = ctx.visits.get(visit.id)
    assert visit.locker_door == door
    gate.scan(token_for(visit))
    out = gate.scan(token_for(visit))
    assert out.verdict is GateVerdict.EXIT and out.locker_door == door
    held = ctx.lockers.repo.for_visit(visit.id)
    assert held is None or held.state != "assigned"
    assert "locker_released" in [e.kind for e in ctx.visits.events(visit.id)]


def test_a_visit_pulled_without_its_pass_id_is_found_by_its_pulled_pass_printed_event(ctx):
    from dataclasses import replace

    from kiosk.domain.visit import VisitEvent

    gate = gate_for(ctx)
    visit = visit_with_pass(ctx, *ACCEPTED)
    printed = VisitEvent(visit.id, "pass_printed", ctx.clock.now(), "kiosk", "lobby-1", data={"pass_id": visit.pass_id})
    with ctx.db.transaction() as conn:
        ctx.visits.update(conn, replace(visit, pass_id=""))  # what the pull stores: no pass id on the visit
        ctx.visits.append_event(conn, printed, outbox=False)
    result = gate.scan(token_for(visit))
    assert result.verdict is GateVerdict.ENTER and not result.offline and result.visit_id == visit.id


def test_real_signed_passes_printed_in_the_lobby_are_judged_by_the_real_verifier(ctx):
    """kiosk.domain.gatepass end to end: signed token, tampering, a reprint of the same pass, expiry."""
    from kiosk.app.passes import init_keys
    from tests.fixtures_survey import register_visit, walk

    init_keys(ctx.config)
    visit = register_visit(ctx, name="Made Sudarsana")
    printed = ctx.tickets.issue_and_print(visit.id)
    assert printed.printed
    walk(ctx, visit.id, (2, S.WAITING_HOST), (5, S.ACCEPTED))
    gate = ctx.gate  # the default verifier: office public keys and revocations of this store
    went_in = gate.scan(printed.token)
    assert went_in.verdict is GateVerdict.ENTER and went_in.guest_name == "Made Sudarsana"
    tampered = printed.token[:-3] + ("AAA" if not printed.token.endswith("AAA") else "BBB")
    assert gate.scan(tampered).verdict is GateVerdict.FORGED
    reprint = ctx.tickets.reprint(visit.id)
    assert reprint.pass_id == printed.pass_id  # a reprint is the same pass
    ctx.clock.advance(hours=9)  # past the pass validity: the guest inside may still leave
    out = gate.scan(reprint.token)
    assert out.verdict is GateVerdict.EXIT and out.reason == "pass expired"


def test_the_short_code_under_the_qr_names_the_pass_in_any_case_and_an_unknown_code_is_refused(ctx):
    from kiosk.domain.gatepass import display_pass_id, new_pass_id

    gate = gate_for(ctx)
    visit = visit_with_pass(ctx, *ACCEPTED, locker=4)
    code = display_pass_id(visit.pass_id)
    assert gate.scan(f" {code.lower()} ").verdict is GateVerdict.ENTER
    out = gate.scan(code.replace("-", ""))
    assert out.verdict is GateVerdict.EXIT and out.return_id_card and out.locker_door == 4
    unknown = gate.scan(display_pass_id(new_pass_id()))
    assert unknown.verdict is GateVerdict.FORGED and unknown.reason == "short code unknown"


def test_a_visits_photo_is_given_from_the_data_folder_and_the_hosts_number_with_it(ctx):
    from dataclasses import replace

    gate = gate_for(ctx)
    visit = visit_with_pass(ctx, S.WAITING_HOST)
    with ctx.db.transaction() as conn:
        ctx.visits.update(conn, replace(visit, photo_path="photos/x.jpg"))
    result = gate.scan(token_for(visit))
    assert result.verdict is GateVerdict.WAITING_HOST
    assert result.photo_path == str(ctx.config.data_dir / "photos/x.jpg")
    assert result.host_phone == next(h.phone for h in ctx.config.hosts if h.id == visit.host_id)
