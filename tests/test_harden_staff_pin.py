"""Staff PIN: a lobby visitor cannot lock staff out for good; root can lift a lock-out; the PIN is asked for
without echo, twice, and never needs to be typed on a command line."""
from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from kiosk.app.staff import StaffLockedOut, StaffPinWrong
from tests.fixtures_harden import run_cli, write_config
from tests.fixtures_ops import PIN, pin_hash


@pytest.fixture
def staff_ctx(make_config):
    from kiosk.app.context import AppContext
    from kiosk.domain.clock import FixedClock

    cfg = make_config({"ui": {"staff_pin_hash": pin_hash(), "staff_pin_attempts": 3, "staff_lockout_s": 60,
                              "staff_pin_forget_s": 600}})  # fmt: skip
    ctx = AppContext(cfg, clock=FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC)))
    yield ctx
    ctx.close()


def _lock(ctx, wrong: int) -> None:
    for _ in range(wrong):
        with pytest.raises((StaffPinWrong, StaffLockedOut)):
            ctx.staff.check_pin("0000")
        if hasattr(ctx.clock, "advance"):
            ctx.clock.advance(seconds=1)


def test_wrong_pins_are_forgotten_after_a_quiet_period(staff_ctx):
    _lock(staff_ctx, 2)
    staff_ctx.clock.advance(seconds=601)
    with pytest.raises(StaffPinWrong) as exc:
        staff_ctx.staff.check_pin("0000")
    assert exc.value.attempts_left == 2  # counting from zero again


def test_a_lobby_visitor_cannot_keep_staff_locked_out(staff_ctx):
    """Wave after wave of wrong PINs: each lock-out ends, and after a quiet spell the next one is short again."""
    for _ in range(6):
        _lock(staff_ctx, 3)
        remaining = staff_ctx.staff.lockout_remaining_s()
        assert 0 < remaining <= 60
        staff_ctx.clock.advance(seconds=remaining + 600)
    staff_ctx.staff.check_pin(PIN)


def test_pin_reset_is_root_only_and_lifts_the_lock_out(tmp_path, capsys, monkeypatch):
    from kiosk.app.context import AppContext
    from kiosk.config import load_config

    cfg_path = write_config(tmp_path)
    text = cfg_path.read_text(encoding="utf-8").replace("idle_timeout_s = 90", f'idle_timeout_s = 90\nstaff_pin_hash = "{pin_hash()}"')
    cfg_path.write_text(text, encoding="utf-8")
    ctx = AppContext(load_config(cfg_path))
    _lock(ctx, ctx.config.ui.staff_pin_attempts)
    assert ctx.staff.lockout_remaining_s() > 0
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    code, _, err = run_cli(capsys, "staff", "pin-reset", "--config", str(cfg_path))
    assert code == 2 and "root" in err and ctx.staff.lockout_remaining_s() > 0
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    code, out, _ = run_cli(capsys, "staff", "pin-reset", "--config", str(cfg_path))
    assert code == 0 and "lifted" in out
    assert ctx.staff.lockout_remaining_s() == 0
    ctx.staff.check_pin(PIN)
    ctx.close()


def _on_a_terminal(*answers: str) -> tuple[int, str]:
    """Run `kiosk staff pin-hash` on a pseudo-terminal, answering each prompt; return exit code and the screen."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command on the terminal
        os.execv(sys.executable, [sys.executable, "-c", "import sys; from kiosk.cli import main; sys.exit(main())",
                                  "staff", "pin-hash"])  # fmt: skip
    screen = b""
    pending = list(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
            # Answer each prompt once it is shown (getpass flushes what was typed before it asked).
            if pending and screen.rstrip().endswith(b":") and screen.count(b"PIN") > len(answers) - len(pending):
                time.sleep(0.2)
                os.write(fd, pending.pop(0).encode() + b"\n")
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), screen.decode(errors="replace")


def test_pin_hash_asks_twice_without_echo_on_a_terminal():
    code, screen = _on_a_terminal("135790", "135790")
    assert code == 0, screen
    assert "135790" not in screen  # nothing typed is shown
    assert screen.count("PIN") >= 2 and "$argon2" in screen


def test_pin_hash_refuses_two_different_pins():
    code, screen = _on_a_terminal("135790", "135791")
    assert code == 2 and "differ" in screen and "$argon2" not in screen


def test_pin_hash_reads_stdin_only_when_it_is_not_a_terminal():
    run = subprocess.run([sys.executable, "-c", "import sys; from kiosk.cli import main; sys.exit(main())",
                          "staff", "pin-hash"], input="246810\n", capture_output=True, text=True, timeout=60)  # fmt: skip
    assert run.returncode == 0 and run.stdout.startswith("$argon2")
    with open("/dev/zero", "rb") as zeros:
        zero = subprocess.run([sys.executable, "-c", "import sys; from kiosk.cli import main; sys.exit(main())",
                               "staff", "pin-hash"], stdin=zeros, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert zero.returncode == 2 and "Traceback" not in zero.stderr
