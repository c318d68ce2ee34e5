"""CLI: keys init, pass verify exit codes, ticket --demo, ticket print/reprint."""
from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from kiosk.cli import main
from tests.fixtures_printing import decode_both


@pytest.fixture
def conf(tmp_path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        "\n".join(
            [
                "[office]",
                'code = "KEJARI-KLK"',
                "[kiosk]",
                f'data_dir = "{tmp_path / "data"}"',
                "[privacy]",
                f'key_file = "{tmp_path / "keys" / "data.key"}"',
                f'signing_key_file = "{tmp_path / "keys" / "pass.key"}"',
                f'verify_keys_dir = "{tmp_path / "keys" / "verify"}"',
                "[[hosts]]",
                'id = "ptsp"',
                'name = "Petugas PTSP"',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_keys_init_writes_a_private_key_0600_and_a_public_key_named_by_key_id(conf, tmp_path, capsys):
    code, out, _ = _run(capsys, "keys", "init", "--config", str(conf))
    assert code == 0
    private = tmp_path / "keys" / "pass.key"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    key_id = out.split()[2]
    assert (tmp_path / "keys" / "verify" / f"{key_id}.pub").exists()
    code, _, err = _run(capsys, "keys", "init", "--config", str(conf))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--rotate" in err


def _office_pass(conf) -> str:
    """A real pass signed with the office key (what the lobby prints)."""
    from datetime import UTC, datetime, timedelta

    from kiosk.app.passes import load_signer
    from kiosk.config import load_config
    from kiosk.domain.gatepass import issue

    cfg = load_config(conf)
    now = datetime.now(UTC)
    return issue(load_signer(cfg), office_code=cfg.office.code, issued_at=now, expires_at=now + timedelta(hours=8))[1]


def test_rotation_keeps_passes_signed_with_the_old_key_valid(conf, tmp_path, capsys):
    _run(capsys, "keys", "init", "--config", str(conf))
    old_token = _office_pass(conf)
    code, _, _ = _run(capsys, "keys", "init", "--rotate", "--config", str(conf))
    assert code == 0 and len(list((tmp_path / "keys" / "verify").glob("*.pub"))) == 2
    code, out, _ = _run(capsys, "pass", "verify", old_token, "--config", str(conf))
    assert code == 0 and json.loads(out)["valid"] is True


def test_ticket_demo_writes_escpos_and_png_and_every_gate_refuses_its_token(conf, tmp_path, capsys):
    _run(capsys, "keys", "init", "--config", str(conf))
    out_dir = tmp_path / "demo"
    code, out, _ = _run(capsys, "ticket", "--demo", "--out", str(out_dir), "--config", str(conf))
    assert code == 0
    token = out.strip()
    assert (out_dir / "ticket.bin").read_bytes().startswith(b"\x1b@")
    from PIL import Image

    assert decode_both(Image.open(out_dir / "ticket.png")) == ([token], [token])
    # A demo pass is a sample: of the demo kind, never signed with the office key, refused everywhere.
    code, out, _ = _run(capsys, "pass", "verify", token, "--config", str(conf))
    verdict = json.loads(out)
    assert code == 1 and not verdict["valid"] and verdict["reason"] == "demo"
    code, out, _ = _run(capsys, "gate", "scan", token, "--json", "--config", str(conf))
    assert code == 1 and json.loads(out)["verdict"] == "demo"
    from kiosk.domain.tokens import KIND_DEMO_PASS, read_unverified

    decoded = read_unverified(token)
    office_ids = {p.stem for p in (tmp_path / "keys" / "verify").glob("*.pub")}
    assert decoded.kind == KIND_DEMO_PASS and decoded.key_id not in office_ids
    # The office's own passes still verify, expire and detect tampering.
    real = _office_pass(conf)
    code, out, _ = _run(capsys, "pass", "verify", real, "--config", str(conf))
    verdict = json.loads(out)
    assert code == 0 and verdict["valid"] and verdict["reason"] == "ok" and verdict["office"] == "KEJARI-KLK"
    assert set(verdict) == {"valid", "reason", "pass_id", "office", "expires_at"}
    code, out, _ = _run(capsys, "pass", "verify", real, "--at", "2099-01-01T00:00:00+00:00", "--config", str(conf))
    assert code == 1 and json.loads(out)["reason"] == "expired"
    tampered = real[:-3] + ("A" if real[-3] != "A" else "B") + real[-2:]
    code, out, _ = _run(capsys, "pass", "verify", tampered, "--config", str(conf))
    assert code == 1 and json.loads(out)["reason"] == "bad_signature"


def test_pass_verify_exits_2_on_unreadable_input_and_bad_time(conf, capsys):
    code, out, _ = _run(capsys, "pass", "verify", "not a token!", "--config", str(conf))
    assert code == 2 and json.loads(out)["reason"] == "unreadable"
    code, _, err = _run(capsys, "pass", "verify", "AAAA", "--at", "yesterday", "--config", str(conf))
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_ticket_print_then_reprint_from_the_command_line(conf, capsys):
    from kiosk.app.context import AppContext
    from kiosk.app.registration import GuestIdentity
    from kiosk.config import load_config

    _run(capsys, "keys", "init", "--config", str(conf))
    ctx = AppContext(load_config(conf))
    visit = ctx.registration.register(
        GuestIdentity(nik="5105014101900123", name="Tamu"), purpose="ptsp_service", host_id="ptsp",
        host_name="Petugas PTSP", consent=True,
    )
    ctx.close()
    code, out, _ = _run(capsys, "ticket", "print", visit.id, "--config", str(conf))
    first = json.loads(out)
    assert code == 0 and first["printed"]
    code, _, err = _run(capsys, "ticket", "print", visit.id, "--config", str(conf))
    assert code == 2 and "reprint" in err
    code, out, _ = _run(capsys, "ticket", "reprint", visit.id, "--config", str(conf))
    again = json.loads(out)
    assert code == 0 and again["pass_id"] == first["pass_id"] and again["reprint"] is True
    code, _, err = _run(capsys, "ticket", "reprint", "nope", "--config", str(conf))
    assert code == 2 and len(err.strip().splitlines()) == 1
