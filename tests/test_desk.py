"""The office web desk on a real `kiosk central serve` process (PostgreSQL): accounts made by the CLI, log-in
with sessions and CSRF, lock-out, office binding, the audit log, the host's signed page, and one end-to-end
run in Debian's chromium (Selenium + chromedriver): a kiosk push appears on the live list, the officer
records the host's answer, the host accepts from the signed link, the pulled feed shows the states."""
from __future__ import annotations

import base64
import re
import shutil
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from tests.fixtures_sync import OFFICE, ROOT, TOKEN, CentralProcess, wait_for

OTHER = "KEJARI-DPS"
PASSWORD = "kata-sandi-panjang-1"
ARTIFACTS = ROOT / "test-artifacts" / "desk"


@pytest.fixture(scope="module")
def central(tmp_path_factory, postgres_server):
    work = tmp_path_factory.mktemp("desk")
    srv = CentralProcess(postgres_server.create_database(), work, seed_config=ROOT / "config" / "simulate.toml")
    srv.start()
    p = user_add(srv, OFFICE, "ani", "ptsp")  # as an administrator does it: the CLI, the password on stdin
    assert p.returncode == 0 and "added" in p.stdout, p.stderr
    from kiosk.central.desk import DeskStore

    accounts = DeskStore(srv.store.engine, srv.store.keys)
    for office, name, role in ((OFFICE, "cici", "ptsp"), (OFFICE, "kajari", "head"), (OFFICE, "dedi", "host"),
                               (OTHER, "budi", "ptsp")):
        accounts.add_user(office, name, role, PASSWORD)
    yield srv
    srv.stop()


def user_add(srv, office, name, role, password=PASSWORD):
    return subprocess.run([sys.executable, "-m", "kiosk", "central", "user", "add", "--office", office, "--role", role,
                           "--name", name], input=password + "\n", capture_output=True, text=True, cwd=ROOT,
                          env=srv.env(), timeout=60)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def push_visit(srv, nama="Budi Santoso", host="Kasi Pidum", photo=True, office=OFFICE) -> str:
    vid = str(uuid.uuid4())
    body = {"visit_id": vid, "device_id": "lobby-1", "created_at": now_iso(), "state": "waiting_host",
            "purpose": "meet_employee", "nama": nama, "satker": "Kejari Klungkung", "no_identitas": "5105014101900007",
            "no_hp": "081234567890", "alamat": "Jl. Melati 3", "tipe_tamu": "Umum", "host_id": "kasi-pidum",
            "nama_pejabat": host}
    if photo:  # the simulated camera's guest, as the kiosk's photo step takes it
        body["photo"] = base64.b64encode((ROOT / "assets" / "sim" / "flow" / "guest.jpg").read_bytes()).decode()
    r = requests.post(f"{srv.url}/v1/offices/{office}/visits", json=body, timeout=10,
                      headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    return vid


def feed_states(srv) -> dict[str, str]:
    states: dict[str, str] = {}
    for item in srv.get(f"/v1/offices/{OFFICE}/events", limit="1000")["events"]:
        states[item["visit_id"]] = item.get("state")
    return states


def login(srv, name="ani", office=OFFICE, password=PASSWORD) -> tuple[requests.Session, requests.Response]:
    s = requests.Session()
    page = s.get(f"{srv.url}/desk/login", timeout=10)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = s.post(f"{srv.url}/desk/login", data={"office": office, "name": name, "password": password, "csrf": csrf},
               allow_redirects=False, timeout=10)
    return s, r


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_accounts_sessions_csrf_and_lock_out(central):
    s, r = login(central)
    assert r.status_code == 303 and r.headers["location"] == f"/desk/{OFFICE}/today"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    # The password is stored as an argon2id hash, never in clear.
    stored = central.rows("select password_hash from desk_users where name = 'ani'")[0][0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored

    # A log-in form without its CSRF token is refused.
    bare = requests.post(f"{central.url}/desk/login", data={"office": OFFICE, "name": "ani", "password": PASSWORD},
                         allow_redirects=False, timeout=10)
    assert bare.status_code == 400 and "desk_session" not in bare.headers.get("set-cookie", "")

    # A POST action without the session's CSRF token changes nothing.
    vid = push_visit(central, photo=False)
    r = s.post(f"{central.url}/desk/{OFFICE}/visits/{vid}/answer", data={"answer": "accept"}, allow_redirects=False, timeout=10)
    assert r.status_code == 403
    r = s.post(f"{central.url}/desk/{OFFICE}/visits/{vid}/answer", data={"answer": "accept", "csrf": "forged"},
               allow_redirects=False, timeout=10)
    assert r.status_code == 403
    assert central.get(f"/v1/offices/{OFFICE}/visits/{vid}")["state"] == "waiting_host"
    page = s.get(f"{central.url}/desk/{OFFICE}/today", timeout=10)
    r = s.post(f"{central.url}/desk/{OFFICE}/visits/{vid}/answer", data={"answer": "decline", "csrf": csrf_of(page.text)},
               allow_redirects=False, timeout=10)
    assert r.status_code == 303
    assert central.get(f"/v1/offices/{OFFICE}/visits/{vid}")["state"] == "declined"

    # A forged or missing session cookie is no session.
    anon = requests.get(f"{central.url}/desk/{OFFICE}/today", cookies={"desk_session": "eyJ1Ijoi.forged"},
                        allow_redirects=False, timeout=10)
    assert anon.status_code == 303 and anon.headers["location"].startswith("/desk/login")

    # Five wrong passwords lock the account: then even the right one is refused.
    for i in range(5):
        _, r = login(central, "cici", password=f"wrong-password-{i}")
        assert r.status_code == (423 if i == 4 else 401), (i, r.status_code)
    _, r = login(central, "cici")
    assert r.status_code == 423 and "dikunci" in r.text
    _, r = login(central, "nobody")
    assert r.status_code == 401


def test_a_user_only_ever_sees_their_own_office(central):
    vid = push_visit(central, nama="Tamu Klungkung", photo=False)
    other, r = login(central, "budi", office=OTHER)
    assert r.status_code == 303 and r.headers["location"] == f"/desk/{OTHER}/today"
    for path in (f"/desk/{OFFICE}/today", f"/desk/{OFFICE}/today/rows"):
        r = other.get(central.url + path, allow_redirects=False, timeout=10)
        assert r.status_code == 403 and "Tamu Klungkung" not in r.text
    own = other.get(f"{central.url}/desk/{OTHER}/today", timeout=10)
    r = other.post(f"{central.url}/desk/{OFFICE}/visits/{vid}/checkout", data={"csrf": csrf_of(own.text)},
                   allow_redirects=False, timeout=10)
    assert r.status_code == 403
    assert central.get(f"/v1/offices/{OFFICE}/visits/{vid}")["state"] == "waiting_host"
    # A host account sees only its own guests (test_desk_office): not linked to a directory entry, nobody; the
    # Kajari reads the list but has no buttons.
    host, _ = login(central, "dedi")
    page = host.get(f"{central.url}/desk/{OFFICE}/today", timeout=10)
    assert page.status_code == 200 and "Tamu Klungkung" not in page.text and "belum ditautkan" in page.text
    head, _ = login(central, "kajari")
    page = head.get(f"{central.url}/desk/{OFFICE}/today", timeout=10)
    assert page.status_code == 200 and "Tamu Klungkung" in page.text and f"/visits/{vid}/answer" not in page.text
    assert head.post(f"{central.url}/desk/{OFFICE}/visits/{vid}/checkout", data={"csrf": csrf_of(page.text)},
                     allow_redirects=False, timeout=10).status_code == 403


def test_every_record_seen_or_changed_is_audited_and_the_nik_is_masked(central):
    s, _ = login(central)
    vid = push_visit(central, nama="Tamu Diaudit", photo=False)
    rows = s.get(f"{central.url}/desk/{OFFICE}/today/rows", timeout=10).text
    s.get(f"{central.url}/desk/{OFFICE}/today/rows", timeout=10)
    assert "Tamu Diaudit" in rows and "5105014101900007" not in rows and "0007" in rows
    page = s.get(f"{central.url}/desk/{OFFICE}/today", timeout=10)
    s.post(f"{central.url}/desk/{OFFICE}/visits/{vid}/checkout", data={"csrf": csrf_of(page.text)}, timeout=10)
    audit = central.rows("select actor, action, at from desk_audit where visit_id = :v order by seq", v=vid)
    assert [(a, b) for a, b, _ in audit] == [("user:ani", "seen"), ("user:ani", "checked_out")]
    assert all(at.endswith("Z") for _, _, at in audit)


def test_the_cli_refuses_bad_accounts_in_one_line(central):
    p = user_add(central, OFFICE, "ani", "ptsp")
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "already exists" in p.stderr
    p = user_add(central, OFFICE, "eka", "ptsp", password="short")
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "10" in p.stderr
    p = user_add(central, OFFICE, "eka", "janitor")
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_the_host_link_is_signed_and_expires(central):
    from kiosk.central.desk import host_link_path

    vid = push_visit(central, photo=False)
    key = central.store.keys.host_link_key
    good = host_link_path(key, OFFICE, vid, 600)
    assert requests.get(central.url + good, timeout=10).status_code == 200
    expired = host_link_path(key, OFFICE, vid, -5)
    forged = good[:-4] + ("0000" if not good.endswith("0000") else "1111")
    other_visit = good.replace(vid, str(uuid.uuid4()))
    for link in (expired, forged, other_visit):
        r = requests.get(central.url + link, timeout=10)
        assert r.status_code == 403, link
        exp, sig = re.search(r"exp=(\d+)&sig=(\w+)", link).groups()
        r = requests.post(central.url + link.split("?")[0], data={"exp": exp, "sig": sig, "answer": "accept"}, timeout=10)
        assert r.status_code == 403
    assert central.get(f"/v1/offices/{OFFICE}/visits/{vid}")["state"] == "waiting_host"
    # "I will be late" is an event in the feed too; the state stays until the host answers.
    exp, sig = re.search(r"exp=(\d+)&sig=(\w+)", good).groups()
    r = requests.post(central.url + good.split("?")[0], data={"exp": exp, "sig": sig, "answer": "late"}, timeout=10)
    assert r.status_code == 200 and 'id="done"' in r.text
    late = [i for i in central.get(f"/v1/offices/{OFFICE}/events", limit="1000")["events"]
            if i["visit_id"] == vid and i.get("event", {}).get("kind") == "host_late"]
    assert len(late) == 1 and late[0]["state"] == "waiting_host"


# --- the browser ---

def _chromium():
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None)
    if not binary or not driver:
        pytest.fail("Debian's chromium and chromium-driver are needed (./bootstrap.sh test installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800",
                "--lang=id", "--no-first-run", "--disable-extensions", "--disable-background-networking"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(executable_path=driver), options=opts)


@pytest.mark.slow
def test_in_chromium_a_kiosk_push_appears_live_and_the_answers_reach_the_feed(central):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser = _chromium()
    try:
        # The live list swaps its rows every 1.5 s: an element found a moment ago may be gone; look again.
        wait = WebDriverWait(browser, 10, poll_frequency=0.05,
                             ignored_exceptions=(StaleElementReferenceException, NoSuchElementException))

        def text_of(element_id):
            return wait.until(lambda b: b.find_element(By.ID, element_id).text)

        def click(css):
            wait.until(lambda b: b.find_element(By.CSS_SELECTOR, css).click() or True)

        def shot(name):
            browser.save_screenshot(str(ARTIFACTS / f"{name}.png"))

        browser.get(f"{central.url}/desk/login?office={OFFICE}")
        browser.find_element(By.ID, "name").send_keys("ani")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        shot("login")
        browser.find_element(By.ID, "submit").click()
        wait.until(EC.presence_of_element_located((By.ID, "rows")))
        assert "Tamu hari ini" in browser.page_source

        # A kiosk pushes a visit: the open page shows it without a reload.
        pushed_at = time.monotonic()
        first = push_visit(central, nama="Siti Rahma", host="Kasi Pidum")
        wait.until(EC.presence_of_element_located((By.ID, f"v-{first}")))
        latency = time.monotonic() - pushed_at
        print(f"desk live list: a kiosk push appeared after {latency:.2f} s")
        row = text_of(f"v-{first}")
        assert "Menunggu tuan rumah" in row and "Kasi Pidum" in row and "Bertemu pegawai" in row and "0007" in row
        assert "5105014101900007" not in browser.page_source
        second = push_visit(central, nama="Wayan Sudarma", host="Kasi Intel")
        wait.until(EC.presence_of_element_located((By.ID, f"v-{second}")))
        shot("today-desktop")

        # The officer records the host's answer (accept) for the first guest.
        click(f"#v-{first} button.accept")
        wait.until(lambda b: b.find_element(By.ID, f"v-{first}").get_attribute("data-state") == "accepted")
        assert "Diterima" in text_of(f"v-{first}")

        # English switch, then the phone width.
        browser.find_element(By.ID, "lang").click()
        wait.until(lambda b: "Today's guests" in b.page_source)
        assert "Waiting for the host" in text_of(f"v-{second}")
        browser.set_window_size(390, 844)
        shot("today-phone-en")
        browser.find_element(By.ID, "lang").click()
        wait.until(lambda b: "Tamu hari ini" in b.page_source)
        browser.set_window_size(1280, 800)

        # The host opens the signed link (no log-in) and accepts the second guest.
        link = wait.until(lambda b: b.find_element(By.CSS_SELECTOR, f"#v-{second} a.host-link").get_attribute("href"))
        browser.delete_all_cookies()
        browser.get(link)
        wait.until(EC.presence_of_element_located((By.ID, "accept")))
        assert browser.find_element(By.ID, "nama").text == "Wayan Sudarma"
        wait.until(lambda b: b.execute_script("var i = document.getElementById('photo'); return i && i.complete && i.naturalWidth > 0"))
        browser.set_window_size(390, 844)
        shot("host-phone")
        browser.find_element(By.ID, "accept").click()
        wait.until(EC.presence_of_element_located((By.ID, "done")))
        assert browser.find_element(By.ID, "state").text == "Diterima"
        shot("host-answered")

        # Kiosks and gates see both answers on their pull.
        states = wait_for(lambda: (s := feed_states(central)) and s.get(first) == "accepted" and s.get(second) == "accepted" and s,
                          timeout=10)
        assert states[first] == states[second] == "accepted"

        # Back at the desk: the officer checks the first guest out; the feed follows.
        browser.set_window_size(1280, 800)
        browser.get(f"{central.url}/desk/login?office={OFFICE}")
        browser.find_element(By.ID, "name").send_keys("ani")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.ID, "submit").click()
        wait.until(lambda b: b.find_element(By.ID, f"v-{second}").get_attribute("data-state") == "accepted")
        click(f"#v-{first} button.checkout")
        wait.until(lambda b: b.find_element(By.ID, f"v-{first}").get_attribute("data-state") == "checked_out")
        shot("today-after-answers")
        wait_for(lambda: feed_states(central).get(first) == "checked_out", timeout=10)
    finally:
        browser.quit()


def test_the_live_rows_long_poll_answers_on_a_push_and_an_unchanged_list_is_not_sent_again(central):
    import threading

    officer, _ = login(central)
    rows_url = f"{central.url}/desk/{OFFICE}/today/rows"
    first = officer.get(rows_url, timeout=10)
    seq, etag = int(first.headers["X-Feed-Seq"]), first.headers["ETag"]
    # Nothing changed: the same list is 304 by its ETag, and says which feed seq it shows.
    same = officer.get(rows_url, headers={"If-None-Match": etag}, timeout=10)
    assert same.status_code == 304 and int(same.headers["X-Feed-Seq"]) == seq and not same.content
    # A long poll past the office's newest seq waits; a kiosk's push wakes it with the new guest in the rows.
    answer: dict = {}

    def poll():
        answer["r"] = officer.get(rows_url, params={"since": seq, "wait": 20}, headers={"If-None-Match": etag},
                                  timeout=30)

    waiting = threading.Thread(target=poll)
    waiting.start()
    waiting.join(1.0)
    assert waiting.is_alive()  # no news yet: the poll is held, not answered empty
    push_visit(central, nama="Long Poll Tamu")
    waiting.join(25)
    r = answer["r"]
    assert r.status_code == 200 and "Long Poll Tamu" in r.text and int(r.headers["X-Feed-Seq"]) > seq
    # Hostile parameters are refused or bounded, never a traceback.
    assert officer.get(rows_url, params={"since": "x"}, timeout=10).status_code == 400
    assert officer.get(rows_url, params={"since": 10**6, "wait": "nan"}, timeout=10).status_code == 200
