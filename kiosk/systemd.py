"""systemd's notify protocol (sd_notify) over an AF_UNIX datagram socket, without libsystemd.

`Type=notify` units get `$NOTIFY_SOCKET`; with `WatchdogSec=` they also get `$WATCHDOG_USEC` (and
`$WATCHDOG_PID`). Outside systemd both are absent and every call here is a cheap no-op, so the app can
call them unconditionally.
"""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


def _address(raw: str) -> str | bytes | None:
    if not raw:
        return None
    if raw.startswith("@"):
        # Abstract namespace: a leading NUL instead of '@' (sd_notify(3)).
        return b"\0" + raw[1:].encode()
    if raw.startswith("/"):
        return raw
    return None  # vsock and other forms are not used on a kiosk


def watchdog_interval_s(env: Mapping[str, str] | None = None) -> float | None:
    """The watchdog timeout systemd expects us to beat (seconds), or None when there is no watchdog.

    A `WATCHDOG_PID` naming another process means the watchdog belongs to it (our parent), not to us.
    """
    env = os.environ if env is None else env
    usec = env.get("WATCHDOG_USEC", "")
    pid = env.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and pid.isdigit() and int(pid) != os.getpid():
        return None
    return int(usec) / 1_000_000


class SystemdNotifier:
    """One socket, opened once: a heartbeat costs one `sendto` (see bench/ops.py)."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.address = _address(env.get("NOTIFY_SOCKET", ""))
        self._sock: socket.socket | None = None
        if self.address is not None:
            # Non-blocking: a heartbeat must never stall the UI thread; a full queue is a missed beat.
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC | socket.SOCK_NONBLOCK)

    @property
    def enabled(self) -> bool:
        return self._sock is not None

    def notify(self, *assignments: str) -> bool:
        """Send `KEY=value` lines in one datagram; False when not under systemd or the send failed."""
        if self._sock is None:
            return False
        try:
            self._sock.sendto("\n".join(assignments).encode(), self.address)
        except OSError as exc:
            # systemd gone or socket not writable: the kiosk keeps running; systemd will act on the missing beat.
            log.warning("sd_notify failed", extra={"errno": exc.errno})
            return False
        return True

    def ready(self, status: str = "") -> bool:
        return self.notify("READY=1", *([f"STATUS={status}"] if status else []))

    def ping(self) -> bool:
        return self.notify("WATCHDOG=1")

    def status(self, text: str) -> bool:
        return self.notify(f"STATUS={text}")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def notify(*assignments: str, env: Mapping[str, str] | None = None) -> bool:
    """One-shot sd_notify for short-lived commands (`kiosk sync run` start-up, for example)."""
    n = SystemdNotifier(env)
    try:
        return n.notify(*assignments)
    finally:
        n.close()
