"""Complaints by WhatsApp end to end on a real `kiosk central serve` process (PostgreSQL) and a fake Cloud API
on loopback (real HTTP both ways): the webhook refuses unsigned, oversized and malformed deliveries and
stores a repeated one once; a signed webhook with a photo opens a case, the acknowledgement reaches the fake
API, the intel user answers in Chromium, the answer reaches the fake API, closing records met/late with the
working-hours time and the report counts it. Screenshots in test-artifacts/complaints/."""
from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import update

from tests.fixtures_complaints import (
    CloudApiFake,
    central_env,
    image_msg,
    inbound,
    photo_bytes,
    signed,
    text_msg,
)
from tests.fixtures_sync import APP_SECRET, OFFICE, ROOT, TOKEN, CentralProcess, wait_for
from tests.test_desk import PASSWORD, _chromium, csrf_of, login

ARTIFACTS = ROOT / "test-artifacts" / "complaints"
REPORTER = "6281234567001"
ODD = "6281234567004"
HOOK = "/v1/webhooks/whatsapp"


@pytest.fixture(scope="module")
def fake():
    with CloudApiFake() as f:
        f.window = {REPORTER, "6281234567002", "6281234567003"}
        yield f


@pytest.fixture(scope="module")
def central(tmp_path_factory, postgres_server, fake):
    work = tmp_path_factory.mktemp("complaints")
    srv = CentralProcess(postgres_server.create_database(), work, seed_config=ROOT / "config" / "simulate.toml",
                         env=central_env(fake, OFFICE))
    srv.start()
    from kiosk.central.desk import DeskStore

    accounts = DeskStore(srv.store.engine, srv.store.keys)
    for name, role in (("intan", "intel"), ("kajari", "head"), ("ani", "ptsp")):
        accounts.add_user(OFFICE, name, role, PASSWORD)
    yield srv
    srv.stop()


def post_hook(srv, body: dict, secret: str = APP_SECRET) -> requests.Response:
    raw, headers = signed(body, secret)
    return requests.post(srv.url + HOOK, data=raw, headers=headers, timeout=10)


def case_rows(srv) -> list[tuple]:
    return srv.rows("select id, number, status, outcome, working_s, received_at, answered_at, channel from complaint_cases order by number")


def test_the_webhook_refuses_unsigned_oversized_and_malformed_bodies_and_stores_a_repeat_once(central, fake):
    body = inbound(text_msg("Ada calo di depan kantor.", f"wamid.{uuid.uuid4().hex}"), sender="6281234567002", name="Ayu")
    raw, headers = signed(body, APP_SECRET)
    before = len(case_rows(central))
    r = requests.post(central.url + HOOK, data=raw, headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 401 and r.json() == {"reason": "bad webhook signature"}
    r = post_hook(central, body, secret="not-the-app-secret")
    assert r.status_code == 401
    big = inbound(text_msg("x" * 300_000, "wamid.big"))
    r = post_hook(central, big)
    assert r.status_code == 413 and "reason" in r.json()
    for bad in (b"{not json", b'{"object": "page", "entry": []}', b'{"object": "whatsapp_business_account", "entry": "x"}'):
        sig = "sha256=" + hmac.new(APP_SECRET.encode(), bad, hashlib.sha256).hexdigest()
        r = requests.post(central.url + HOOK, data=bad, timeout=10,
                          headers={"Content-Type": "application/json", "X-Hub-Signature-256": sig})
        assert r.status_code == 400 and "Traceback" not in r.text and "reason" in r.json()
    # Signed but strange: wrong shapes inside a well-formed change are skipped, never a 500.
    for value in ({"messages": 5, "contacts": 7, "statuses": "x"}, {"messages": [None, 5, {"type": "image", "image": "x"}]},
                  {"metadata": {"phone_number_id": fake.phone_number_id}, "contacts": 3,
                   "messages": [{"id": 5, "from": ODD, "type": "text"}, {"id": "wamid.odd", "from": ODD,
                                                                             "type": "image", "image": [], "timestamp": "9" * 40}]}):
        odd = {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": value}]}]}
        r = post_hook(central, odd)
        assert r.status_code == 200, r.text
    assert central.rows("select evidence_state from complaint_items where message_id = 'wamid.odd'") == [("",)]
    before += 1  # the last one is a message all the same: a case (the reporter learns photos need a new try)
    assert len(case_rows(central)) == before
    # Meta delivers the same change twice (it retries when our answer is slow): one case, one acknowledgement.
    assert post_hook(central, body).status_code == 200
    assert post_hook(central, body).status_code == 200
    assert len(case_rows(central)) == before + 1
    wait_for(lambda: fake.texts_to("6281234567002"), timeout=10)
    assert len(fake.texts_to("6281234567002")) == 1


def test_the_queue_belongs_to_intel_head_and_admin_of_the_office(central):
    ptsp, _ = login(central, "ani")
    assert ptsp.get(f"{central.url}/desk/{OFFICE}/complaints", timeout=10).status_code == 403
    head, _ = login(central, "kajari")
    page = head.get(f"{central.url}/desk/{OFFICE}/complaints", timeout=10)
    assert page.status_code == 200 and "Antrean pengaduan" in page.text
    assert head.get(f"{central.url}/desk/KEJARI-DPS/complaints", allow_redirects=False, timeout=10).status_code in (303, 403)
    # The head reads but does not act; a forged form is refused.
    [cid, *_] = case_rows(central)[0]
    r = head.post(f"{central.url}/desk/{OFFICE}/complaints/{cid}/answer", data={"body": "x", "csrf": csrf_of(page.text)},
                  allow_redirects=False, timeout=10)
    assert r.status_code == 403
    intel, _ = login(central, "intan")
    r = intel.post(f"{central.url}/desk/{OFFICE}/complaints/{cid}/answer", data={"body": "x", "csrf": "forged"},
                   allow_redirects=False, timeout=10)
    assert r.status_code == 403
    # A case goes only to an intel or admin account of the office; an unknown case is 404, never a traceback.
    page = intel.get(f"{central.url}/desk/{OFFICE}/complaints/{cid}", timeout=10)
    r = intel.post(f"{central.url}/desk/{OFFICE}/complaints/{cid}/assign", data={"assignee": "ani", "csrf": csrf_of(page.text)},
                   allow_redirects=False, timeout=10)
    assert r.status_code == 400
    for path in (f"/complaints/{uuid.uuid4()}", "/complaints/not-a-case", f"/complaints/{cid}/evidence/x?exp=1&sig=y"):
        r = intel.get(f"{central.url}/desk/{OFFICE}{path}", timeout=10)
        assert r.status_code in (403, 404) and "Traceback" not in r.text
    r = intel.post(f"{central.url}/desk/{OFFICE}/complaints/{uuid.uuid4()}/close", data={"csrf": csrf_of(page.text)},
                   allow_redirects=False, timeout=10)
    assert r.status_code == 404


@pytest.mark.slow
def test_in_chromium_a_whatsapp_complaint_with_a_photo_is_acknowledged_answered_and_counted(central, fake):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # An older case (five days ago): overdue, the intel head alerted by WhatsApp; and a complaint at the kiosk.
    old_mid = f"wamid.{uuid.uuid4().hex}"
    old = inbound(text_msg("Laporan lama yang belum dijawab.", old_mid), sender="6281234567003", name="Komang")
    assert post_hook(central, old).status_code == 200
    [(old_id,)] = central.rows("select case_id from complaint_items where message_id = :m", m=old_mid)
    from kiosk.central.models import complaint_cases

    back = (datetime.now(UTC) - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    with central.store.engine.begin() as conn:
        conn.execute(update(complaint_cases).where(complaint_cases.c.id == old_id).values(received_at=back))
    alerts = wait_for(lambda: [m for m in fake.accepted if m.get("type") == "template"
                               and m["template"]["name"] == "pengaduan_peringatan"], timeout=10)
    assert alerts[0]["to"] == "6281200000002"  # the Kasi Intel of the host directory
    vid = str(uuid.uuid4())
    r = requests.post(f"{central.url}/v1/offices/{OFFICE}/visits", timeout=10, json={
        "visit_id": vid, "device_id": "lobby-1", "created_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "state": "waiting_host", "purpose": "complaint", "nama": "Nyoman Sari", "satker": "Kejari Klungkung",
        "detail": "Dugaan penyalahgunaan dana desa", "host_id": "kasi-intel"},
        headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201

    # The reporter writes to the office's WhatsApp number with a photo.
    fake.media["photo-1"] = ("image/jpeg", photo_bytes(ROOT))
    sent_at = datetime.now(UTC)
    body = inbound(text_msg("Saya melihat pungutan liar di loket pelayanan.", f"wamid.{uuid.uuid4().hex}"),
                   image_msg("photo-1", f"wamid.{uuid.uuid4().hex}", "Foto loket"), sender=REPORTER, name="Made Wirawan")
    assert post_hook(central, body).status_code == 200
    ack = wait_for(lambda: fake.texts_to(REPORTER), timeout=10)[0]
    number = ack.split("nomor ")[1].split(".")[0]
    assert number.startswith("ADU-") and "3 jam kerja" in ack
    print(f"complaint acknowledged after {(datetime.now(UTC) - sent_at).total_seconds():.2f} s")
    [(case_id,)] = central.rows("select id from complaint_cases where number = :n", n=number)
    wait_for(lambda: central.rows("select evidence_state from complaint_items where case_id = :c and kind = 'image'",
                                  c=case_id) == [("stored",)], timeout=10)

    browser = _chromium()
    try:
        wait = WebDriverWait(browser, 10, poll_frequency=0.05,
                             ignored_exceptions=(StaleElementReferenceException, NoSuchElementException))

        def shot(name):
            browser.save_screenshot(str(ARTIFACTS / f"{name}.png"))

        browser.get(f"{central.url}/desk/login?office={OFFICE}")
        browser.find_element(By.ID, "name").send_keys("intan")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.ID, "submit").click()
        wait.until(EC.presence_of_element_located((By.ID, "nav-complaints"))).click()
        row = wait.until(EC.presence_of_element_located((By.ID, f"case-{number}")))
        assert "Made Wirawan" in row.text and "dari 3:00" in row.text
        assert browser.find_element(By.ID, "alert-overdue").is_displayed()
        [old_number] = [r[1] for r in case_rows(central) if r[0] == old_id]
        assert browser.find_element(By.ID, f"case-{old_number}").get_attribute("data-level") == "overdue"
        assert "Nyoman Sari" in browser.page_source
        shot("queue")

        # The case: the message, the photo (a signed same-origin link), then assign and answer.
        row.find_element(By.CSS_SELECTOR, "a.case-link").click()
        wait.until(EC.presence_of_element_located((By.ID, "body")))
        assert "pungutan liar" in browser.page_source and "Foto loket" in browser.page_source
        wait.until(lambda b: b.execute_script(
            "var i = document.querySelector('img.evidence'); return i && i.complete && i.naturalWidth > 0"))
        src = browser.find_element(By.CSS_SELECTOR, "img.evidence").get_attribute("src")
        assert src.startswith(central.url + f"/desk/{OFFICE}/complaints/{case_id}/evidence/") and "sig=" in src
        assert requests.get(src, timeout=10, allow_redirects=False).status_code in (303, 401, 403)  # the link alone, without the session: no
        browser.set_window_size(1280, 1500)
        shot("case")
        Select(browser.find_element(By.ID, "assignee-select")).select_by_visible_text("intan")
        browser.find_element(By.ID, "assign").click()
        wait.until(lambda b: b.find_element(By.ID, "assignee").text == "intan")
        browser.find_element(By.ID, "body").send_keys("Terima kasih, laporan Anda sedang kami tindak lanjuti hari ini.")
        browser.find_element(By.ID, "send").click()
        wait.until(lambda b: b.find_element(By.ID, "case").get_attribute("data-status") == "answered")
        answer = wait_for(lambda: [t for t in fake.texts_to(REPORTER) if "tindak lanjuti" in t], timeout=10)
        assert number in answer[0] and len(answer) == 1
        browser.refresh()
        wait.until(lambda b: "terkirim" in b.find_element(By.ID, "outbox").text)
        shot("case-answered")
        browser.find_element(By.ID, "close").click()
        wait.until(lambda b: b.find_element(By.ID, "case").get_attribute("data-status") == "closed")
        outcome = browser.find_element(By.ID, "outcome").text
        shot("case-closed")
        browser.set_window_size(1280, 800)

        # Recorded with its working-hours time, and counted in the month's report.
        [(status, result, working_s, received, answered)] = central.rows(
            "select status, outcome, working_s, received_at, answered_at from complaint_cases where id = :c", c=case_id)
        from kiosk.central.complaints import parse_utc
        from kiosk.domain.sla import WorkingCalendar

        cal = WorkingCalendar(tz="Asia/Makassar")
        used = cal.working_time_between(parse_utc(received), parse_utc(answered))
        assert status == "closed" and working_s == int(used.total_seconds())
        assert result == ("met" if used <= timedelta(hours=3) else "late") and outcome in ("Tepat waktu", "Terlambat")
        browser.find_element(By.ID, "back").click()
        wait.until(EC.presence_of_element_located((By.ID, f"closed-{number}")))
        closed_row = browser.find_element(By.ID, f"closed-{number}").text
        assert outcome in closed_row
        browser.find_element(By.ID, "report-link").click()
        wait.until(EC.presence_of_element_located((By.ID, "report")))
        met, late = int(browser.find_element(By.ID, "r-met").text), int(browser.find_element(By.ID, "r-late").text)
        assert met + late == 1 and (met if result == "met" else late) == 1
        assert int(browser.find_element(By.ID, "r-open").text.split()[0]) >= 1  # the kiosk's, still open
        shot("report")
        browser.find_element(By.ID, "lang").click()
        wait.until(lambda b: "Complaint service report" in b.page_source)
        shot("report-en")

        # The phone width, in English, the kiosk complaint with its "put it in writing" notice.
        [(kiosk_case,)] = central.rows("select id from complaint_cases where visit_id = :v", v=vid)
        browser.set_window_size(390, 844)
        browser.get(f"{central.url}/desk/{OFFICE}/complaints/{kiosk_case}")
        assert "put it in writing" in wait.until(lambda b: b.find_element(By.ID, "written")).text
        shot("kiosk-case-phone-en")
    finally:
        browser.quit()
    audit = [r[0] for r in central.rows("select action from desk_audit where actor = 'user:intan' order by seq")]
    assert {"complaints_seen", "complaint_seen", "evidence_seen", "complaint_assigned", "complaint_answered",
            "complaint_closed"} <= set(audit)
    assert audit.count("complaints_seen") == 1  # the queue was opened twice (and refreshes itself): one row a day


def test_todays_page_shows_intel_head_and_admin_the_overdue_complaints(central):
    """A case past its 3 working hours shows on today's page as a banner with the count, linking to the queue
    (intel, head and admin: those who see the queue); the PTSP officer's page has none."""
    mid = f"wamid.{uuid.uuid4().hex}"
    assert post_hook(central, inbound(text_msg("Belum dijawab sejak pekan lalu.", mid), sender="6281234567011",
                                      name="Wayan")).status_code == 200
    [(case_id,)] = central.rows("select case_id from complaint_items where message_id = :m", m=mid)
    from kiosk.central.models import complaint_cases

    back = (datetime.now(UTC) - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    with central.store.engine.begin() as conn:
        conn.execute(update(complaint_cases).where(complaint_cases.c.id == case_id).values(received_at=back))
    # Overdue: this case and any other unanswered one moved days back by an earlier test (the rest are minutes old).
    days_ago = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    overdue = central.rows("select count(*) from complaint_cases where office = :o and status = 'open' "
                           "and answered_at is null and received_at <= :b", o=OFFICE, b=days_ago)[0][0]
    assert overdue >= 1
    for name in ("intan", "kajari"):
        s, r = login(central, name)
        assert r.headers["location"] == f"/desk/{OFFICE}/today"
        page = s.get(f"{central.url}/desk/{OFFICE}/today", timeout=10).text
        banner = page.split('id="complaints-alert"')[1].split("</a>")[0]
        assert f'href="/desk/{OFFICE}/complaints"' in banner and f'data-overdue="{overdue}"' in banner
        assert f"{overdue} pengaduan lewat batas 3 jam kerja" in banner
    ptsp, _ = login(central, "ani")
    assert 'id="complaints-alert"' not in ptsp.get(f"{central.url}/desk/{OFFICE}/today", timeout=10).text

    # Answered, the case no longer counts (its clock stopped).
    intel, _ = login(central, "intan")
    detail = intel.get(f"{central.url}/desk/{OFFICE}/complaints/{case_id}", timeout=10).text
    r = intel.post(f"{central.url}/desk/{OFFICE}/complaints/{case_id}/answer",
                   data={"body": "Sedang kami tindak lanjuti.", "csrf": csrf_of(detail)}, allow_redirects=False, timeout=10)
    assert r.status_code == 303
    page = intel.get(f"{central.url}/desk/{OFFICE}/today", timeout=10).text
    assert f'data-overdue="{overdue - 1}"' in page if overdue > 1 else 'id="complaints-alert"' not in page

    browser = _chromium()  # the banner as the head of intelligence sees it
    try:
        with central.store.engine.begin() as conn:  # one more overdue case for the picture
            mid = f"wamid.{uuid.uuid4().hex}"
            post_hook(central, inbound(text_msg("Calo di parkiran.", mid), sender="6281234567012", name="Nyoman"))
            [(other,)] = central.rows("select case_id from complaint_items where message_id = :m", m=mid)
            conn.execute(update(complaint_cases).where(complaint_cases.c.id == other).values(received_at=back))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        browser.get(f"{central.url}/desk/login?office={OFFICE}")
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        browser.find_element(By.ID, "name").send_keys("intan")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.ID, "submit").click()
        WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.ID, "complaints-alert"))
        browser.save_screenshot(str(ARTIFACTS / "today-overdue-banner.png"))
        browser.find_element(By.ID, "complaints-alert").click()
        WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.ID, "alert-overdue"))
    finally:
        browser.quit()


def test_a_reporter_is_erased_on_request_from_the_desk_or_the_cli_and_audited(central, fake):
    import subprocess
    import sys

    def case_of(sender, text):
        mid = f"wamid.{uuid.uuid4().hex}"
        assert post_hook(central, inbound(text_msg(text, mid), sender=sender, name="Putu Minta Hapus")).status_code == 200
        return central.rows("select c.id, c.number from complaint_items i join complaint_cases c on c.id = i.case_id "
                            "where i.message_id = :m", m=mid)[0]

    case_id, number = case_of("6281234567021", "Tolong hapus data saya nanti.")
    head, _ = login(central, "kajari")
    page = head.get(f"{central.url}/desk/{OFFICE}/complaints", timeout=10).text
    assert 'id="erase-form"' not in page  # the head reads; intel and admin erase
    r = head.post(f"{central.url}/desk/{OFFICE}/complaints/erase", timeout=10, allow_redirects=False,
                  data={"phone": "081234567021", "confirm": "1", "csrf": csrf_of(page)})
    assert r.status_code == 403
    intel, _ = login(central, "intan")
    page = intel.get(f"{central.url}/desk/{OFFICE}/complaints", timeout=10).text
    assert 'id="erase-form"' in page
    r = intel.post(f"{central.url}/desk/{OFFICE}/complaints/erase", timeout=10,
                   data={"phone": "081234567021", "csrf": csrf_of(page)})  # the confirmation not ticked
    assert 'id="erase-bad"' in r.text
    r = intel.post(f"{central.url}/desk/{OFFICE}/complaints/erase", timeout=10,
                   data={"phone": "0812-3456-7021", "confirm": "1", "csrf": csrf_of(page)})
    assert r.status_code == 200 and number in r.text.split('id="erased"')[1].split("</p>")[0]
    [(status, outcome, reporter_hash)] = central.rows(
        "select status, outcome, reporter_hash from complaint_cases where id = :c", c=case_id)
    assert (status, reporter_hash) == ("closed", "erased") and outcome in ("met", "late")
    assert central.rows("select count(*) from complaint_items where case_id = :c", c=case_id) == [(0,)]
    assert central.rows("select count(*) from wa_outbox where case_id = :c", c=case_id) == [(0,)]
    detail = intel.get(f"{central.url}/desk/{OFFICE}/complaints/{case_id}", timeout=10).text
    assert "Putu Minta Hapus" not in detail and "7021" not in detail and number in detail
    [(detail_text,)] = central.rows("select detail from desk_audit where action = 'reporter_erased' and actor = 'user:intan'")
    assert number in detail_text and "7021" not in detail_text  # the audit names the cases, never the number

    # From the CLI (the office's admin at the server): a bad number is one clear line; the audit says "cli".
    cli_case, cli_number = case_of("6281234567022", "Hapus juga data saya.")

    def erase(phone):
        return subprocess.run([sys.executable, "-m", "kiosk", "central", "complaints", "erase", "--office", OFFICE,
                               "--phone", phone], capture_output=True, text=True, cwd=ROOT, env=central.env(), timeout=60)

    p = erase("bukan-nomor")
    assert p.returncode == 2 and "--phone" in p.stderr and "Traceback" not in p.stderr
    p = erase("+62 812-3456-7022")
    assert p.returncode == 0 and cli_number in p.stdout, p.stderr
    assert central.rows("select reporter_hash from complaint_cases where id = :c", c=cli_case) == [("erased",)]
    assert central.rows("select count(*) from desk_audit where action = 'reporter_erased' and actor = 'cli'") == [(1,)]

    browser = _chromium()  # the queue with the erasure's result and its form, as intel sees it
    try:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        browser.set_window_size(1280, 1000)
        browser.get(f"{central.url}/desk/login?office={OFFICE}")
        browser.find_element(By.ID, "name").send_keys("intan")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.ID, "submit").click()
        WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.ID, "nav-complaints"))
        browser.get(f"{central.url}/desk/{OFFICE}/complaints?erased={number}")
        browser.find_element(By.CSS_SELECTOR, "#erase-card summary").click()
        browser.find_element(By.ID, "erase-phone").send_keys("0812-3456-7023")
        browser.execute_script("document.getElementById('erase-card').scrollIntoView({block: 'center'})")
        browser.save_screenshot(str(ARTIFACTS / "queue-erase-reporter.png"))
        browser.execute_script("window.scrollTo(0, 0)")
        browser.save_screenshot(str(ARTIFACTS / "queue-erased.png"))
    finally:
        browser.quit()
