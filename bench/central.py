"""The central service under load, on PostgreSQL (durable: fsync on), over loopback.

1. Drain of a kiosk's backlog through the batch endpoint (goal > 500 visits/s), and its peer in the same
   run: the same visit bodies as plain one-visit posts over one keep-alive connection.
2. Simulated kiosks (50 / 200 / 500 / 1,000) with an async load generator (httpx): each kiosk, once per
   cycle, registers a visit, uploads its photo (binary JPEG), pushes two events and pulls its office's
   feed with its last ETag (a 304 when nothing changed). Requests/s and p50/p95/p99 latency beside the
   goal (p99 < 200 ms at 1,000 kiosks, 0 errors).

The load generator shares the machine's cores with the server and PostgreSQL: the figures are what this
machine does, not the service's ceiling.  `--quick` is a short run (smaller backlog, 3 s per level).
"""
from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.common import table

ROOT = Path(__file__).resolve().parent.parent
RUNNER_ARGV = ["--quick"]  # bench/run.py runs the short version; `python -m bench.central` the full one
OFFICES = [f"KEJARI-B{i:03d}" for i in range(50)]


def _visit(i: int, device: str = "lobby-1") -> dict:
    return {"visit_id": str(uuid.uuid4()), "device_id": device, "created_at": "2026-11-23T01:30:00.000+00:00",
            "expires_at": "2026-11-23T09:00:00.000+00:00", "state": "registered", "purpose": "meet_employee",
            "host_id": "kasi-pidum", "nama": f"Tamu Nomor {i}", "detail": "Bertemu pegawai - PT Contoh",
            "no_hp": "081234567890", "email": "", "alamat": f"Jl. Melati {i}", "no_identitas": f"5105014101{i % 10**6:06d}",
            "tipe_tamu": "Instansi", "tipe_pelayanan": "Tamu", "nama_pejabat": "I Gede Wirawan, S.H.",
            "jabatan": "Kepala Seksi Tindak Pidana Umum", "satker": "Kejaksaan Negeri Klungkung"}


def _event(to_state: str, from_state: str) -> dict:
    return {"event_id": str(uuid.uuid4()), "kind": "transition", "from_state": from_state, "to_state": to_state,
            "at": "2026-11-23T01:31:00.000+00:00", "actor": "staff:ptsp", "device_id": "lobby-1"}


def _photo() -> bytes:
    from PIL import Image

    rnd = random.Random(1)
    img = Image.new("RGB", (320, 240))
    img.putdata([(rnd.randrange(256), 120, 90) for _ in range(320 * 240)])
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def _tree_cpu(root_pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and all its descendants, exited ones included."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents, cpu = {}, {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            fields = Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(d)] = int(fields[1])
        cpu[int(d)] = sum(int(x) for x in fields[11:15]) / ticks  # its own and its reaped children's (backends)
    total, todo = 0.0, [root_pid]
    while todo:
        pid = todo.pop()
        total += cpu.get(pid, 0.0)
        todo += [p for p, pp in parents.items() if pp == pid]
    return total


def _postmaster_pid(svc) -> int:
    return int((svc.pg.data / "postmaster.pid").read_text().split()[0])


def _pct(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    s = sorted(samples)
    return s[min(len(s) - 1, int(q * len(s)))] * 1000


class Service:
    """PostgreSQL (durable) + `kiosk central serve --workers N` + credentials: one per simulated kiosk."""

    def __init__(self, workdir: Path, workers: int) -> None:
        from kiosk.central.pgtemp import PostgresServer

        self.pg = PostgresServer(durable=True).start()
        self.db_url = self.pg.create_database()
        self.workdir = workdir
        self.workers = workers
        self.env = {**os.environ, "KIOSK_CENTRAL_DB": self.db_url, "KIOSK_CENTRAL_KEY_FILE": str(workdir / "central.key"),
                    "KIOSK_CENTRAL_MAX_INFLIGHT": "2000", "KIOSK_CENTRAL_POOL_SIZE": "8"}
        self.proc = None
        self.url = ""

    def credentials(self, kiosks: int) -> list[tuple[str, str]]:
        """(office, token) for each kiosk: 50 offices, kiosks spread over them."""
        from sqlalchemy import insert

        from kiosk.central.db import open_engine
        from kiosk.central.models import credentials
        from kiosk.central.store import now_text, token_hash

        engine = open_engine(self.db_url, pool_size=1)
        out, rows = [], []
        for k in range(kiosks):
            office, token = OFFICES[k % len(OFFICES)], f"bench-{k}-{uuid.uuid4().hex}"
            rows.append({"id": str(uuid.uuid4()), "office": office, "device_id": f"kiosk-{k}",
                         "token_hash": token_hash(token), "created_at": now_text()})
            out.append((office, token))
        with engine.begin() as conn:
            conn.execute(insert(credentials), rows)
        engine.dispose()
        return out

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "central", "serve", "--port", "0", "--workers", str(self.workers)],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("central serving on"):
            raise RuntimeError(f"the central service did not start: {line!r}")
        self.url = line.split()[3]
        import httpx

        for _ in range(600):
            try:
                # every worker up: a few answers in a row
                if all(httpx.get(self.url + "/healthz", timeout=2).status_code == 200 for _ in range(20)):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the central service does not answer")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.pg.stop()


def drain(svc: Service, office: str, token: str, n_batch: int, n_single: int, batch_size: int = 200) -> dict:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    bodies = [_visit(i) for i in range(n_batch)]
    with httpx.Client(base_url=f"{svc.url}/v1/offices/{office}", headers=headers, timeout=60) as client:
        t = time.perf_counter()
        for start in range(0, n_batch, batch_size):
            chunk = bodies[start:start + batch_size]
            r = client.post("/batch", json={"items": [{"op": "visit", "idempotency_key": "v:" + b["visit_id"], "body": b}
                                                      for b in chunk]})
            r.raise_for_status()
            assert all(x["status"] == 201 for x in r.json()["results"])
        batch_s = time.perf_counter() - t
        singles = [{**b, "visit_id": str(uuid.uuid4())} for b in bodies[:n_single]]  # the same data, new visits
        t = time.perf_counter()
        for b in singles:
            r = client.post("/visits", json=b, headers={"Idempotency-Key": "s:" + b["visit_id"]})
            assert r.status_code == 201, r.text
        single_s = time.perf_counter() - t
    return {"batch_rate": n_batch / batch_s, "batch_s": batch_s, "single_rate": n_single / single_s, "single_s": single_s}


async def _kiosk(client, office: str, token: str, photo: bytes, period: float, until: float, lat: dict, errors: list,
                 rnd: random.Random) -> None:
    base = f"/v1/offices/{office}"
    auth = {"Authorization": f"Bearer {token}"}
    etag, cursor = "", "0"
    start = time.perf_counter()
    await asyncio.sleep(rnd.uniform(0, min(period, until - start) * 0.9))  # kiosks start spread over the run
    while True:
        cycle_start = time.perf_counter()
        v = _visit(rnd.randrange(10**6), "kiosk")
        vid = v["visit_id"]
        steps = [
            ("visit", "POST", f"{base}/visits", {"json": v, "headers": {**auth, "Idempotency-Key": "v:" + vid}}, (201,)),
            ("photo", "PUT", f"{base}/visits/{vid}/photo", {"content": photo, "headers": {**auth, "Content-Type": "image/jpeg"}}, (201,)),
            ("event", "POST", f"{base}/visits/{vid}/events", {"json": _event("waiting_host", "registered"),
                                                              "headers": {**auth, "Idempotency-Key": "e1:" + vid}}, (201,)),
            ("event", "POST", f"{base}/visits/{vid}/events", {"json": _event("accepted", "waiting_host"),
                                                              "headers": {**auth, "Idempotency-Key": "e2:" + vid}}, (201,)),
        ]
        for name, method, url, kw, ok in steps:
            t = time.perf_counter()
            try:
                r = await client.request(method, url, **kw)
                good = r.status_code in ok
            except Exception as exc:  # a timeout or a refused connection is an error of the run, counted
                good, r = False, exc
            lat[name].append(time.perf_counter() - t)
            if not good:
                errors.append(f"{name}: {getattr(r, 'status_code', r)!r}")
        t = time.perf_counter()
        try:
            r = await client.get(f"{base}/events", params={"since": cursor, "limit": "200"},
                                 headers={**auth, **({"If-None-Match": etag} if etag else {})})
            if r.status_code == 200:
                cursor, etag = r.json()["cursor"], r.headers.get("etag", "")
            elif r.status_code != 304:
                errors.append(f"pull: {r.status_code}")
        except Exception as exc:
            errors.append(f"pull: {exc!r}")
        lat["pull"].append(time.perf_counter() - t)
        next_cycle = cycle_start + period
        if next_cycle >= until:
            return
        await asyncio.sleep(max(0.0, next_cycle - time.perf_counter()))


async def _level(svc: Service, creds: list[tuple[str, str]], kiosks: int, seconds: float, period: float, photo: bytes) -> dict:
    import httpx

    lat: dict[str, list[float]] = {"visit": [], "photo": [], "event": [], "pull": []}
    errors: list[str] = []
    limits = httpx.Limits(max_connections=kiosks, max_keepalive_connections=kiosks)
    cpu_server, cpu_pg = _tree_cpu(svc.proc.pid), _tree_cpu(_postmaster_pid(svc))
    async with httpx.AsyncClient(base_url=svc.url, limits=limits, timeout=10) as client:
        t = time.perf_counter()
        until = t + seconds
        rnd = random.Random(kiosks)
        tasks = [asyncio.create_task(_kiosk(client, office, token, photo, period, until, lat, errors, random.Random(rnd.random())))
                 for office, token in creds[:kiosks]]
        done, late = await asyncio.wait(tasks, timeout=seconds + 15)  # a bounded run: what is still going is counted
        for task in late:
            task.cancel()
        errors += ["unfinished after the run's grace time"] * len(late)
        elapsed = time.perf_counter() - t
    cpu_server, cpu_pg = _tree_cpu(svc.proc.pid) - cpu_server, _tree_cpu(_postmaster_pid(svc)) - cpu_pg
    every = [x for v in lat.values() for x in v]
    n = max(1, len(every))
    return {"kiosks": kiosks, "requests": len(every), "rps": len(every) / elapsed, "offered": kiosks * 5 / min(period, seconds),
            "p50": _pct(every, 0.50), "p95": _pct(every, 0.95), "p99": _pct(every, 0.99), "errors": len(errors),
            "first_error": errors[:1], "p99_by": {k: _pct(v, 0.99) for k, v in lat.items()},
            "server_ms": cpu_server * 1000 / n, "pg_ms": cpu_pg * 1000 / n}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.central")
    parser.add_argument("--quick", action="store_true", help="short run: 2,000-visit backlog, 3 s per kiosk level")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (default 2: this machine's cores)")
    parser.add_argument("--levels", default="50,200,500,1000", help="simulated kiosk counts")
    parser.add_argument("--period", type=float, default=30.0,
                        help="seconds between a kiosk's cycles (visit+photo+2 events+pull); default 30, a busy hour's peak")
    args = parser.parse_args(argv)
    n_batch, n_single, seconds = (2000, 300, 4.0) if args.quick else (10_000, 1000, args.period)
    if args.quick:
        args.period = seconds  # compressed: every kiosk's cycle within 4 s (a heavier load than the goal's)
    levels = [int(x) for x in args.levels.split(",")]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-central-") as d:
        svc = Service(Path(d), args.workers)
        try:
            creds = svc.credentials(max(levels))
            svc.start()
            dr = drain(svc, *creds[0], n_batch, n_single)
            photo = _photo()
            results = [asyncio.run(_level(svc, creds, k, seconds, args.period, photo)) for k in levels]
        finally:
            svc.stop()
    print(f"Central service on loopback: {args.workers} uvicorn workers, PostgreSQL (fsync on) in a temp dir; "
          f"load generator in this process on the same {os.cpu_count()} cores")
    print(table(["backlog drain", "visits", "visits/s", "goal"], [
        ["batch endpoint (200 visits per request, one transaction)", f"{n_batch:,}", f"{dr['batch_rate']:,.0f}", "> 500/s"],
        ["peer: one POST per visit, keep-alive", f"{n_single:,}", f"{dr['single_rate']:,.0f}", ""],
    ]))
    print(f"Simulated kiosks: each does a cycle every {args.period:g} s, starts spread over the run (visit, binary photo {len(photo) // 1024} KB, "
          f"2 events, feed pull with ETag) for {seconds:g} s")
    rows = []
    for r in results:
        goal = "p99 < 200 ms, 0 errors" if r["kiosks"] == 1000 else ""
        rows.append([r["kiosks"], f"{r['offered']:,.0f}", f"{r['requests']:,}", f"{r['rps']:,.0f}", f"{r['p50']:.0f}",
                     f"{r['p95']:.0f}", f"{r['p99']:.0f}", r["errors"], f"{r['server_ms']:.1f}+{r['pg_ms']:.1f}", goal])
    print(table(["kiosks", "offered req/s", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors",
                 "CPU ms/req server+db", "goal"], rows))
    worst = results[-1]
    by = ", ".join(f"{k} {v:.0f} ms" for k, v in worst["p99_by"].items())
    print(f"p99 by request at {worst['kiosks']} kiosks: {by}")
    for r in results:
        if r["first_error"]:
            print(f"first error at {r['kiosks']} kiosks: {r['first_error'][0]}")
    met = dr["batch_rate"] > 500 and worst["p99"] < 200 and worst["errors"] == 0
    per_req = worst["server_ms"] + worst["pg_ms"]
    print(f"CPU per kiosk request (server workers + PostgreSQL, measured): {per_req:.1f} ms, so {worst['offered']:,.0f} req/s "
          f"({worst['kiosks']} kiosks) needs about {per_req * worst['offered'] / 1000:.1f} free cores; load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"goals {'met' if met else 'NOT met'} on this machine; bench took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
