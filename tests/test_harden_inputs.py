"""Bad input never ends in a traceback: each case below once did; now one clear line and exit 2."""
from __future__ import annotations

import json
import os
import struct
import threading
import zlib

import pytest

from tests.fixtures_harden import assert_one_line_exit_2, run_cli, write_config


def _huge_png(path) -> None:
    """A small file whose header claims 100000 x 100000 pixels (OpenCV raised cv2.error on it)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 4096)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b""))


@pytest.mark.parametrize("command", [["scan"], ["ktp", "read"]])
def test_a_huge_image_is_refused_in_one_line(tmp_path, capsys, command):
    cfg = write_config(tmp_path)
    image = tmp_path / "huge.png"
    _huge_png(image)
    code, _, err = run_cli(capsys, *command, str(image), "--config", str(cfg))
    assert_one_line_exit_2(code, err)
    assert "huge.png" in err


@pytest.mark.parametrize("command", [["scan"], ["ktp", "read"], ["survey", "import"]])
def test_dev_zero_as_an_input_file_is_refused_not_read_forever(tmp_path, capsys, command):
    cfg = write_config(tmp_path)
    code, _, err = run_cli(capsys, *command, "/dev/zero", "--config", str(cfg))
    assert_one_line_exit_2(code, err)


def test_dev_zero_and_a_folder_as_the_config_are_refused(tmp_path, capsys):
    for bad in ("/dev/zero", str(tmp_path)):
        code, _, err = run_cli(capsys, "config", "check", "--config", bad)
        assert_one_line_exit_2(code, err)
        assert "regular file" in err


def test_a_fifo_as_the_config_is_refused_at_once(tmp_path, capsys):
    fifo = tmp_path / "kiosk.toml"
    os.mkfifo(fifo)
    result = {}

    def check():
        result["run"] = run_cli(capsys, "config", "check", "--config", str(fifo))

    t = threading.Thread(target=check, daemon=True)
    t.start()
    t.join(20)
    if t.is_alive():  # open() of a FIFO without a writer blocks: give it one so the thread ends
        with open(fifo, "w"):
            pass
        t.join(5)
        pytest.fail("a FIFO as the config hangs the command")
    code, _, err = result["run"]
    assert_one_line_exit_2(code, err)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_calendar_edge_dates_are_a_usage_error(tmp_path, capsys, day):
    cfg = write_config(tmp_path)
    for args in (
        ["visits", "list", "--date", day],
        ["survey", "report", "--from", day, "--to", "9999-12-31"],
        ["report", "service", "--from", "0001-01-01", "--to", day],
    ):
        code, _, err = run_cli(capsys, *args, "--config", str(cfg))
        assert_one_line_exit_2(code, err)
        assert "1970-01-01" in err


@pytest.mark.parametrize("report", [["survey", "report"], ["report", "service"]])
def test_png_report_to_a_folder_writes_the_default_name_inside_it(tmp_path, capsys, report):
    cfg = write_config(tmp_path)
    out = tmp_path / "reports"
    out.mkdir()
    code, stdout, err = run_cli(capsys, *report, "--from", "2026-11-01", "--to", "2026-11-30", "--format", "png",
                                "--output", str(out), "--config", str(cfg))  # fmt: skip
    assert code == 0, err
    written = list(out.iterdir())
    assert len(written) == 1 and written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert stdout.strip() == str(written[0])


def test_deeply_nested_toml_is_a_config_error(tmp_path, capsys):
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "config", "check", "--config", str(cfg))
    assert_one_line_exit_2(code, err)
    assert "nested" in err


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Asia/Jakarta ", "../../etc/passwd", "", "UTC\x00"])
def test_an_unknown_time_zone_fails_config_check_not_a_later_report(tmp_path, capsys, zone):
    cfg = write_config(tmp_path, office_extra=f"timezone = {json.dumps(zone)}")
    code, _, err = run_cli(capsys, "config", "check", "--config", str(cfg))
    assert_one_line_exit_2(code, err)
    assert "office.timezone" in err


@pytest.mark.parametrize("args", [["purge"], ["visits", "list"], ["gate", "scan", "ABCDEFGH"], ["privacy", "log"]])
def test_a_corrupt_database_is_one_line(tmp_path, capsys, args):
    cfg = write_config(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "kiosk.sqlite3").write_bytes(b"this is not a database" * 400)
    code, _, err = run_cli(capsys, *args, "--config", str(cfg))
    assert_one_line_exit_2(code, err)
    assert "kiosk.sqlite3" in err


def test_a_database_damaged_after_opening_is_one_line(tmp_path, capsys):
    """Pages torn after the header: opening works, reading the visits fails."""
    cfg = write_config(tmp_path)
    assert run_cli(capsys, "visits", "list", "--config", str(cfg))[0] == 0
    db = tmp_path / "data" / "kiosk.sqlite3"
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        roots = [r[0] for r in conn.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name='visits'")]
    conn.close()
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    for root in roots:
        start = (root - 1) * page
        data[start : start + page] = b"\xa5" * page
    db.write_bytes(bytes(data))
    for name in ("kiosk.sqlite3-wal", "kiosk.sqlite3-shm"):
        (tmp_path / "data" / name).unlink(missing_ok=True)
    code, _, err = run_cli(capsys, "visits", "list", "--date", "2026-11-23", "--config", str(cfg))
    assert_one_line_exit_2(code, err)


def test_a_fifo_or_a_device_as_the_log_file_neither_hangs_nor_is_chmodded(tmp_path, capsys):
    fifo = tmp_path / "log.fifo"
    os.mkfifo(fifo)
    null_mode = os.stat("/dev/null").st_mode
    for target, ok in ((fifo, False), ("/dev/null", True)):
        cfg = write_config(tmp_path, tail=f'\n[logging]\nfile = "{target}"\n')
        code, _, err = run_cli(capsys, "visits", "list", "--date", "2026-11-23", "--config", str(cfg))
        if ok:
            assert code == 0, err
        else:
            assert_one_line_exit_2(code, err)
    assert os.stat("/dev/null").st_mode == null_mode


@pytest.mark.parametrize("args", [["pass", "verify", "x", "--at=--"], ["visits", "export", "--nik=--"],
                                  ["visits", "list", "--date=--"], ["survey", "report", "--from=--", "--to=--"]])
def test_an_option_given_as_double_dash_is_a_usage_error(tmp_path, capsys, args):
    """Found by the sweep: argparse turned `--opt=--` into an empty list, and the command crashed on it."""
    code, _, err = run_cli(capsys, *args, "--config", str(write_config(tmp_path)))
    assert_one_line_exit_2(code, err)
    assert "needs a value" in err


def test_a_config_key_with_a_newline_is_reported_on_one_line(tmp_path, capsys):
    """Found by the config fuzzing: an unknown key holding a newline split the error over two lines."""
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('[devices]\n"bad\\nkey" = 1\n', encoding="utf-8")
    code, _, err = run_cli(capsys, "config", "check", "--config", str(cfg))
    assert_one_line_exit_2(code, err)
    assert "bad\\nkey" in err
