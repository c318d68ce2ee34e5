"""systemd integration: sd_notify over a datagram socket, the units verify, install.sh into a temporary root."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from kiosk.systemd import SystemdNotifier, notify, watchdog_interval_s
from tests.fixtures_ops import NotifySocket

ROOT = Path(__file__).resolve().parent.parent
UNITS = ["kiosk@.service", "kiosk-sync.service", "kiosk-purge.service", "kiosk-purge.timer"]


@pytest.fixture
def notify_socket(tmp_path):
    s = NotifySocket(tmp_path / "notify.sock")
    yield s
    s.close()


def test_ready_and_watchdog_reach_the_notify_socket(notify_socket):
    n = SystemdNotifier(notify_socket.env())
    assert n.ready("role guest")
    assert notify_socket.recv() == "READY=1\nSTATUS=role guest"
    assert n.ping()
    assert notify_socket.recv() == "WATCHDOG=1"
    assert n.stopping()
    assert notify_socket.recv() == "STOPPING=1"
    n.close()


def test_abstract_namespace_socket_is_addressed_with_a_leading_nul():
    import socket

    name = f"kiosk-test-{os.getpid()}"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(b"\0" + name.encode())
    s.settimeout(5)
    try:
        assert notify("WATCHDOG=1", env={"NOTIFY_SOCKET": "@" + name})
        assert s.recv(100) == b"WATCHDOG=1"
    finally:
        s.close()


def test_outside_systemd_notifying_is_a_quiet_no_op():
    n = SystemdNotifier({})
    assert not n.enabled
    assert not n.ready()
    assert not n.ping()


def test_a_vanished_notify_socket_does_not_crash_the_kiosk(tmp_path):
    n = SystemdNotifier({"NOTIFY_SOCKET": str(tmp_path / "gone.sock")})
    assert n.enabled
    assert n.ping() is False


def test_watchdog_interval_comes_from_watchdog_usec_for_this_process_only():
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000"}) == 30.0
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}) == 30.0
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid() + 1)}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "0"}) is None
    assert watchdog_interval_s({}) is None


def _unit(name: str) -> dict[str, list[str]]:
    """key -> values of a unit file (all sections together)."""
    out: dict[str, list[str]] = {}
    for line in (ROOT / "systemd" / name).read_text().splitlines():
        m = re.match(r"^([A-Za-z]+)=(.*)$", line)
        if m:
            out.setdefault(m.group(1), []).append(m.group(2))
    return out


def test_kiosk_unit_is_a_watched_notify_service_of_an_unprivileged_user():
    u = _unit("kiosk@.service")
    assert u["Type"] == ["notify"]
    assert u["Restart"] == ["always"]
    assert int(u["WatchdogSec"][0]) >= 10
    assert u["User"] == ["kiosk"]
    assert "--role %i" in u["ExecStart"][0]
    # The hardening must leave the peripherals reachable.
    assert "PrivateDevices" not in u
    allowed = " ".join(u["DeviceAllow"])
    for dev in ("usb_device", "ttyUSB", "ttyACM", "video4linux", "drm", "input"):
        assert dev in allowed
    assert u["NoNewPrivileges"] == ["yes"] and u["ProtectSystem"] == ["strict"]


def test_service_user_is_in_the_device_groups():
    text = (ROOT / "systemd" / "kiosk.sysusers").read_text()
    groups = set(re.findall(r"^m kiosk (\S+)$", text, re.M))
    assert {"dialout", "video", "render", "input", "lp", "plugdev"} <= groups


def test_udev_rules_give_stable_names_and_group_access():
    rules = [ln for ln in (ROOT / "systemd" / "70-kiosk.rules").read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    assert rules
    pair = re.compile(r'^\s*([A-Z_]+(\{[^}]+\})?)\s*(==|!=|\+=|=|:=)\s*"[^"]*"\s*$')
    for rule in rules:
        parts = rule.split(",")
        assert all(pair.match(p) for p in parts), rule
        assert any(p.strip().startswith(("GROUP=", "MODE=")) for p in parts), rule
    text = "\n".join(rules)
    for link in ("kiosk-printer", "kiosk-lockers", "kiosk-scanner"):
        assert f'SYMLINK+="{link}"' in text


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """systemd/install.sh into a temporary root (the program without its dependencies: no network for Kivy)."""
    # ./bootstrap.sh test installs Debian's systemd package for these: missing tools are a failure.
    assert shutil.which("systemd-sysusers") and shutil.which("systemctl"), "systemd tools are not installed"
    root = tmp_path_factory.mktemp("root")
    cmdline = root / "boot" / "firmware" / "cmdline.txt"
    cmdline.parent.mkdir(parents=True)
    cmdline.write_text("console=tty1 root=PARTUUID=1234-02 rootwait\n")
    proc = subprocess.run(
        ["bash", str(ROOT / "systemd" / "install.sh"), "--root", str(root), "--role", "security", "--no-deps", "--pi"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return root


def test_install_puts_program_config_data_and_units_in_place(installed):
    root = installed
    assert os.access(root / "opt/kiosk/venv/bin/kiosk", os.X_OK)
    assert (root / "opt/kiosk/assets/i18n/strings.toml").is_file()
    passwd = (root / "etc/passwd").read_text()
    assert re.search(r"^kiosk:x:\d+:\d+:.*:/var/lib/kiosk:/usr/sbin/nologin$", passwd, re.M)
    assert re.search(r"^dialout:x:\d+:kiosk$", (root / "etc/group").read_text(), re.M)
    for unit in UNITS:
        assert (root / "etc/systemd/system" / unit).is_file()
    assert (root / "etc/udev/rules.d/70-kiosk.rules").is_file()
    # Enabled: the chosen role, the sync worker and the purge timer.
    assert (root / "etc/systemd/system/multi-user.target.wants/kiosk@security.service").is_symlink()
    assert (root / "etc/systemd/system/multi-user.target.wants/kiosk-sync.service").is_symlink()
    assert (root / "etc/systemd/system/timers.target.wants/kiosk-purge.timer").is_symlink()
    assert (root / "var/lib/kiosk/keys").stat().st_mode & 0o777 == 0o700
    data_key = root / "var/lib/kiosk/keys/data.key"
    assert data_key.stat().st_size == 32 and data_key.stat().st_mode & 0o777 == 0o600
    assert "consoleblank=0" in (root / "boot/firmware/cmdline.txt").read_text()
    assert "SDL_VIDEODRIVER=kmsdrm" in (root / "etc/kiosk/kiosk.env").read_text()


def test_installed_config_is_valid_and_points_at_var_lib(installed):
    from kiosk.config import load_config

    path = installed / "etc/kiosk/kiosk.toml"
    assert path.stat().st_mode & 0o777 == 0o640
    cfg = load_config(path)
    assert cfg.kiosk.role == "security"
    assert cfg.data_dir == Path("/var/lib/kiosk/data")
    assert cfg.path(cfg.privacy.key_file) == Path("/var/lib/kiosk/keys/data.key")
    assert cfg.logging.file == "/var/log/kiosk/kiosk.jsonl"
    assert cfg.ui.fullscreen is True
    raw = tomllib.loads(path.read_text())
    assert raw["privacy"]["retention_days"] == 30


def test_installed_entry_point_runs(installed, tmp_path):
    # The installed config logs to /var/log/kiosk on the kiosk; here into this test's directory, so the
    # test neither needs root nor writes outside its temporary root.
    config = installed / "etc/kiosk/kiosk.toml"
    local = tmp_path / "kiosk.toml"
    text = config.read_text()
    assert 'file = "/var/log/kiosk/kiosk.jsonl"' in text
    local.write_text(text.replace('file = "/var/log/kiosk/kiosk.jsonl"', f'file = "{tmp_path}/kiosk.jsonl"'))
    proc = subprocess.run(
        [str(installed / "opt/kiosk/venv/bin/kiosk"), "config", "check", "--config", str(local)],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "role security" in proc.stdout


def test_installed_units_pass_systemd_analyze_verify(installed):
    root = installed
    assert shutil.which("systemd-analyze"), "systemd-analyze is not installed"
    # verify --root needs the distribution's units (sysinit.target ...) inside the root.
    if not (root / "usr/lib/systemd/system").exists():
        shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    units = root / "etc/systemd/system"
    shutil.copy(units / "kiosk@.service", units / "kiosk@guest.service")
    for unit in ["kiosk@guest.service", "kiosk-sync.service", "kiosk-purge.service", "kiosk-purge.timer"]:
        proc = subprocess.run(
            ["systemd-analyze", "verify", f"--root={root}", str(units / unit)], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 0, proc.stderr
        # Unknown keys and bad values are only warnings: any line about our unit is a defect.
        assert proc.stderr.strip() == "", proc.stderr
