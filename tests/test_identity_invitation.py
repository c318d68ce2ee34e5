"""Pre-registration invitations: signed like the gate pass, verified offline, never trusted when altered."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import cv2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.cli import main
from kiosk.domain.gatepass import issue
from kiosk.domain.invitation import REASONS, Invitation, issue_invitation, verify_invitation
from kiosk.domain.tokens import SigningKey
from tests.fixtures_scanner import qr_frame

KEY = SigningKey.from_seed(bytes(range(32)))
OTHER_KEY = SigningKey.from_seed(bytes(32))
KEYS = {KEY.key_id: KEY.public_key}
START = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
END = START + timedelta(days=1)


def invite(office="KEJARI-KLK", signer=KEY):
    return issue_invitation(signer, office_code=office, valid_from=START, valid_until=END)


def verdict(token, at=START + timedelta(hours=2), office="KEJARI-KLK"):
    return verify_invitation(token, at=at, office_code=office, public_keys=KEYS)


def test_invitation_round_trips_and_is_valid_on_the_day():
    inv, token = invite()
    v = verdict(token)
    assert (v.valid, v.reason, v.invitation) == (True, "ok", inv)
    assert v.to_dict()["invitation_id"] == inv.invitation_id and len(token) < 160


@pytest.mark.parametrize(("at", "office", "reason"), [
    (START - timedelta(hours=1), "KEJARI-KLK", "not_yet_valid"),
    (END, "KEJARI-KLK", "expired"),
    (START + timedelta(hours=1), "KEJARI-ALR", "other_office"),
])
def test_invitation_outside_its_window_or_office_is_refused(at, office, reason):
    assert verdict(invite()[1], at=at, office=office).reason == reason


def test_a_forged_or_foreign_invitation_is_refused():
    token = invite()[1]
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    assert verdict(flipped).reason in ("bad_signature", "unreadable")
    assert verdict(invite(signer=OTHER_KEY)[1]).reason == "unknown_key"


def test_a_gate_pass_is_not_an_invitation():
    _gp, token = issue(KEY, office_code="KEJARI-KLK", issued_at=START, expires_at=END)
    assert verdict(token).reason == "not_an_invitation"


def test_an_invitation_that_ends_before_it_starts_cannot_be_issued():
    from kiosk.domain.gatepass import InvalidGatePass

    with pytest.raises(InvalidGatePass):
        Invitation("0000000000", "KEJARI-KLK", END, START).to_payload()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200) | st.from_regex(r"\A[A-Z2-7]{100,160}\Z"))
def test_verify_invitation_never_raises(text):
    assert verdict(text).reason in REASONS


@pytest.fixture
def conf(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[office]\ncode = "KEJARI-KLK"\n[kiosk]\ndata_dir = "{tmp_path / "data"}"\n[privacy]\n'
        f'key_file = "{tmp_path / "k" / "data.key"}"\nsigning_key_file = "{tmp_path / "k" / "pass.key"}"\n'
        f'verify_keys_dir = "{tmp_path / "k" / "verify"}"\n', encoding="utf-8")
    return path


def test_kiosk_scan_gives_verdicts_for_our_invitations_and_gate_passes(conf, tmp_path, capsys):
    assert main(["keys", "init", "--config", str(conf)]) == 0
    capsys.readouterr()
    from kiosk.app.passes import load_signer
    from kiosk.config import load_config

    signer = load_signer(load_config(conf))
    now = datetime.now(UTC)
    _inv, inv_token = issue_invitation(signer, office_code="KEJARI-KLK", valid_from=now - timedelta(hours=1),
                                       valid_until=now + timedelta(hours=5))
    _gp, pass_token = issue(signer, office_code="KEJARI-KLK", issued_at=now, expires_at=now + timedelta(hours=1))
    files = []
    for name, text in [("inv.png", inv_token), ("pass.png", pass_token)]:
        cv2.imwrite(str(tmp_path / name), qr_frame(text, (1280, 720), module_px=4))
        files.append(str(tmp_path / name))
    assert main(["scan", "--config", str(conf), *files]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(x["type"], x["valid"], x["reason"]) for x in lines] == [("invitation", True, "ok"), ("gate_pass", True, "ok")]



def test_kiosk_invite_issues_a_pre_registration_the_kiosk_opens_once(tmp_path, capsys):

    from kiosk.app.context import AppContext
    from kiosk.app.invitations import InvalidInvitation
    from kiosk.config import load_config

    cfg_file = tmp_path / "kiosk.toml"
    cfg_file.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path}/data"\n[privacy]\nkey_file = "{tmp_path}/k.key"\n'
        f'signing_key_file = "{tmp_path}/sign.key"\nverify_keys_dir = "{tmp_path}/verify"\n'
        '[office]\ntimezone = "Asia/Makassar"\ncode = "KN-KLK"\n'
        '[[hosts]]\nid = "kajari"\nname = "Kajari"\n'
    )
    assert main(["keys", "init", "--config", str(cfg_file)]) == 0
    capsys.readouterr()
    png = tmp_path / "invite.png"
    assert main(["invite", "--host", "kajari", "--purpose", "meet_employee", "--nik", "3201015708850123",
                 "--png", str(png), "--config", str(cfg_file)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["names_nik"] is True and "3201015708850123" not in json.dumps(out) and png.stat().st_size > 500
    ctx = AppContext(load_config(cfg_file))
    try:
        record = ctx.invitations.open(out["token"])
        assert (record.purpose, record.host_id, record.nik) == ("meet_employee", "kajari", "3201015708850123")
        ctx.invitations.mark_used(record.id, "visit-1")
        with pytest.raises(InvalidInvitation) as used:
            ctx.invitations.open(out["token"])
        assert used.value.reason == "used"
    finally:
        ctx.close()
    assert main(["invite", "--host", "nobody", "--purpose", "meet_employee", "--config", str(cfg_file)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nobody" in err
