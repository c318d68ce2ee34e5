"""Erasure that erases: no byte of a forgotten guest is left in the database, its WAL or the photo folder while
the app still holds the database open; personal fields are never stored in plaintext; files are private."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from tests.fixtures_harden import run_cli, write_config
from tests.fixtures_ops import NIK_A, NIK_B, register_at

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
NAME = "Wayan Rahasiawati"
PHONE = "081999777555"
INSTITUTION = "LBH Saksi Pelapor"


def _register(ctx, at, nik=NIK_A):
    from kiosk.app.registration import GuestIdentity

    ctx.clock.set(at)
    visit = ctx.registration.register(
        GuestIdentity(nik, NAME, phone=PHONE, address="Jl. Kenanga 3", institution=INSTITUTION),
        purpose="meet_employee", host_id="kajari", host_name="Kepala Kejaksaan", consent=True,
    )  # fmt: skip
    rel = ctx.photos.save(visit.id, b"\xff\xd8" + NAME.encode() + b"-face")
    with ctx.db.transaction() as conn:
        conn.execute("UPDATE visits SET photo_path=? WHERE id=?", (rel, visit.id))
    return visit


def _leftovers(ctx, visit_id: str = "") -> list[str]:
    """Plaintext personal data anywhere in the data folder, and the visit's photo file (encrypted, but it must
    go too)."""
    data_dir = ctx.config.data_dir
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    secrets = {s: [s.encode(), s.encode("utf-16-le")] for s in (NAME, PHONE, INSTITUTION, NIK_A)}
    found = [f"photo file {f.name}" for f in files if visit_id and f.name.startswith(visit_id)]
    for f in files:
        blob = f.read_bytes()
        for secret, forms in secrets.items():
            if any(form in blob for form in forms):
                found.append(f"{secret} in {f.name}")
    return found


def test_personal_fields_are_not_stored_in_plaintext(context):
    _register(context, NOW)
    row = dict(context.db.conn.execute("SELECT * FROM guests").fetchone())
    text = repr(row)
    for secret in (NAME, PHONE, INSTITUTION, NIK_A):
        assert secret not in text
    g = context.guests.find_by_nik(NIK_A)
    assert (g.name, g.phone, g.institution) == (NAME, PHONE, INSTITUTION)
    assert [x.id for x in context.guests.find_by_phone("0819-9977-7555")] == [g.id]


@pytest.mark.parametrize("how", ["forget", "purge"])
def test_a_forgotten_guest_leaves_no_byte_in_database_wal_or_photos_while_the_app_holds_it_open(make_config, how):
    from kiosk.app.context import AppContext
    from kiosk.domain.clock import FixedClock

    cfg = make_config()
    app = AppContext(cfg, clock=FixedClock(NOW))  # the running kiosk: its connection stays open throughout
    staff = AppContext(cfg, clock=FixedClock(NOW))  # the CLI or the purge timer
    try:
        register_at(app, NOW - timedelta(days=1), nik=NIK_B, name="Siti Lain")
        at = NOW - timedelta(days=60) if how == "purge" else NOW - timedelta(hours=1)
        visit = _register(app, at)
        app.db.conn.execute("SELECT COUNT(*) FROM guests").fetchone()  # the app has read the guest
        assert _leftovers(app, visit.id), "the test must see the guest before it is erased"
        if how == "forget":
            staff.privacy.forget(NIK_A)
        else:
            staff.clock.set(NOW)
            assert staff.privacy.purge().guests == 1
        assert app.db.conn.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 1  # still open, still works
        assert _leftovers(app, visit.id) == []
    finally:
        staff.close()
        app.close()


def test_rows_written_in_plaintext_before_are_encrypted_when_the_store_opens(make_config):
    from kiosk.app.context import AppContext

    cfg = make_config()
    ctx = AppContext(cfg)
    ctx.db.migrate()
    with ctx.db.transaction() as conn:
        conn.execute(
            "INSERT INTO guests(nik_hash, nik_last4, name, phone, institution, created_at, updated_at)"
            " VALUES ('h', '0001', ?, ?, ?, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
            (NAME, PHONE, INSTITUTION),
        )
    ctx.close()
    ctx = AppContext(cfg)
    try:
        g = ctx.guests.get(1)
        assert (g.name, g.phone, g.institution) == (NAME, PHONE, INSTITUTION)
        assert _leftovers(ctx) == []
    finally:
        ctx.close()


SCRIPT = r"""
import os, sys
os.umask(0)
from kiosk.config import load_config
from kiosk.app.context import AppContext
from kiosk.app.registration import GuestIdentity
from kiosk.app.passes import init_keys
from kiosk.logs import setup_logging
import logging
cfg = load_config(sys.argv[1])
setup_logging("INFO", str(cfg.path(cfg.logging.file)))
logging.getLogger("t").info("hello")
init_keys(cfg)
ctx = AppContext(cfg)
v = ctx.registration.register(GuestIdentity("5105011203900001", "A B", phone="0811111111"), purpose="meet_employee",
                              host_id="kajari", host_name="K", consent=True)
from kiosk.files import private_dir, write_private
photos = private_dir(cfg.data_dir / "photos")
write_private(photos / "x.jpg", b"\xff\xd8")
ctx.close()
"""


def test_files_and_folders_are_private_whatever_the_umask(tmp_path, capsys):
    cfg = write_config(tmp_path, tail='\n[logging]\nfile = "' + str(tmp_path / "logs" / "kiosk.jsonl") + '"\n')
    subprocess.run([sys.executable, "-c", SCRIPT, str(cfg)], check=True, cwd=tmp_path)
    # The export CLI too, with umask 0 in this process.
    old = os.umask(0)
    try:
        assert run_cli(capsys, "visits", "export", "--nik", "5105011203900001", "--out", str(tmp_path / "export.json"),
                       "--config", str(cfg))[0] == 0  # fmt: skip
    finally:
        os.umask(old)
    checked = 0
    for p in [tmp_path / "data", tmp_path / "keys", tmp_path / "logs", tmp_path / "export.json",
              *(tmp_path / "data").rglob("*"), *(tmp_path / "keys").rglob("*"), *(tmp_path / "logs").rglob("*")]:
        mode = stat.S_IMODE(p.stat().st_mode)
        expected = 0o700 if p.is_dir() else 0o600
        assert mode == expected, f"{p}: {oct(mode)}"
        checked += 1
    names = {p.name for p in (tmp_path / "data").rglob("*")}
    assert {"kiosk.sqlite3", "photos"} <= names and checked > 8


def test_export_refuses_a_symlink_and_does_not_keep_an_old_mode(tmp_path, capsys):
    cfg = write_config(tmp_path)
    from kiosk.app.context import AppContext
    from kiosk.config import load_config

    ctx = AppContext(load_config(cfg))
    from kiosk.app.registration import GuestIdentity

    ctx.registration.register(GuestIdentity(NIK_A, "A B"), purpose="meet_employee", host_id="kajari",
                              host_name="K", consent=True)  # fmt: skip
    ctx.close()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    link = tmp_path / "out.json"
    link.symlink_to(victim)
    code, _, err = run_cli(capsys, "visits", "export", "--nik", NIK_A, "--out", str(link), "--config", str(cfg))
    assert code == 2 and "symbolic link" in err and len(err.strip().splitlines()) == 1
    assert victim.read_text(encoding="utf-8") == "keep me"
    old = tmp_path / "old.json"
    old.write_text("{}", encoding="utf-8")
    old.chmod(0o644)
    assert run_cli(capsys, "visits", "export", "--nik", NIK_A, "--out", str(old), "--config", str(cfg))[0] == 0
    assert stat.S_IMODE(old.stat().st_mode) == 0o600 and NIK_A in old.read_text(encoding="utf-8")
