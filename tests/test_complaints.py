"""Complaints by WhatsApp on the central (kiosk/central/complaints.py), below HTTP: the working-hours clock,
cases opened and joined from webhook changes (idempotent by message id), evidence fetched from a fake Cloud
API over real HTTP and checked by its bytes, the outbox (retries with backoff, no double send), answers,
alerts, closing met/late and the counts. SQLite database (migrated), the fake on loopback."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from kiosk.central.complaints import (
    ComplaintStore,
    Refused,
    check_evidence,
    clock_of,
    complaint_counts,
)
from kiosk.central.models import complaint_cases, complaint_items, wa_outbox
from kiosk.central.settings import CentralSettings
from kiosk.domain.sla import WorkingCalendar
from tests.fixtures_complaints import (
    PDF_JS,
    PDF_OK,
    PHONE_NUMBER_ID,
    CloudApiFake,
    document_msg,
    image_msg,
    inbound,
    png_bytes,
    text_msg,
)
from tests.fixtures_sync import ROOT

OFFICE = "KEJARI-KLK"
WITA = ZoneInfo("Asia/Makassar")
REPORTER = "6281234567001"


def wita(*args) -> datetime:
    return datetime(*args, tzinfo=WITA)


# --- the clock (pure) ---

def test_the_clock_counts_working_hours_only_and_stops_at_the_answer():
    cal = WorkingCalendar(tz="Asia/Makassar")
    # Monday 15:00: one hour today, two tomorrow morning.
    c = clock_of(cal, wita(2026, 12, 7, 15), None, wita(2026, 12, 7, 15, 59))
    assert (c.level, c.used_text, c.stopped) == ("ok", "0:59", False)
    assert c.due == wita(2026, 12, 8, 10)
    # The night does not count: at 09:00 the next morning two hours are used: the alert mark.
    c = clock_of(cal, wita(2026, 12, 7, 15), None, wita(2026, 12, 8, 9))
    assert (c.level, c.used_text) == ("warn", "2:00")
    c = clock_of(cal, wita(2026, 12, 7, 15), None, wita(2026, 12, 8, 10, 1))
    assert c.level == "overdue"
    # Answered at 09:30 the next day: 2:30 used, met; the clock stays stopped however late it is now.
    c = clock_of(cal, wita(2026, 12, 7, 15), wita(2026, 12, 8, 9, 30), wita(2026, 12, 20))
    assert (c.level, c.used_text, c.stopped) == ("met", "2:30", True)
    c = clock_of(cal, wita(2026, 12, 7, 15), wita(2026, 12, 8, 10, 30), wita(2026, 12, 20))
    assert (c.level, c.used_text) == ("late", "3:30")


def test_the_clock_skips_weekends_christmas_cuti_bersama_and_configured_leave():
    # Wednesday 23 Dec 15:00: one hour; 24 Dec is cuti bersama, 25 Dec Christmas, then the weekend.
    cal = WorkingCalendar(tz="Asia/Makassar")
    c = clock_of(cal, wita(2026, 12, 23, 15), None, wita(2026, 12, 27, 12))
    assert (c.level, c.used_text) == ("ok", "1:00")
    assert c.due == wita(2026, 12, 28, 10)
    # A day off decreed late (config override) moves the due time by a working day.
    cal = WorkingCalendar(tz="Asia/Makassar", collective_leave=["2026-12-28"])
    assert clock_of(cal, wita(2026, 12, 23, 15), None, wita(2026, 12, 27)).due == wita(2026, 12, 29, 10)
    # A message at night starts counting at 08:00 on the next working day.
    c = clock_of(cal, wita(2026, 12, 29, 22), None, wita(2026, 12, 30, 8, 45))
    assert c.used_text == "0:45" and c.due == wita(2026, 12, 30, 11)


# --- evidence checks (pure) ---

def test_evidence_is_typed_by_its_bytes_and_images_are_reencoded():
    jpeg = (ROOT / "assets" / "sim" / "flow" / "guest.jpg").read_bytes()
    data, kind = check_evidence(jpeg, 5_000_000)
    assert kind == "image/jpeg" and data.startswith(b"\xff\xd8\xff") and data != jpeg
    data, kind = check_evidence(png_bytes(), 5_000_000)
    assert kind == "image/jpeg" and data.startswith(b"\xff\xd8\xff")
    assert check_evidence(PDF_OK, 5_000_000) == (PDF_OK, "application/pdf")
    for bad, why in ((PDF_JS, "active content"), (b"<html><script>x</script></html>", "not a JPEG"),
                     (b"\xff\xd8\xff" + b"\x00" * 100, "cannot be decoded"), (PDF_OK[:-7], "not a complete PDF"),
                     (jpeg, "larger than")):
        with pytest.raises(Refused, match=why):
            check_evidence(bad, 1000 if why == "larger than" else 5_000_000)


# --- the store against the fake Cloud API ---

@pytest.fixture(scope="module")
def fake():
    with CloudApiFake() as f:
        yield f


@pytest.fixture
def cs(tmp_path, fake):
    from kiosk.central.db import open_engine
    from kiosk.central.keys import CentralKeys, ensure_key_file
    from kiosk.central.store import CentralStore

    fake.accepted.clear()
    fake.fail_next.clear()
    fake.window = {REPORTER}
    fake.media_url_host = ""
    engine = open_engine(f"sqlite:///{tmp_path}/central.sqlite3")
    keys = CentralKeys.from_file(ensure_key_file(tmp_path / "k"))
    settings = CentralSettings(key_file=str(tmp_path / "k"), wa_token=fake.token, wa_graph_url=fake.base_url,
                               wa_phone_numbers=f"{PHONE_NUMBER_ID}={OFFICE}", timezone="Asia/Makassar")
    store = ComplaintStore(engine, keys, settings)
    store.backoff_base_s = 0.01
    store.central = CentralStore(engine, keys)
    yield store
    engine.dispose()


def value_of(body: dict) -> dict:
    return body["entry"][0]["changes"][0]["value"]


def cases(cs) -> list:
    with cs.engine.connect() as conn:
        return conn.execute(select(complaint_cases).order_by(complaint_cases.c.received_at)).all()


def outbox(cs) -> list:
    with cs.engine.connect() as conn:
        return conn.execute(select(wa_outbox).order_by(wa_outbox.c.created_at)).all()


def test_a_message_opens_a_case_once_and_a_follow_up_joins_it(cs, fake):
    fake.media["m1"] = ("image/jpeg", (ROOT / "assets" / "sim" / "flow" / "guest.jpg").read_bytes())
    first = inbound(text_msg("Ada pungutan liar di loket.", "wamid.A1"), image_msg("m1", "wamid.A2", "foto loket"))
    ids = cs.ingest(value_of(first))
    assert len(set(ids)) == 1
    assert cs.ingest(value_of(first)) == []  # the same delivery again changes nothing
    [case] = cases(cs)
    assert case.number.startswith("ADU-") and case.number.endswith("-0001") and case.status == "open"
    # The reporter is stored encrypted: neither the number nor the name is readable in the row.
    assert REPORTER not in case.reporter_enc and "Made" not in case.reporter_enc
    assert json.loads(cs.keys.decrypt_text(case.reporter_enc)) == {"wa_id": REPORTER, "name": "Made Wirawan"}
    # One acknowledgement queued, with the case number.
    [ack] = outbox(cs)
    assert ack.idem_key == f"ack:{case.id}" and ack.status == "queued"
    assert case.number in json.loads(cs.keys.decrypt_text(ack.payload_enc))["text"]["body"]

    # A follow-up the same day joins the case, without a second acknowledgement.
    assert cs.ingest(value_of(inbound(text_msg("Kejadian tadi pagi jam 9.", "wamid.A3")))) == ids[:1]
    assert len(cases(cs)) == 1 and len(outbox(cs)) == 1
    # Another reporter: another case, numbered on.
    cs.ingest(value_of(inbound(text_msg("Laporan lain", "wamid.B1"), sender="6281234567002", name="Ayu")))
    assert [c.number[-4:] for c in cases(cs)] == ["0001", "0002"]

    # The evidence comes from the media endpoint, re-encoded, encrypted at rest.
    assert cs.fetch_due() == 1
    with cs.engine.connect() as conn:
        item = conn.execute(select(complaint_items).where(complaint_items.c.message_id == "wamid.A2")).first()
    assert (item.evidence_state, item.evidence_type) == ("stored", "image/jpeg")
    data, kind = cs.evidence(OFFICE, case.id, item.id)
    assert data.startswith(b"\xff\xd8\xff") and not item.evidence_enc.startswith(b"\xff\xd8")
    assert cs.evidence("KEJARI-DPS", case.id, item.id) is None

    # Closed: the reporter's next message opens a new case.
    cs.close(OFFICE, case.id, "desk:intel")
    cs.ingest(value_of(inbound(text_msg("Masih ada pungli.", "wamid.A4"))))
    assert len(cases(cs)) == 3


def test_messages_that_are_not_ours_or_malformed_are_skipped(cs):
    assert cs.ingest(value_of(inbound(text_msg("x", "wamid.C1"), phone_number_id="999"))) == []  # another number
    for bad in ({"type": "text"}, {"id": "wamid.C2", "type": "text", "from": "not-a-number"},
                {"id": "x" * 300, "type": "text", "text": {"body": "long id"}}, "not a dict",
                {"id": "wamid.C3", "type": "interactive", "interactive": {}}):
        value = value_of(inbound())
        value["messages"] = [bad]
        assert cs.ingest(value) == []
    value = value_of(inbound(text_msg("ok", "wamid.C4")))
    value["metadata"] = "nonsense"
    assert cs.ingest(value) == []
    assert cases(cs) == []
    # An unsupported type (a voice note) still opens the case: the acknowledgement asks for text or a photo.
    assert len(cs.ingest(value_of(inbound({"id": "wamid.C5", "type": "audio", "audio": {"id": "a1"}})))) == 1


def test_evidence_that_is_too_big_lies_about_its_type_or_comes_from_elsewhere_is_refused(cs, fake):
    fake.media.update({"big": ("image/jpeg", b"\xff\xd8\xff" + b"\x00" * 6_000_000), "html": ("image/jpeg", b"<html>hi</html>"),
                       "pdf": ("application/pdf", PDF_OK), "pdfjs": ("application/pdf", PDF_JS), "far": ("image/jpeg", png_bytes())})
    cs.ingest(value_of(inbound(image_msg("big", "wamid.D1"), image_msg("html", "wamid.D2"), document_msg("pdf", "wamid.D3"),
                               document_msg("pdfjs", "wamid.D4"))))
    while cs.fetch_due():
        pass
    fake.media_url_host = "evil.example.com"
    cs.ingest(value_of(inbound(image_msg("far", "wamid.D5"))))
    downloads = fake.downloads
    cs.fetch_due()
    assert fake.downloads == downloads  # the untrusted URL was never fetched (nor given our token)
    with cs.engine.connect() as conn:
        got = {r.message_id: (r.evidence_state, r.evidence_note) for r in conn.execute(select(complaint_items))}
    assert got["wamid.D1"][0] == "refused" and "larger than" in got["wamid.D1"][1]
    assert got["wamid.D2"] == ("refused", "not a JPEG, PNG, WebP image or a PDF")
    assert got["wamid.D3"][0] == "stored"
    assert got["wamid.D4"][0] == "refused" and "active content" in got["wamid.D4"][1]
    assert got["wamid.D5"][0] == "refused" and "untrusted host" in got["wamid.D5"][1]


def test_the_outbox_retries_with_backoff_and_never_sends_twice(cs, fake):
    cs.ingest(value_of(inbound(text_msg("Tolong dibantu.", "wamid.E1"))))
    # The provider is busy twice, then takes it: one message reaches it.
    fake.fail_next += [(503, {"error": {"message": "Service temporarily unavailable", "code": 2}}),
                       (429, {"error": {"message": "Rate limit hit", "code": 130429}})]
    now = datetime.now(UTC)
    assert cs.send_due(now) == 0
    [row] = outbox(cs)
    assert row.status == "queued" and row.attempts == 1 and row.next_at > row.created_at and "503" in row.last_error
    assert cs.send_due(now + timedelta(seconds=5)) == 0
    assert cs.send_due(now + timedelta(seconds=10)) == 1
    assert cs.send_due(now + timedelta(seconds=60)) == 0
    [row] = outbox(cs)
    assert row.status == "sent" and row.attempts == 3 and row.wamid.startswith("wamid.TEST")
    assert len(fake.texts_to(REPORTER)) == 1 and "ADU-" in fake.texts_to(REPORTER)[0]
    # Its status webhooks follow it.
    assert cs.record_status({"id": row.wamid, "status": "delivered"})
    assert cs.record_status({"id": row.wamid, "status": "sent"})  # an older status does not go back
    assert outbox(cs)[0].delivery == "delivered"

    # A permanent refusal (a bad token) is not retried.
    cs.ingest(value_of(inbound(text_msg("kedua", "wamid.E2"), sender="6281234567003")))
    fake.window.add("6281234567003")
    fake.fail_next.append((401, {"error": {"message": "Invalid OAuth access token.", "code": 190}}))
    cs.send_due(now + timedelta(seconds=70))
    assert outbox(cs)[1].status == "failed"
    assert cs.send_due(now + timedelta(hours=2)) == 0


def test_a_send_in_doubt_waits_for_a_status_and_is_never_resent(cs, fake):
    cs.ingest(value_of(inbound(text_msg("ragu", "wamid.F1"))))
    [row] = outbox(cs)
    now = datetime.now(UTC)
    # A worker claimed it and died during the call (the lease runs out with the row still `sending`).
    with cs.engine.begin() as conn:
        conn.execute(update(wa_outbox).values(status="sending", attempts=1, lease_until="2000-01-01T00:00:00.000000Z"))
    assert cs.send_due(now) == 0 and outbox(cs)[0].status == "unknown"
    assert fake.accepted == []
    # Then WhatsApp's status webhook names it by our callback data: it was sent after all.
    payload = json.loads(cs.keys.decrypt_text(row.payload_enc))
    assert cs.record_status({"id": "wamid.LATE", "status": "sent", "biz_opaque_callback_data": payload["biz_opaque_callback_data"]})
    row = outbox(cs)[0]
    assert (row.status, row.wamid) == ("sent", "wamid.LATE")
    assert cs.send_due(now + timedelta(hours=1)) == 0 and fake.accepted == []


def test_answer_close_alert_and_counts(cs, fake):
    from kiosk.central.complaints import month_range

    cs.central.replace_hosts(OFFICE, [{"id": "kasi-intel", "nama": "Kasi Intel", "bidang": "Intelijen",
                                       "jabatan": "Kepala Seksi Intelijen", "no_hp": "081299990000"}])
    [cid] = cs.ingest(value_of(inbound(text_msg("Tolong", "wamid.G1"))))
    # Move the case back to Monday 7 Dec 2026 09:00 WITA.
    received = wita(2026, 12, 7, 9).astimezone(UTC)
    with cs.engine.begin() as conn:
        conn.execute(update(complaint_cases).values(received_at=received.strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
                                                    last_inbound_at=received.strftime("%Y-%m-%dT%H:%M:%S.000000Z")))
    # 10:59: no alert yet; 11:00: two of the three hours are used, the intel head is alerted once.
    assert cs.alert_due(wita(2026, 12, 7, 10, 59)) == 0
    assert cs.alert_due(wita(2026, 12, 7, 11)) == 1
    assert cs.alert_due(wita(2026, 12, 7, 11, 30)) == 0
    cs.send_due(datetime.now(UTC))
    alerts = [m for m in fake.accepted if m.get("type") == "template" and m["template"]["name"] == "pengaduan_peringatan"]
    assert len(alerts) == 1 and alerts[0]["to"] == "6281299990000"
    assert alerts[0]["template"]["components"][0]["parameters"][0]["text"].startswith("ADU-2026-")

    # The answer at 11:30 (inside the 24-hour window): free text with the case number; the clock stops at 2:30.
    cs.answer(OFFICE, cid, "Laporan Anda sedang kami tindak lanjuti.", "desk:intel", now=wita(2026, 12, 7, 11, 30))
    cs.send_due(datetime.now(UTC))
    assert any("sedang kami tindak lanjuti" in t for t in fake.texts_to(REPORTER))
    assert cs.close(OFFICE, cid, "desk:intel", now=wita(2026, 12, 8, 9)) == ("met", 2 * 3600 + 30 * 60)

    # A second case answered late; a third still open and overdue; counted for December.
    [late] = cs.ingest(value_of(inbound(text_msg("Lagi", "wamid.G2"), sender="6281234567009")))
    [still] = cs.ingest(value_of(inbound(text_msg("Dan lagi", "wamid.G3"), sender="6281234567010")))
    for c in (late, still):
        with cs.engine.begin() as conn:
            conn.execute(update(complaint_cases).where(complaint_cases.c.id == c).values(
                received_at="2026-12-08T01:00:00.000000Z", last_inbound_at="2026-12-08T01:00:00.000000Z"))
    # Answered 30 hours after the last message: outside the window, so the answer goes as a template.
    cs.answer(OFFICE, late, "Jawaban\nterlambat", "desk:intel", now=wita(2026, 12, 9, 15))
    cs.send_due(datetime.now(UTC))
    answers = [m for m in fake.accepted if m.get("type") == "template" and m["template"]["name"] == "pengaduan_jawaban"]
    assert len(answers) == 1 and answers[0]["template"]["components"][0]["parameters"][1]["text"] == "Jawaban terlambat"
    assert cs.close(OFFICE, late, "desk:intel", now=wita(2026, 12, 9, 16))[0] == "late"
    counts = complaint_counts(cs.engine, OFFICE, *month_range(wita(2026, 12, 1).date(), WITA), now=wita(2026, 12, 10),
                              settings=cs.settings)
    assert (counts["met"], counts["late"], counts["open"], counts["open_overdue"], counts["total"]) == (1, 1, 1, 1, 3)
    assert counts["mean_working_s"] is not None
    # An answer to a closed case is refused.
    from kiosk.central.complaints import ComplaintError

    with pytest.raises(ComplaintError):
        cs.answer(OFFICE, cid, "lagi", "desk:intel")


def test_urgent_counts_the_unanswered_cases_past_the_alert_mark_and_the_limit(cs, fake):
    [cid] = cs.ingest(value_of(inbound(text_msg("Tolong", "wamid.U1"))))
    received = wita(2026, 12, 7, 9).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")  # Monday 09:00 WITA
    with cs.engine.begin() as conn:
        conn.execute(update(complaint_cases).values(received_at=received, last_inbound_at=received))
    assert cs.urgent(OFFICE, wita(2026, 12, 7, 10, 59)) == (0, 0)
    assert cs.urgent(OFFICE, wita(2026, 12, 7, 11)) == (0, 1)  # two of the three working hours used
    assert cs.urgent(OFFICE, wita(2026, 12, 7, 12, 1)) == (1, 0)
    assert cs.urgent("KEJARI-DPS", wita(2026, 12, 7, 12, 1)) == (0, 0)  # another office's page
    cs.answer(OFFICE, cid, "Kami tindak lanjuti.", "desk:intel", now=wita(2026, 12, 7, 12, 30))
    assert cs.urgent(OFFICE, wita(2026, 12, 7, 13)) == (0, 0)  # answered: the clock stopped


def test_a_complaint_made_at_the_kiosk_opens_a_case_with_the_written_notice(cs, fake):
    import uuid

    vid = str(uuid.uuid4())
    body = {"visit_id": vid, "device_id": "lobby-1", "created_at": datetime.now(UTC).isoformat(), "state": "waiting_host",
            "purpose": "complaint", "nama": "Nyoman Sari", "satker": "Kejari Klungkung", "no_hp": "081234567890",
            "detail": "Laporan dugaan korupsi dana desa", "tipe_tamu": "Umum"}
    assert cs.central.push_visit(OFFICE, "k1", body)[0] == 201
    assert cs.central.push_visit(OFFICE, "k1", body)[0] == 200  # a repeated push adds no second case
    other = {**body, "visit_id": str(uuid.uuid4()), "purpose": "meet_employee"}
    cs.central.push_visit(OFFICE, "k2", other)
    [case] = cases(cs)
    assert (case.channel, case.visit_id, case.status) == ("kiosk", vid, "open")
    d = cs.detail(OFFICE, case.id)
    assert d["name"] == "Nyoman Sari" and d["items"][0]["text"] == "Laporan dugaan korupsi dana desa"
    assert d["phone"] == "6281•••••7890"
    assert outbox(cs) == []  # no acknowledgement by WhatsApp: the guest is at the desk
    # The answer goes by template from the office's number: the guest never wrote to us on WhatsApp.
    cs.answer(OFFICE, case.id, "Silakan datang membawa pengaduan tertulis.", "desk:intel")
    assert cs.send_due() == 1
    [msg] = fake.accepted
    assert (msg["to"], msg["type"], msg["template"]["name"]) == ("6281234567890", "template", "pengaduan_jawaban")


def test_a_provider_that_takes_the_message_but_never_answers_gets_it_once(cs, fake):
    import threading

    cs.api.timeout = 0.5
    cs.ingest(value_of(inbound(text_msg("lambat", "wamid.H1"))))
    fake.answer_gate = threading.Event()  # the fake records the message and holds its answer back
    try:
        now = datetime.now(UTC)
        assert cs.send_due(now) == 0
    finally:
        fake.answer_gate.set()
        fake.answer_gate = None
    assert len(fake.texts_to(REPORTER)) == 1
    row = outbox(cs)[0]
    assert row.status == "sending" and "no answer" in row.last_error
    # Neither the next ticks nor the lease running out send it again; with no status webhook it is `unknown`.
    assert cs.send_due(now + timedelta(seconds=30)) == 0
    assert cs.send_due(now + timedelta(minutes=10)) == 0
    assert outbox(cs)[0].status == "unknown" and len(fake.texts_to(REPORTER)) == 1


def test_erasure_and_retention_keep_the_figures_and_drop_the_person(cs, fake):
    import uuid

    vid = str(uuid.uuid4())
    cs.central.push_visit(OFFICE, "k1", {
        "visit_id": vid, "device_id": "lobby-1", "created_at": datetime.now(UTC).isoformat(), "state": "waiting_host",
        "purpose": "complaint", "nama": "Nyoman Sari", "satker": "Kejari Klungkung", "no_identitas": "5105014101900007",
        "detail": "Laporan", "tipe_tamu": "Umum"})
    [wa] = cs.ingest(value_of(inbound(text_msg("Laporan WhatsApp", "wamid.I1"))))
    cs.answer(OFFICE, wa, "Dijawab", "desk:intel")
    cs.close(OFFICE, wa, "desk:intel")
    # The data subject of the kiosk visit is erased: the case keeps its number and figures only.
    cs.central.erase(OFFICE, str(uuid.uuid4()), cs.keys.subject_hash(OFFICE, "5105014101900007"), [])
    kiosk = [c for c in cases(cs) if c.channel == "kiosk"][0]
    assert kiosk.visit_id is None and json.loads(cs.keys.decrypt_text(kiosk.reporter_enc)) == {}
    assert cs.detail(OFFICE, kiosk.id)["items"] == []
    # Retention: a case closed longer ago than the retention period loses its reporter, messages and outbox.
    counts = cs.central.purge(30, now=datetime.now(UTC) + timedelta(days=31))
    assert counts["complaints"] == 1
    closed = [c for c in cases(cs) if c.id == wa][0]
    assert closed.outcome in ("met", "late") and json.loads(cs.keys.decrypt_text(closed.reporter_enc)) == {}
    assert cs.detail(OFFICE, wa)["items"] == [] and cs.detail(OFFICE, wa)["outbox"] == []


def test_a_whatsapp_reporter_is_erased_on_request_and_the_figures_stay(cs, fake):
    from kiosk.central.complaints import ERASED, ComplaintError

    fake.media["e1"] = ("image/jpeg", (ROOT / "assets" / "sim" / "flow" / "guest.jpg").read_bytes())
    [first] = set(cs.ingest(value_of(inbound(text_msg("Pungli di loket", "wamid.E1"), image_msg("e1", "wamid.E2")))))
    cs.fetch_due(datetime.now(UTC))
    cs.send_due(datetime.now(UTC))
    cs.answer(OFFICE, first, "Kami periksa.", "desk:intel")
    cs.close(OFFICE, first, "desk:intel")
    [second] = cs.ingest(value_of(inbound(text_msg("Masih terjadi", "wamid.E3"))))  # a new case: the first is closed
    [other] = cs.ingest(value_of(inbound(text_msg("Laporan lain", "wamid.E4"), sender="6281234567099", name="Ketut")))
    assert second != first and len({c.number for c in cases(cs)}) == 3
    stored = [i for i in cs.detail(OFFICE, first)["items"] if i["evidence"] == "stored"]
    assert stored  # the photo was fetched and kept

    with pytest.raises(ComplaintError):
        cs.erase_reporter(OFFICE, "not a number")
    assert cs.erase_reporter("KEJARI-DPS", REPORTER) == []  # another office's cases are another office's
    # Typed as the officer would type it (0812-...): both of the reporter's cases, the open one closed first.
    numbers = cs.erase_reporter(OFFICE, "0812-3456-7001")
    by_id = {c.id: c for c in cases(cs)}
    assert sorted(numbers) == sorted([by_id[first].number, by_id[second].number])
    for cid in (first, second):
        case = by_id[cid]
        assert case.reporter_hash == ERASED and json.loads(cs.keys.decrypt_text(case.reporter_enc)) == {}
        assert case.status == "closed" and case.outcome in ("met", "late") and case.working_s is not None
        detail = cs.detail(OFFICE, cid)
        assert detail["items"] == [] and detail["outbox"] == [] and detail["number"] == case.number
    with cs.engine.connect() as conn:
        left = conn.execute(select(complaint_items.c.id).where(complaint_items.c.case_id.in_([first, second]))).all()
        evidence = conn.execute(select(func.count()).select_from(complaint_items).where(
            complaint_items.c.evidence_enc.is_not(None), complaint_items.c.case_id.in_([first, second]))).scalar()
        messages = conn.execute(select(wa_outbox.c.id).where(wa_outbox.c.case_id.in_([first, second]))).all()
    assert left == [] and evidence == 0 and messages == []
    # The other reporter is untouched; the month's figures still count the erased cases.
    assert json.loads(cs.keys.decrypt_text(by_id[other].reporter_enc))["wa_id"] == "6281234567099"
    now = datetime.now(UTC)
    counts = complaint_counts(cs.engine, OFFICE, now - timedelta(days=1), now + timedelta(days=1), now=now,
                              settings=cs.settings)
    assert counts["met"] + counts["late"] == 2 and counts["open"] == 1
    assert cs.erase_reporter(OFFICE, "+62 812 3456 7001") == []  # nothing is left to find by that number
