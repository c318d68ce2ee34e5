"""Helpers for the operations tests: registering visits at chosen times, a staff PIN, a notify socket."""
from __future__ import annotations

import socket
from datetime import datetime
from pathlib import Path

from kiosk.app.registration import GuestIdentity

NIK_A = "5105011203900001"
NIK_B = "3171064508850002"
NAME_A = "Budi Santoso"
ADDRESS_A = "Jl. Melati No. 7, Semarapura"
PIN = "2468"


def register_at(ctx, at: datetime, *, nik: str = NIK_A, name: str = NAME_A, address: str = ADDRESS_A, photo: bool = True):
    """Register a visit as if at `at` (the context's FixedClock is moved there), with a photo file."""
    ctx.clock.set(at)
    visit = ctx.registration.register(
        GuestIdentity(nik, name, phone="081234567890", address=address),
        purpose="meet_employee", host_id="kajari", host_name="Kepala Kejaksaan", consent=True,
    )
    if photo:
        rel = ctx.photos.save(visit.id, b"\xff\xd8fake-jpeg")
        with ctx.db.transaction() as conn:
            conn.execute("UPDATE visits SET photo_path=? WHERE id=?", (rel, visit.id))
    return ctx.visits.get(visit.id)


def pin_hash(pin: str = PIN) -> str:
    from argon2 import PasswordHasher

    # Cheap parameters: a test does not need an hour of brute-force resistance.
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(pin)


class NotifySocket:
    """An AF_UNIX datagram socket standing in for systemd's notify socket."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(5)

    def env(self, watchdog_usec: int | None = None) -> dict[str, str]:
        env = {"NOTIFY_SOCKET": str(self.path)}
        if watchdog_usec:
            env["WATCHDOG_USEC"] = str(watchdog_usec)
        return env

    def recv(self, timeout: float = 5) -> str:
        self.sock.settimeout(timeout)
        return self.sock.recv(4096).decode()

    def drain(self) -> list[str]:
        out = []
        self.sock.setblocking(False)
        try:
            while True:
                out.append(self.sock.recv(4096).decode())
        except BlockingIOError:
            pass
        finally:
            self.sock.setblocking(True)
        return out

    def close(self) -> None:
        self.sock.close()
