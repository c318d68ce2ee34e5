"""The gate pass: QR size, and the gate's verdict for every reason it can refuse."""
from __future__ import annotations

from datetime import timedelta

import pytest
import segno

from kiosk.domain.gatepass import GatePass, InvalidGatePass, issue, verify_pass
from tests.fixtures_printing import KEY, OFFICE, PUBLIC, T0, sample_pass


@pytest.mark.parametrize("office", ["ABC", OFFICE, "KEJARI-KLUNGKUNG", "K" * 18])
def test_the_pass_fits_qr_version_6_at_level_m_for_every_allowed_office_code(office):
    gp, token = sample_pass(office=office, locker=65535)
    code = segno.make(token, error="M", micro=False, boost_error=False)
    assert code.version <= 6, (office, len(token), code.version)
    assert code.mode == "alphanumeric"
    assert verify_pass(token, at=T0, office_code=office, public_keys=PUBLIC).valid


def test_a_longer_office_code_than_the_pass_holds_is_refused_at_issue():
    with pytest.raises(InvalidGatePass):
        sample_pass(office="K" * 19)


def test_the_config_refuses_an_office_code_the_pass_cannot_hold(make_config):
    from kiosk.config import ConfigError

    with pytest.raises(ConfigError, match="office.code"):
        make_config({"office": {"code": "K" * 19}})


def test_the_verdict_reports_what_the_pass_says_and_nothing_personal():
    gp, token = sample_pass()
    verdict = verify_pass(token, at=T0 + timedelta(hours=1), office_code=OFFICE, public_keys=PUBLIC)
    assert verdict.valid and verdict.reason == "ok"
    assert verdict.to_dict() == {
        "valid": True,
        "reason": "ok",
        "pass_id": gp.pass_id,
        "office": OFFICE,
        "expires_at": "2026-11-23T09:30:00+00:00",
    }
    assert gp.locker_door == 7 and verdict.gate_pass == gp


def test_guest_with_expired_pass_is_refused_at_the_gate():
    _, token = sample_pass(hours=8)
    verdict = verify_pass(token, at=T0 + timedelta(hours=8), office_code=OFFICE, public_keys=PUBLIC)
    assert (verdict.valid, verdict.reason) == (False, "expired")
    assert verify_pass(token, at=T0 + timedelta(hours=7, minutes=59), office_code=OFFICE, public_keys=PUBLIC).valid


def test_a_pass_from_the_future_is_not_yet_valid_beyond_clock_skew():
    _, token = sample_pass()
    assert verify_pass(token, at=T0 - timedelta(minutes=1), office_code=OFFICE, public_keys=PUBLIC).valid
    verdict = verify_pass(token, at=T0 - timedelta(minutes=10), office_code=OFFICE, public_keys=PUBLIC)
    assert verdict.reason == "not_yet_valid"


def test_a_pass_of_another_office_is_refused():
    _, token = sample_pass(office="KEJARI-DPS")
    verdict = verify_pass(token, at=T0, office_code=OFFICE, public_keys=PUBLIC)
    assert (verdict.reason, verdict.office) == ("other_office", "KEJARI-DPS")


def test_a_revoked_pass_is_refused():
    gp, token = sample_pass()
    verdict = verify_pass(token, at=T0, office_code=OFFICE, public_keys=PUBLIC, revoked={gp.pass_id})
    assert verdict.reason == "revoked"


@pytest.mark.parametrize("state", ["declined", "checked_out", "cancelled", "expired"])
def test_the_visit_state_known_to_the_gate_overrides_a_good_signature(state):
    gp, token = sample_pass()
    verdict = verify_pass(token, at=T0, office_code=OFFICE, public_keys=PUBLIC, visit_state_lookup={gp.pass_id: state})
    assert (verdict.valid, verdict.reason) == (False, state)


@pytest.mark.parametrize("state", ["registered", "waiting_host", "accepted", "inside", None])
def test_open_visits_keep_their_pass_valid(state):
    gp, token = sample_pass()
    assert verify_pass(token, at=T0, office_code=OFFICE, public_keys=PUBLIC, visit_state_lookup=lambda _p: state).valid


def test_payload_round_trip_and_expiry_rounded_down_to_whole_minutes():
    gp, _ = issue(KEY, office_code=OFFICE, issued_at=T0.replace(microsecond=900), expires_at=T0 + timedelta(seconds=150))
    assert gp.expires_at == T0 + timedelta(minutes=2)
    assert GatePass.from_payload(gp.to_payload()) == gp
