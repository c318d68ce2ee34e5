"""A throwaway PostgreSQL server for the tests and benchmarks of the central service: initdb + pg_ctl in a
temp dir, listening only on a unix socket there (no TCP port to collide with anything), durability off
(fsync off: it is thrown away). As root it runs as the `postgres` user the Debian package creates (or
`nobody`): PostgreSQL refuses to run as root. Never for production data."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
            return user
        except KeyError:
            continue
    raise RuntimeError("running as root and neither a postgres nor a nobody user exists")


class PostgresServer:
    """`durable=True` keeps fsync and synchronous commit on, as in production (the benchmarks use it)."""

    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable
        bin_dir = _bin_dir()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed: ./bootstrap.sh test installs it (Debian package postgresql)")
        self.bin = bin_dir
        self.user = _run_as()
        self.dir = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
        self.data = self.dir / "data"
        self.socket_dir = self.dir / "run"
        self.socket_dir.mkdir()
        if self.user:
            info = pwd.getpwnam(self.user)
            os.chmod(self.dir, 0o755)
            for p in (self.dir, self.socket_dir):
                os.chown(p, info.pw_uid, info.pw_gid)

    def _cmd(self, *args: str) -> list[str]:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return prefix + list(args)

    def start(self) -> PostgresServer:
        subprocess.run(self._cmd(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                                 "-E", "UTF8", "--no-sync", "--locale=C"),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        opts = f"-c listen_addresses='' -k {self.socket_dir} -c max_connections=400 -c shared_buffers=128MB"
        if not self.durable:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(self._cmd(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-w", "-t", "60",
                                 "-l", str(self.dir / "server.log"), "start"),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return self

    def stop(self) -> None:
        subprocess.run(self._cmd(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@/{dbname}?host={self.socket_dir}"

    def create_database(self) -> str:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(host=str(self.socket_dir), user="postgres", dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
