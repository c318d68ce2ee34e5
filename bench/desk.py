"""The office web desk's live list on a real central service (PostgreSQL, durable; `kiosk central serve`).

1. Time to first byte and full download of today's list with 500 guests today, the page and the rows fragment
   that the page long-polls on the office feed; its peer in the same run: another office with 50 guests today.
2. Full render in Debian's chromium (Navigation Timing: responseStart and loadEventEnd) of the same pages.
3. The reports: the office's SKM/IKM + service-standard page, its PDF and CSV, and a national account's
   cross-office page, with 2,000 survey answers and the visits above.
4. Live-update latency: a kiosk's push (the kiosk's own CentralClient.push_visit) until the desk's open page in
   chromium shows the row (the page's own long poll, desk.js), p50/p95 over pushes at random moments; and the
   server's part alone: push until the rows fragment, fetched in a tight loop, holds the guest.

The load generator, the browser, the server and PostgreSQL share this machine's cores.
`--quick` (bench/run.py) takes fewer samples.
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.central import OFFICES, Service
from bench.common import table

RUNNER_ARGV = ["--quick"]
PASSWORD = "kata-sandi-bench-1"


def _pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def _visit(i: int, created: datetime, state: str = "waiting_host") -> dict:
    return {"visit_id": str(uuid.uuid4()), "device_id": "lobby-1", "created_at": created.isoformat(timespec="milliseconds"),
            "state": state, "purpose": "meet_employee", "host_id": "kasi-pidum", "nama": f"Tamu Nomor {i}",
            "detail": "Bertemu pegawai - PT Contoh", "no_hp": "081234567890", "alamat": f"Jl. Melati {i}",
            "no_identitas": f"5105014101{i % 10**6:06d}", "tipe_tamu": "Instansi", "nama_pejabat": "I Gede Wirawan, S.H.",
            "jabatan": "Kepala Seksi Tindak Pidana Umum", "satker": "Kejaksaan Negeri Klungkung"}


def seed(url: str, office: str, token: str, guests: int, tz: str) -> None:
    """`guests` visits registered today (local day) over the last hours, a third of them answered or inside."""
    from zoneinfo import ZoneInfo

    import httpx

    now = datetime.now(UTC)
    start = datetime.now(ZoneInfo(tz)).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    span = max(60.0, (now - start).total_seconds() - 60)
    rnd = random.Random(guests)
    items = []
    for i in range(guests):
        created = now - timedelta(seconds=rnd.uniform(30, span))
        body = _visit(i, created)
        items.append({"op": "visit", "idempotency_key": str(uuid.uuid4()), "body": body})
        if i % 3 == 0:
            items.append({"op": "event", "idempotency_key": str(uuid.uuid4()), "visit_id": body["visit_id"], "body": {
                "event_id": str(uuid.uuid4()), "kind": "transition", "from_state": "waiting_host",
                "to_state": "inside" if i % 2 else "accepted", "at": (created + timedelta(seconds=20)).isoformat(),
                "actor": "staff:ptsp", "device_id": "lobby-1"}})
    with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {token}"}) as c:
        for k in range(0, len(items), 200):
            r = c.post(f"{url}/v1/offices/{office}/batch", json={"items": items[k:k + 200]})
            r.raise_for_status()


def seed_surveys(url: str, office: str, token: str, n: int) -> None:
    import httpx

    rnd = random.Random(n)
    now = datetime.now(UTC)
    with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {token}"}) as c:
        for _ in range(n):
            body = {"response_id": str(uuid.uuid4()), "device_id": "survey-1",
                    "created_at": (now - timedelta(days=rnd.uniform(0, 60))).isoformat(timespec="milliseconds"),
                    "answers": [rnd.choice((2, 3, 3, 4, 4)) for _ in range(9)], "sex": rnd.choice(("L", "P"))}
            c.post(f"{url}/v1/offices/{office}/surveys", json=body).raise_for_status()


def login(url: str, office: str, name: str):
    import requests

    s = requests.Session()
    page = s.get(f"{url}/desk/login", timeout=10)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = s.post(f"{url}/desk/login", data={"office": office, "name": name, "password": PASSWORD, "csrf": csrf},
               allow_redirects=False, timeout=10)
    if r.status_code != 303:
        raise RuntimeError(f"log-in failed: {r.status_code}")
    return s


def http_timings(session, url: str, repeat: int) -> tuple[list[float], list[float], int]:
    """(time to first byte, time to the last byte) per request, seconds; and the body size."""
    ttfb, full, size = [], [], 0
    for _ in range(3):
        session.get(url, timeout=30).raise_for_status()
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = session.get(url, timeout=30, stream=True)
        t1 = time.perf_counter()
        body = r.content
        t2 = time.perf_counter()
        r.raise_for_status()
        ttfb.append(t1 - t0)
        full.append(t2 - t0)
        size = len(body)
    return ttfb, full, size


def _browser():
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None)
    if not binary or not driver:
        return None
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    opts = webdriver.ChromeOptions()
    opts.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800",
                "--no-first-run", "--disable-extensions", "--disable-background-networking"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=DriverService(executable_path=driver), options=opts)


def browser_login(b, url: str, office: str, name: str) -> None:
    from selenium.webdriver.common.by import By

    b.delete_all_cookies()
    b.get(f"{url}/desk/login?office={office}")
    b.find_element(By.ID, "name").send_keys(name)
    b.find_element(By.ID, "password").send_keys(PASSWORD)
    b.find_element(By.ID, "submit").click()
    for _ in range(200):
        if b.find_elements(By.ID, "rows"):
            return
        time.sleep(0.05)
    raise RuntimeError("the desk did not open")


def browser_render(b, url: str, repeat: int) -> tuple[list[float], list[float]]:
    """Navigation Timing of full page loads: (time to first byte, load event end), seconds."""
    ttfb, load = [], []
    for i in range(repeat + 2):
        b.get(url)
        for _ in range(200):
            t = b.execute_script("var n = performance.getEntriesByType('navigation')[0];"
                                 "return n && n.loadEventEnd > 0 ? [n.responseStart - n.startTime, n.loadEventEnd - n.startTime] : null")
            if t:
                break
            time.sleep(0.02)
        if i >= 2:
            ttfb.append(t[0] / 1000)
            load.append(t[1] / 1000)
    return ttfb, load


def live_latency(b, client, url: str, office: str, pushes: int, seq: int) -> list[float]:
    """Push with the kiosk's client at random moments of the page's polling cycle; time until the row is in the DOM."""
    b.get(f"{url}/desk/{office}/today")
    time.sleep(2)
    rnd = random.Random(seq)
    out = []
    for k in range(pushes):
        time.sleep(rnd.uniform(0, 1.5))
        body = _visit(seq + k, datetime.now(UTC))
        t0 = time.perf_counter()
        client.push_visit(body, str(uuid.uuid4()))
        row = f"v-{body['visit_id']}"
        while not b.execute_script(f"return !!document.getElementById('{row}')"):
            if time.perf_counter() - t0 > 15:
                raise RuntimeError("the pushed guest did not appear within 15 s")
            time.sleep(0.01)
        out.append(time.perf_counter() - t0)
    return out


def server_latency(session, client, url: str, office: str, pushes: int, seq: int) -> list[float]:
    """The server's part: push, then fetch the rows fragment until it names the guest."""
    out = []
    for k in range(pushes):
        body = _visit(seq + k, datetime.now(UTC))
        t0 = time.perf_counter()
        client.push_visit(body, str(uuid.uuid4()))
        while body["visit_id"] not in session.get(f"{url}/desk/{office}/today/rows", timeout=30).text:
            pass
        out.append(time.perf_counter() - t0)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.desk")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    repeat, pushes = (10, 10) if args.quick else (40, 40)

    from kiosk.central.desk import DeskStore
    from kiosk.central.settings import CentralSettings
    from kiosk.sync.central import CentralClient

    tz = CentralSettings().timezone
    with tempfile.TemporaryDirectory() as d:
        svc = Service(Path(d), args.workers)
        try:
            creds = svc.credentials(2)
            svc.start()
            big, small = (OFFICES[0], 500), (OFFICES[1], 50)
            from kiosk.central.db import open_engine
            from kiosk.central.keys import CentralKeys

            engine = open_engine(svc.db_url, pool_size=1)
            desk = DeskStore(engine, CentralKeys.from_file(Path(d) / "central.key"))
            for (office, n), (_, token) in zip((big, small), creds, strict=True):
                seed(svc.url, office, token, n, tz)
                desk.add_user(office, "bench", "ptsp", PASSWORD)
            engine.dispose()

            rows = []
            for (office, n), _cred in zip((big, small), creds, strict=True):
                s = login(svc.url, office, "bench")
                for what, path in (("page", f"/desk/{office}/today"), ("rows fragment", f"/desk/{office}/today/rows")):
                    ttfb, full, size = http_timings(s, svc.url + path, repeat)
                    rows.append([n, what, f"{size / 1024:.0f} KiB", f"{statistics.median(ttfb) * 1000:.0f}",
                                 f"{_pct(ttfb, 0.95) * 1000:.0f}", f"{statistics.median(full) * 1000:.0f}",
                                 f"{_pct(full, 0.95) * 1000:.0f}"])
            print(table(["guests today", "request", "size", "TTFB p50 ms", "TTFB p95 ms", "full p50 ms", "full p95 ms"], rows))

            seed_surveys(svc.url, big[0], creds[0][1], 500 if args.quick else 2000)
            engine = open_engine(svc.db_url, pool_size=1)
            DeskStore(engine, CentralKeys.from_file(Path(d) / "central.key")).add_user("NASIONAL", "pusat", "national", PASSWORD)
            engine.dispose()
            today = datetime.now(UTC).date()
            q = f"from={(today - timedelta(days=90)).isoformat()}&to={today.isoformat()}&unit=month"
            office_s, national = login(svc.url, big[0], "bench"), login(svc.url, "NASIONAL", "pusat")
            rows = []
            for who, sess, path in (("office", office_s, f"/desk/{big[0]}/reports?{q}"),
                                    ("office", office_s, f"/desk/{big[0]}/reports.pdf?{q}"),
                                    ("office", office_s, f"/desk/{big[0]}/reports/skm.csv?{q}"),
                                    ("office", office_s, f"/desk/{big[0]}/reports/service.csv?{q}"),
                                    ("national (2 offices)", national, f"/desk/NASIONAL/reports?{q}")):
                _ttfb, full, size = http_timings(sess, svc.url + path, max(5, repeat // 2))
                rows.append([who, path.split("?")[0].split("/", 3)[3], f"{size / 1024:.0f} KiB",
                             f"{statistics.median(full) * 1000:.0f}", f"{_pct(full, 0.95) * 1000:.0f}"])
            print()
            print(table(["reader", "request (90 days, per month)", "size", "full p50 ms", "full p95 ms"], rows))
            print(f"({500 if args.quick else 2000} survey answers, {big[1] + small[1]} visits with their events)")

            b = _browser()
            if b is None:
                print("chromium/chromedriver not installed: no browser figures")
                return
            try:
                rows, lat_rows = [], []
                for (office, n), (_, token) in zip((big, small), creds, strict=True):
                    browser_login(b, svc.url, office, "bench")
                    ttfb, load = browser_render(b, f"{svc.url}/desk/{office}/today", repeat)
                    rows.append([n, f"{statistics.median(ttfb) * 1000:.0f}", f"{_pct(ttfb, 0.95) * 1000:.0f}",
                                 f"{statistics.median(load) * 1000:.0f}", f"{_pct(load, 0.95) * 1000:.0f}"])
                    client = CentralClient(svc.url, office, token=token)
                    live = live_latency(b, client, svc.url, office, pushes, 10_000 + n)
                    server = server_latency(login(svc.url, office, "bench"), client, svc.url, office, pushes, 20_000 + n)
                    client.close()
                    lat_rows.append([n, f"{statistics.median(live):.2f}", f"{_pct(live, 0.95):.2f}", f"{max(live):.2f}",
                                     f"{statistics.median(server) * 1000:.0f}", f"{_pct(server, 0.95) * 1000:.0f}", "< 2 s"])
                print()
                print(table(["guests today", "chromium TTFB p50 ms", "TTFB p95 ms", "load event p50 ms", "load p95 ms"], rows))
                print()
                print(table(["guests today", "push->row in chromium p50 s", "p95 s", "max s",
                             "push->rows fragment p50 ms", "p95 ms", "goal"], lat_rows))
                print(f"(n={pushes} pushes per office at random moments of the page's long poll; "
                      f"{repeat} page loads per figure; {args.workers} server worker)")
            finally:
                b.quit()
        finally:
            svc.stop()


if __name__ == "__main__":
    main()
