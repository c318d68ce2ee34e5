"""The desk's office parts on a real `kiosk central serve` (PostgreSQL) with a local WhatsApp Cloud API stand-in:
the host directory edited on the desk reaching a kiosk's pull (ETag), the officer's reminder and reprint
request on today's list, and invitations from the desk: the QR goes out by WhatsApp, a kiosk learns it by
the pull and its scan fills the visit; revoked, expired and used invitations are refused with words.
Chromium (Selenium) drives the directory and the invitation form; screenshots in test-artifacts/desk-office."""
from __future__ import annotations

import dataclasses
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.fixtures_complaints import CloudApiFake, central_env
from tests.fixtures_sync import OFFICE, ROOT, TOKEN, CentralProcess, drain_all, wait_for
from tests.test_desk import PASSWORD, _chromium, csrf_of, login

ARTIFACTS = ROOT / "test-artifacts" / "desk-office"
GUEST_NIK = "5105014101900007"


@pytest.fixture(scope="module")
def cloud():
    with CloudApiFake() as fake:  # the complaint tests' fake Cloud API, with the desk's two templates
        fake.templates.update({"kunjungan_tamu": 5, "undangan_tamu": 5})
        yield fake


@pytest.fixture(scope="module")
def central(tmp_path_factory, postgres_server, cloud):
    work = tmp_path_factory.mktemp("desk-office")
    srv = CentralProcess(postgres_server.create_database(), work, seed_config=ROOT / "config" / "simulate.toml",
                         env=central_env(cloud, OFFICE))
    srv.start()
    from kiosk.central.desk import DeskStore

    accounts = DeskStore(srv.store.engine, srv.store.keys)
    for name, role, host_id in (("ani", "ptsp", ""), ("adi", "admin", ""), ("dedi", "host", "kasi-pidum"),
                                ("wayan", "host", "kajari"), ("intan", "intel", ""), ("komang", "host", "")):
        accounts.add_user(OFFICE, name, role, PASSWORD, host_id=host_id)  # komang: a host account not linked yet
    yield srv
    srv.stop()


@pytest.fixture
def kiosk(make_config, tmp_path, central):
    ctx = _kiosk(make_config, tmp_path, "lobby-1", central.url)
    yield ctx
    ctx.close()


def _kiosk(make_config, tmp_path, name, url, role="guest"):
    from kiosk.app.context import AppContext
    from kiosk.app.passes import init_keys
    from kiosk.domain.clock import FixedClock

    cfg = make_config({"central": {"url": url, "token": TOKEN, "retry_base_s": 0.01, "retry_max_s": 0.1},
                       "kiosk": {"device_id": name, "role": role}, "notifier": {"kind": "none"},
                       "devices": {"lockers": {"kind": "none"}}})
    d = tmp_path / name
    cfg = dataclasses.replace(
        cfg, hosts=[], kiosk=dataclasses.replace(cfg.kiosk, data_dir=str(d / "data")),
        privacy=dataclasses.replace(cfg.privacy, key_file=str(d / "keys" / "data.key"),
                                    signing_key_file=str(d / "keys" / "sign.key"), verify_keys_dir=str(d / "verify")))
    init_keys(cfg)
    return AppContext(cfg, clock=FixedClock(datetime.now(UTC).replace(microsecond=0)))


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def push_visit(srv, nama="Budi Santoso", host_id="kasi-pidum") -> str:
    vid = str(uuid.uuid4())
    body = {"visit_id": vid, "device_id": "lobby-1", "created_at": now_iso(), "state": "waiting_host",
            "purpose": "meet_employee", "nama": nama, "satker": "Kejari Klungkung", "no_identitas": "5105014101900009",
            "no_hp": "081234567890", "alamat": "Jl. Melati 3", "tipe_tamu": "Umum", "host_id": host_id,
            "nama_pejabat": "I Gede Wirawan, S.H."}
    r = requests.post(f"{srv.url}/v1/offices/{OFFICE}/visits", json=body, timeout=10,
                      headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    return vid


def page_csrf(session, srv, path) -> tuple[str, str]:
    page = session.get(srv.url + path, timeout=10)
    assert page.status_code == 200, page.text[:300]
    return page.text, csrf_of(page.text)


def guest_png(name="guest.jpg") -> bytes:
    return (ROOT / "assets" / "sim" / "flow" / name).read_bytes()


# --- validation (no server) ---

@pytest.mark.parametrize(("typed", "stored"), [
    ("0812-3456-7890", "+6281234567890"), ("+62 812 3456 7890", "+6281234567890"), ("6281234567890", "+6281234567890"),
    ("(0812) 3456.7890", "+6281234567890"), ("81234567890", "+6281234567890"), ("+62 0812 3456 789", "+628123456789"),
])
def test_indonesian_whatsapp_numbers_are_stored_as_plus_62(typed, stored):
    from kiosk.central.desk_office import normalize_wa_phone

    assert normalize_wa_phone(typed) == stored


@pytest.mark.parametrize("typed", ["", "021-555-1234", "+1 415 555 0100", "0812", "08123456789012345", "0812-abc-7890",
                                   "٠٨١٢٣٤٥٦٧٨٩٠"])
def test_numbers_that_are_not_indonesian_mobiles_are_refused(typed):
    from kiosk.central.desk_office import ERRORS, FormError, normalize_wa_phone

    with pytest.raises(FormError) as exc:
        normalize_wa_phone(typed)
    assert exc.value.key in ERRORS and exc.value.field == "no_hp"


# --- the directory ---

def test_the_directory_edited_on_the_desk_reaches_the_kiosk_pull(central, kiosk):
    # The kiosk starts from the office's directory at central (seeded from the kiosk config, which the feed said).
    assert kiosk.hosts.active() == []
    kiosk.sync.pull_once()
    assert len(kiosk.hosts.active()) >= 7 and kiosk.hosts.get("kasi-pidum") is not None
    assert kiosk.sync.pull_hosts() == 0  # unchanged: a 304 with the ETag, nothing replaced

    s, r = login(central, "ani")
    html, csrf = page_csrf(s, central, f"/desk/{OFFICE}/hosts")
    assert "I Gede Wirawan" in html and "Direktori pegawai" in html

    # A bad number is refused with words, Indonesian first; nothing is stored.
    r = s.post(f"{central.url}/desk/{OFFICE}/hosts", timeout=10,
               data={"nama": "Putu Eka Sari, S.H.", "bidang": "Pidana Umum", "jabatan": "Jaksa Fungsional",
                     "no_hp": "021-555", "csrf": csrf})
    assert r.status_code == 400 and "Nomor WhatsApp tidak sah" in r.text and 'value="Putu Eka Sari, S.H."' in r.text
    # A photo that is not an image is refused too.
    r = s.post(f"{central.url}/desk/{OFFICE}/hosts", timeout=10, files={"photo": ("x.jpg", b"not an image", "image/jpeg")},
               data={"nama": "Putu Eka Sari, S.H.", "no_hp": "0812 3456 7001", "csrf": csrf})
    assert r.status_code == 400 and "Foto harus JPEG atau PNG" in r.text
    assert not central.rows("select id from hosts where nama like 'Putu%'")

    # Added with a photo, the number normalised.
    r = s.post(f"{central.url}/desk/{OFFICE}/hosts", timeout=10, allow_redirects=False,
               files={"photo": ("foto.jpg", guest_png(), "image/jpeg")},
               data={"nama": "Putu Eka Sari, S.H.", "bidang": "Pidana Umum", "jabatan": "Jaksa Fungsional",
                     "no_hp": "0812 3456 7001", "csrf": csrf})
    assert r.status_code == 303, r.text[:300]
    (host_id, phone, photo), = central.rows("select id, no_hp, photo_enc from hosts where nama like 'Putu%'")
    assert host_id == "putu-eka-sari" and phone == "+6281234567001"
    assert photo and b"\xff\xd8" not in bytes(photo)[:8]  # encrypted at rest
    assert s.get(f"{central.url}/desk/{OFFICE}/hosts/{host_id}/photo", timeout=10).content[:2] == b"\xff\xd8"

    # The kiosk's next pull brings it (the feed says the directory changed; the directory comes with its ETag).
    assert kiosk.hosts.get(host_id) is None
    kiosk.sync.pull_once()
    got = kiosk.hosts.get(host_id)
    assert (got.name, got.section, got.position, got.phone) == ("Putu Eka Sari, S.H.", "Pidana Umum", "Jaksa Fungsional",
                                                                "+6281234567001")

    # Edited, then deactivated: the kiosk follows each time.
    _, csrf = page_csrf(s, central, f"/desk/{OFFICE}/hosts/{host_id}/edit")
    r = s.post(f"{central.url}/desk/{OFFICE}/hosts/{host_id}", timeout=10, allow_redirects=False,
               data={"nama": "Putu Eka Sari, S.H., M.H.", "bidang": "Pidana Umum", "jabatan": "Kasubsi Penuntutan",
                     "no_hp": "+62 812-3456-7002", "csrf": csrf})
    assert r.status_code == 303
    kiosk.sync.pull_once()
    assert kiosk.hosts.get(host_id).position == "Kasubsi Penuntutan" and kiosk.hosts.get(host_id).phone == "+6281234567002"
    r = s.post(f"{central.url}/desk/{OFFICE}/hosts/{host_id}/active", data={"active": "0", "csrf": csrf}, timeout=10,
               allow_redirects=False)
    assert r.status_code == 303
    kiosk.sync.pull_once()
    assert host_id not in [h.id for h in kiosk.hosts.active()]
    assert host_id not in [h["id"] for h in central.get(f"/v1/offices/{OFFICE}/hosts")["hosts"]]
    audit = [a for (a,) in central.rows("select action from desk_audit where detail = :d", d=host_id)]
    assert audit == ["host_added", "host_changed", "host_deactivated"]

    # The Head of Intelligence reads lists but does not edit the directory; a forged form changes nothing.
    intel, _ = login(central, "intan")
    assert intel.get(f"{central.url}/desk/{OFFICE}/hosts", timeout=10, allow_redirects=False).status_code == 403
    r = s.post(f"{central.url}/desk/{OFFICE}/hosts/{host_id}/active", data={"active": "1", "csrf": "forged"}, timeout=10)
    assert r.status_code == 403


def test_a_restart_with_the_seed_config_keeps_the_desk_edits(central):
    s, _ = login(central, "adi")
    _, csrf = page_csrf(s, central, f"/desk/{OFFICE}/hosts/kasubag-bin/edit")
    r = s.post(f"{central.url}/desk/{OFFICE}/hosts/kasubag-bin", timeout=10, allow_redirects=False,
               data={"nama": "Ketut Suardana, S.E.", "bidang": "Pembinaan", "jabatan": "Kasubag Pembinaan",
                     "no_hp": "081200000006", "csrf": csrf})
    assert r.status_code == 303
    central.stop()
    central.start()
    assert central.rows("select jabatan from hosts where id = 'kasubag-bin'") == [("Kasubag Pembinaan",)]


# --- the officer's actions on today's list ---

def test_remind_the_host_sends_a_marked_reminder_whose_read_receipt_shows_on_the_row(central, cloud):
    vid = push_visit(central, nama="Komang Adi")
    s, _ = login(central, "ani")
    html, csrf = page_csrf(s, central, f"/desk/{OFFICE}/today")
    assert f'action="/desk/{OFFICE}/visits/{vid}/remind"' in html

    cloud.answer_gate = gate = __import__("threading").Event()  # the provider is slow to answer this one
    try:
        r = s.post(f"{central.url}/desk/{OFFICE}/visits/{vid}/remind", data={"csrf": csrf}, timeout=10)
        assert r.status_code == 200 and "Pengingat masuk antrean WhatsApp" in r.text
        wait_for(lambda: [m for m in cloud.accepted if vid in str(m)], timeout=15)
        # A second tap while the first is still on its way is refused: never a silent double.
        r = s.post(f"{central.url}/desk/{OFFICE}/visits/{vid}/remind", data={"csrf": csrf}, timeout=10)
        assert "Pengingat sebelumnya masih dalam antrean" in r.text
    finally:
        gate.set()
        cloud.answer_gate = None
    sent = [m for m in cloud.accepted if vid in str(m)]
    assert len(sent) == 1
    params = [p["text"] for c in sent[0]["template"]["components"] if c["type"] == "body" for p in c["parameters"]]
    assert params[0] == "I Gede Wirawan, S.H. (pengingat / reminder)" and params[1] == "Komang Adi"
    assert sent[0]["to"] == "6281200000003" and sent[0]["template"]["name"] == "kunjungan_tamu"

    # Sent: the webhook's read receipt shows on the row.
    notice = wait_for(lambda: central.rows("select wamid from wa_outbox where idem_key = :k and status = 'sent'",
                                           k=f"reminder:{vid}:1"), timeout=15)
    rows = s.get(f"{central.url}/desk/{OFFICE}/today/rows", timeout=10).text
    row = re.search(rf'<tr id="v-{vid}".*?</tr>', rows, re.S).group(0)
    assert "Pengingat: terkirim" in row
    hook = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "statuses": [{"id": notice[0][0], "status": "read", "timestamp": "1", "recipient_id": "6281200000003"}]}}]}]}
    assert central.webhook(hook).status_code == 200
    rows = s.get(f"{central.url}/desk/{OFFICE}/today/rows", timeout=10).text
    assert "Pengingat: dibaca" in re.search(rf'<tr id="v-{vid}".*?</tr>', rows, re.S).group(0)

    # The host taps "Terima" on the reminder: the answer counts like one to the kiosk's notice.
    reply = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messages": [{"from": "6281200000003", "id": "wamid.in1", "type": "button", "context": {"id": notice[0][0]},
                      "button": {"payload": f"accept:{vid}", "text": "Terima"}}]}}]}]}
    assert central.webhook(reply).status_code == 200
    assert central.get(f"/v1/offices/{OFFICE}/visits/{vid}")["state"] == "accepted"
    # Nobody is waiting any more: no reminder.
    r = s.post(f"{central.url}/desk/{OFFICE}/visits/{vid}/remind", data={"csrf": csrf}, timeout=10)
    assert "tidak sedang menunggu" in r.text


def test_a_reprint_request_reaches_the_guests_kiosk_by_the_feed(central, kiosk):
    kiosk.sync.pull_once()
    vid = push_visit(central, nama="Nyoman Sari")
    kiosk.sync.pull_once()
    s, _ = login(central, "ani")
    _, csrf = page_csrf(s, central, f"/desk/{OFFICE}/today")
    r = s.post(f"{central.url}/desk/{OFFICE}/visits/{vid}/reprint", data={"csrf": csrf}, timeout=10)
    assert r.status_code == 200 and "Permintaan cetak ulang dikirim" in r.text
    assert "Cetak ulang diminta" in re.search(rf'<tr id="v-{vid}".*?</tr>', r.text, re.S).group(0)
    kiosk.sync.pull_once()
    asked = [e for e in kiosk.visits.events(vid) if e.kind == "reprint_requested"]
    assert len(asked) == 1 and asked[0].data["device_id"] == "lobby-1"
    # The kiosk's staff menu marks the visit until a pass is printed again.
    line = next(v for v in kiosk.staff.todays_visits() if v.id == vid)
    assert line.reprint_asked and line.open
    kiosk.staff.reprint(vid)
    assert not next(v for v in kiosk.staff.todays_visits() if v.id == vid).reprint_asked
    # The host employee's account may not act on today's list.
    host, _ = login(central, "dedi")
    assert host.post(f"{central.url}/desk/{OFFICE}/visits/{vid}/reprint", data={"csrf": csrf}, timeout=10,
                     allow_redirects=False).status_code == 403
    assert len(central.rows("select 1 from events where visit_id = :v and body like '%reprint_requested%'", v=vid)) == 1


# --- invitations ---

def _invite(session, srv, *, nama="Made Wirawan", no_hp="0813-3800-1122", nik="", host_id="kasi-pidum",
            days=0) -> str:
    today = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Makassar")).date()
    _, csrf = page_csrf(session, srv, f"/desk/{OFFICE}/invitations")
    r = session.post(f"{srv.url}/desk/{OFFICE}/invitations", timeout=10, data={
        "nama": nama, "no_hp": no_hp, "nik": nik, "purpose": "meet_employee", "host_id": host_id,
        "valid_from": today.isoformat(), "valid_until": (today + timedelta(days=days)).isoformat(), "csrf": csrf})
    assert r.status_code == 200 and "Undangan dibuat" in r.text, r.text[:500]
    return srv.rows("select invitation_id from invitations order by created_at desc limit 1")[0][0]


def _qr_sent(cloud, invitation_id: str) -> str:
    """The token in the QR image the guest received on WhatsApp (decoded from the uploaded PNG)."""
    import io

    import zxingcpp
    from PIL import Image

    msg = wait_for(lambda: next((m for m in cloud.accepted if m.get("type") == "template"
                                 and m["template"]["name"] == "undangan_tamu" and invitation_id in str(m)), None), timeout=15)
    header = next(c for c in msg["template"]["components"] if c["type"] == "header")
    link = header["parameters"][0]["image"]["link"]  # what the Cloud API fetches: a signed link, no log-in
    got = requests.get(link, timeout=10)
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    png = got.content
    assert requests.get(link.replace("sig=", "sig=0"), timeout=10).status_code == 403
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return found[0].text


def _scan(ctx, token):
    flow = ctx.flow
    draft = flow.start()
    flow.enter_step(draft, "consent")
    flow.give_consent(draft)
    flow.enter_step(draft, "scan")
    return draft, flow.read_code(draft, token)


def test_an_invitation_from_the_desk_goes_by_whatsapp_and_fills_the_visit_at_the_kiosk(central, cloud, kiosk,
                                                                                     make_config, tmp_path):
    from kiosk.app.faces import portrait_jpeg
    from kiosk.app.invitations import InvalidInvitation
    from kiosk.domain.registration import InvitationMismatch
    from tests.fixtures_flow import face_frame

    kiosk.sync.pull_once()
    kiosk.sync.pull_hosts()
    host, _ = login(central, "dedi")  # a host employee invites their own guest
    inv_id = _invite(host, central, nik=GUEST_NIK, no_hp="+62 813 3800 1122")
    token = _qr_sent(cloud, inv_id)
    msg = next(m for m in cloud.accepted if inv_id in str(m))
    assert msg["to"] == "6281338001122"
    params = [p["text"] for c in msg["template"]["components"] if c["type"] == "body" for p in c["parameters"]]
    assert params[:3] == ["Made Wirawan", "I Gede Wirawan, S.H.", "Bertemu pegawai"] and params[4] == inv_id
    assert GUEST_NIK not in str(msg)  # the message names no NIK
    page = host.get(f"{central.url}/desk/{OFFICE}/invitations", timeout=10).text
    row = re.search(rf'<tr id="i-{inv_id}".*?</tr>', page, re.S).group(0)
    assert 'data-status="open"' in row and 'data-wa="sent"' in row and GUEST_NIK not in page
    # Another host employee neither sees the guest nor can revoke the invitation; the PTSP officer sees it.
    other_host, _ = login(central, "wayan")
    other_page, other_csrf = page_csrf(other_host, central, f"/desk/{OFFICE}/invitations")
    assert inv_id not in other_page and "Made Wirawan" not in other_page
    r = other_host.post(f"{central.url}/desk/{OFFICE}/invitations/{inv_id}/revoke", data={"csrf": other_csrf}, timeout=10)
    assert r.status_code == 403
    assert central.rows("select revoked_at from invitations where invitation_id = :i", i=inv_id) == [(None,)]
    ptsp, _ = login(central, "ani")
    assert f'id="i-{inv_id}"' in ptsp.get(f"{central.url}/desk/{OFFICE}/invitations", timeout=10).text

    # Before the pull the kiosk does not know the invitation (nor the key that signed it).
    with pytest.raises(InvalidInvitation) as unknown:
        _scan(kiosk, token)
    assert unknown.value.reason in ("unknown_key", "unknown")
    kiosk.sync.pull_once()
    draft, kind = _scan(kiosk, token)
    assert kind == "invitation"
    assert (draft.purpose, draft.host_id, draft.invitation_id) == ("meet_employee", "kasi-pidum", inv_id)
    # The guest confirms identity: the KTP's NIK must be the invitation's.
    with pytest.raises(InvitationMismatch) as other:
        kiosk.flow.set_nik(draft, "3201015708850123")
    assert other.value.text_id and other.value.text_en
    kiosk.flow.set_nik(draft, GUEST_NIK)
    kiosk.flow.skip_proof(draft)
    # The name and phone the host typed fill the confirm step: a guest who types the NIK does not type them.
    assert (draft.name, draft.phone) == ("Made Wirawan", "+6281338001122")
    stored = kiosk.db.conn.execute("SELECT name_enc, phone_enc FROM invitations WHERE id=?", (inv_id,)).fetchone()
    assert b"Made" not in stored[0] and b"1122" not in stored[1]  # encrypted at rest on the kiosk too
    draft.address = "Jl. Gajah Mada 1"
    assert kiosk.flow.next_after_confirm(draft) == "photo"  # purpose and host are known: straight to the photo
    kiosk.flow.enter_step(draft, "photo")
    draft.photo = portrait_jpeg(face_frame(), None)
    outcome = kiosk.flow.complete(draft)
    drain_all(kiosk)

    # Central learns it was used (the visit's invitation_used event) and every kiosk refuses it from then on.
    wait_for(lambda: central.rows("select used_visit_id from invitations where invitation_id = :i", i=inv_id)[0][0],
             timeout=10)
    assert central.rows("select used_visit_id from invitations where invitation_id = :i", i=inv_id) == [(outcome.visit.id,)]
    page = host.get(f"{central.url}/desk/{OFFICE}/invitations", timeout=10).text
    assert 'data-status="used"' in re.search(rf'<tr id="i-{inv_id}".*?</tr>', page, re.S).group(0)
    other_kiosk = _kiosk(make_config, tmp_path, "lobby-2", central.url)
    gate = _kiosk(make_config, tmp_path, "gate-1", central.url, role="security")
    try:
        other_kiosk.sync.pull_once()
        with pytest.raises(InvalidInvitation) as used:
            _scan(other_kiosk, token)
        assert used.value.reason == "used" and "sudah dipakai" in used.value.text_id
        gate.sync.pull_once()  # a gate registers no guest: it keeps no invitation, nor the NIK it names
        assert gate.db.conn.execute("SELECT count(*) FROM invitations").fetchone()[0] == 0
        assert other_kiosk.db.conn.execute("SELECT count(*) FROM invitations WHERE id=?", (inv_id,)).fetchone()[0] == 1
    finally:
        other_kiosk.close()
        gate.close()


def test_revoked_and_expired_invitations_are_refused_with_words(central, cloud, kiosk):
    from kiosk.app.invitations import InvalidInvitation

    s, _ = login(central, "ani")
    revoked = _invite(s, central, nama="Gusti Ayu", no_hp="081338001133")
    later = _invite(s, central, nama="Wayan Dana", no_hp="081338001144", days=1)
    revoked_token, later_token = _qr_sent(cloud, revoked), _qr_sent(cloud, later)
    kiosk.sync.pull_once()
    _, kind = _scan(kiosk, revoked_token)
    assert kind == "invitation"  # valid until the desk revokes it

    page, csrf = page_csrf(s, central, f"/desk/{OFFICE}/invitations")
    r = s.post(f"{central.url}/desk/{OFFICE}/invitations/{revoked}/revoke", data={"csrf": csrf}, timeout=10)
    assert 'data-status="revoked"' in re.search(rf'<tr id="i-{revoked}".*?</tr>', r.text, re.S).group(0)
    kiosk.sync.pull_once()
    with pytest.raises(InvalidInvitation) as exc:
        _scan(kiosk, revoked_token)
    assert exc.value.reason == "revoked" and "dibatalkan" in exc.value.text_id and "revoked" in exc.value.text_en

    # Two days on, the two-day invitation has expired.
    kiosk.clock.advance(days=3)
    with pytest.raises(InvalidInvitation) as exc:
        _scan(kiosk, later_token)
    assert exc.value.reason == "expired" and "tidak berlaku" in exc.value.text_id

    # The form refuses what cannot be an invitation: dates the wrong way round, a bad NIK, a bad number.
    _, csrf = page_csrf(s, central, f"/desk/{OFFICE}/invitations")
    before = central.rows("select count(*) from invitations")
    day = datetime.now(UTC).date() + timedelta(days=10)
    ok_until = (day + timedelta(days=2)).isoformat()
    base = {"nama": "Tamu Salah", "no_hp": "081338001155", "nik": "", "purpose": "meet_employee", "host_id": "kasi-pidum",
            "valid_from": day.isoformat(), "valid_until": (day - timedelta(days=1)).isoformat(), "csrf": csrf}
    for change, words in (({}, "Tanggal tidak sah"), ({"valid_until": (day + timedelta(days=40)).isoformat()}, "31 hari"),
                          ({"valid_until": ok_until, "nik": "1234"}, "NIK tidak sah"),
                          ({"valid_until": ok_until, "nik": "5105014101900008x"}, "NIK tidak sah"),
                          ({"valid_until": ok_until, "no_hp": "12"}, "Nomor WhatsApp tidak sah"),
                          ({"valid_until": ok_until, "nama": "R2-D2"}, "Nama hanya boleh"),
                          ({"valid_until": ok_until, "purpose": "pengaduan"}, "Pilih keperluan"),
                          ({"valid_until": ok_until, "host_id": "nobody"}, "Pilih pegawai")):
        r = s.post(f"{central.url}/desk/{OFFICE}/invitations", data={**base, **change}, timeout=10)
        assert r.status_code == 400 and words in r.text, (change, r.text[:300])
    assert central.rows("select count(*) from invitations") == before
    assert not [m for m in cloud.accepted if "Tamu Salah" in str(m)]


# --- host accounts linked to their directory entry ---

def test_a_host_account_sees_and_answers_only_its_own_guests(central):
    mine = push_visit(central, nama="Tamu Pidum", host_id="kasi-pidum")
    theirs = push_visit(central, nama="Tamu Kajari", host_id="kajari")
    host, r = login(central, "dedi")
    assert r.status_code == 303 and r.headers["location"] == f"/desk/{OFFICE}/today"
    page, csrf = page_csrf(host, central, f"/desk/{OFFICE}/today")
    assert f'id="v-{mine}"' in page and "Tamu Pidum" in page
    assert theirs not in page and "Tamu Kajari" not in page and 'id="nav-inside"' not in page
    assert "Hanya tamu untuk Anda" in page
    rows = host.get(f"{central.url}/desk/{OFFICE}/today/rows", timeout=10).text  # the live fragment too
    assert mine in rows and theirs not in rows
    assert "/remind" not in rows and "/checkout" not in rows and "/reprint" not in rows  # the officer's buttons only

    # Another host's guest, a forged id, and the officer's actions are refused; nothing changes.
    for vid in (theirs, str(uuid.uuid4())):
        r = host.post(f"{central.url}/desk/{OFFICE}/visits/{vid}/answer", data={"answer": "accept", "csrf": csrf},
                      allow_redirects=False, timeout=10)
        assert r.status_code == 403
    for action in ("checkout", "remind", "reprint"):
        r = host.post(f"{central.url}/desk/{OFFICE}/visits/{mine}/{action}", data={"csrf": csrf},
                      allow_redirects=False, timeout=10)
        assert r.status_code == 403, action
    assert central.rows("select state from visits where visit_id = :v", v=theirs) == [("waiting_host",)]
    assert central.rows("select count(*) from desk_audit where actor = 'user:dedi' and action = 'refused'")[0][0] >= 2

    # Their own guest: the host records the answer on the desk, as the signed link would.
    r = host.post(f"{central.url}/desk/{OFFICE}/visits/{mine}/answer", data={"answer": "accept", "csrf": csrf},
                  allow_redirects=False, timeout=10)
    assert r.status_code == 303
    assert central.rows("select state from visits where visit_id = :v", v=mine) == [("accepted",)]
    ptsp, _ = login(central, "ani")  # the PTSP officer still sees every guest
    office_page = ptsp.get(f"{central.url}/desk/{OFFICE}/today", timeout=10).text
    assert mine in office_page and theirs in office_page

    # A host account not linked yet sees nobody and is told why.
    unlinked, _ = login(central, "komang")
    page = unlinked.get(f"{central.url}/desk/{OFFICE}/today", timeout=10).text
    assert mine not in page and theirs not in page and "belum ditautkan" in page


def test_a_host_account_invites_only_as_itself_and_sees_only_its_invitations(central, cloud):
    host, _ = login(central, "dedi")
    _, csrf = page_csrf(host, central, f"/desk/{OFFICE}/invitations")
    page = host.get(f"{central.url}/desk/{OFFICE}/invitations", timeout=10).text
    assert re.findall(r'<option value="([^"]+)"', page.split('id="host_id"')[1].split("</select>")[0]) == ["kasi-pidum"]
    before = central.rows("select count(*) from invitations")
    today = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Makassar")).date().isoformat()
    r = host.post(f"{central.url}/desk/{OFFICE}/invitations", timeout=10, allow_redirects=False, data={
        "nama": "Tamu Palsu", "no_hp": "081338001177", "nik": "", "purpose": "meet_employee", "host_id": "kajari",
        "valid_from": today, "valid_until": today, "csrf": csrf})
    assert r.status_code == 403 and central.rows("select count(*) from invitations") == before
    # The PTSP officer invites a guest for the Kajari: the Kajari's account sees it, the Kasi Pidum's does not.
    ptsp, _ = login(central, "ani")
    for_kajari = _invite(ptsp, central, nama="Tamu Kajari Undangan", host_id="kajari")
    kajari, _ = login(central, "wayan")
    assert f'id="i-{for_kajari}"' in kajari.get(f"{central.url}/desk/{OFFICE}/invitations", timeout=10).text
    page = host.get(f"{central.url}/desk/{OFFICE}/invitations", timeout=10).text
    assert for_kajari not in page and "Tamu Kajari Undangan" not in page
    for inv in (for_kajari, "9999999999"):  # another host's invitation, a forged id
        r = host.post(f"{central.url}/desk/{OFFICE}/invitations/{inv}/revoke", data={"csrf": csrf},
                      allow_redirects=False, timeout=10)
        assert r.status_code == 403
    assert central.rows("select revoked_at from invitations where invitation_id = :i", i=for_kajari) == [(None,)]
    unlinked, _ = login(central, "komang")  # not linked: may invite nobody
    _, ucsrf = page_csrf(unlinked, central, f"/desk/{OFFICE}/invitations")
    r = unlinked.post(f"{central.url}/desk/{OFFICE}/invitations", timeout=10, allow_redirects=False, data={
        "nama": "Tamu Lain", "no_hp": "081338001188", "nik": "", "purpose": "meet_employee", "host_id": "",
        "valid_from": today, "valid_until": today, "csrf": ucsrf})
    assert r.status_code == 403


def test_host_accounts_are_linked_by_the_cli_or_the_admin_on_the_directory(central):
    import subprocess
    import sys

    from kiosk.central.desk import DeskStore, DeskUserError

    def add(*args):
        return subprocess.run([sys.executable, "-m", "kiosk", "central", "user", "add", "--office", OFFICE, *args],
                              input=PASSWORD + "\n", capture_output=True, text=True, cwd=ROOT, env=central.env(),
                              timeout=60)

    p = add("--role", "host", "--name", "putu", "--host-id", "nobody")
    assert p.returncode == 2 and "tidak ada di direktori" in p.stderr and "Traceback" not in p.stderr
    p = add("--role", "ptsp", "--name", "putu", "--host-id", "kajari")
    assert p.returncode == 2 and "--host-id" in p.stderr
    p = add("--role", "host", "--name", "putu", "--host-id", "kasi-datun")
    assert p.returncode == 0 and "linked to host kasi-datun" in p.stdout, p.stderr
    assert central.rows("select host_id from desk_users where name = 'putu'") == [("kasi-datun",)]
    with pytest.raises(DeskUserError):
        DeskStore(central.store.engine, central.store.keys).add_user(OFFICE, "x", "admin", PASSWORD, host_id="kajari")

    # The admin links the unlinked account on the entry's page; a PTSP officer may not.
    komang = central.rows("select id from desk_users where name = 'komang'")[0][0]
    ptsp, _ = login(central, "ani")
    page, csrf = page_csrf(ptsp, central, f"/desk/{OFFICE}/hosts/kasi-pidsus/edit")
    assert 'id="account-form"' not in page
    r = ptsp.post(f"{central.url}/desk/{OFFICE}/hosts/kasi-pidsus/account", data={"user_id": komang, "csrf": csrf},
                  allow_redirects=False, timeout=10)
    assert r.status_code == 403
    admin, _ = login(central, "adi")
    page, csrf = page_csrf(admin, central, f"/desk/{OFFICE}/hosts/kasi-pidsus/edit")
    assert 'id="account-form"' in page and ">komang<" in page.replace("</option>", "<")
    ptsp_id = central.rows("select id from desk_users where name = 'ani'")[0][0]
    r = admin.post(f"{central.url}/desk/{OFFICE}/hosts/kasi-pidsus/account", data={"user_id": ptsp_id, "csrf": csrf},
                   allow_redirects=False, timeout=10)
    assert r.status_code == 403  # only an account of role host is linked
    r = admin.post(f"{central.url}/desk/{OFFICE}/hosts/kasi-pidsus/account", data={"user_id": komang, "csrf": csrf},
                   timeout=10)
    assert r.status_code == 200 and "Akun ditautkan" in r.text
    assert central.rows("select host_id from desk_users where name = 'komang'") == [("kasi-pidsus",)]
    assert central.rows("select count(*) from desk_audit where action = 'host_account_linked'")[0][0] == 1
    r = admin.post(f"{central.url}/desk/{OFFICE}/hosts/kasi-pidsus/account", data={"user_id": "", "csrf": csrf},
                   timeout=10)
    assert central.rows("select host_id from desk_users where name = 'komang'") == [(None,)]


# --- the browser ---

@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    b = _chromium()
    yield b
    b.quit()


def _browser_login(browser, srv, name):
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(f"{srv.url}/desk/login?office={OFFICE}")
    browser.find_element(By.ID, "name").send_keys(name)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "submit").click()


@pytest.mark.slow
def test_in_chromium_the_directory_and_the_invitation_form(central, cloud, browser, tmp_path):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    # A form post reloads the page: an element found a moment ago may belong to the old one; look again.
    wait = WebDriverWait(browser, 20, poll_frequency=0.05,
                         ignored_exceptions=(StaleElementReferenceException, NoSuchElementException))
    browser.set_window_size(1280, 900)
    _browser_login(browser, central, "adi")
    wait.until(lambda b: b.find_elements(By.ID, "nav-hosts"))
    vid = push_visit(central, nama="Ketut Widana")
    wait.until(lambda b: b.find_elements(By.ID, f"v-{vid}"))
    browser.save_screenshot(str(ARTIFACTS / "today-actions.png"))

    browser.find_element(By.ID, "nav-hosts").click()
    wait.until(lambda b: b.find_elements(By.ID, "host-form"))
    photo = tmp_path / "foto.jpg"
    photo.write_bytes(guest_png())
    browser.find_element(By.ID, "nama").send_keys("Ni Kadek Ayu Lestari, S.H.")
    browser.find_element(By.ID, "bidang").send_keys("Intelijen")
    browser.find_element(By.ID, "jabatan").send_keys("Jaksa Fungsional")
    browser.find_element(By.ID, "no_hp").send_keys("0812 ABC")
    browser.find_element(By.ID, "save").click()
    wait.until(lambda b: b.find_elements(By.ID, "error"))
    assert "Nomor WhatsApp tidak sah" in browser.find_element(By.ID, "error").text
    browser.save_screenshot(str(ARTIFACTS / "directory-error.png"))
    field = browser.find_element(By.ID, "no_hp")
    field.clear()
    field.send_keys("0812-3456-7088")
    browser.find_element(By.ID, "photo").send_keys(str(photo))
    browser.find_element(By.ID, "save").click()
    wait.until(lambda b: b.find_elements(By.ID, "h-ni-kadek-ayu-lestari"))
    row = browser.find_element(By.ID, "h-ni-kadek-ayu-lestari")
    assert "+6281234567088" in row.text and "Aktif" in row.text
    wait.until(lambda b: b.execute_script(
        "var i = document.querySelector('#h-ni-kadek-ayu-lestari img'); return i && i.complete && i.naturalWidth > 0"))
    browser.execute_script("document.getElementById('h-ni-kadek-ayu-lestari').scrollIntoView({block: 'center'})")
    browser.save_screenshot(str(ARTIFACTS / "directory.png"))
    browser.set_window_size(390, 844)
    browser.save_screenshot(str(ARTIFACTS / "directory-phone.png"))
    browser.set_window_size(1280, 900)
    browser.find_element(By.CSS_SELECTOR, "#h-ni-kadek-ayu-lestari a.late").click()  # Ubah
    wait.until(lambda b: b.find_elements(By.ID, "host-form"))
    assert browser.find_element(By.ID, "no_hp").get_attribute("value") == "+6281234567088"
    position = browser.find_element(By.ID, "jabatan")
    position.clear()
    position.send_keys("Kasubsi Intelijen")
    browser.save_screenshot(str(ARTIFACTS / "directory-edit.png"))
    browser.find_element(By.ID, "save").click()
    wait.until(lambda b: "Kasubsi Intelijen" in b.find_element(By.ID, "h-ni-kadek-ayu-lestari").text)

    browser.find_element(By.ID, "nav-invitations").click()
    wait.until(lambda b: b.find_elements(By.ID, "invite-form"))
    browser.find_element(By.ID, "nama").send_keys("Dewa Gede Putra")
    browser.find_element(By.ID, "no_hp").send_keys("0813 3800 1199")
    Select(browser.find_element(By.ID, "host_id")).select_by_value("ni-kadek-ayu-lestari")
    browser.find_element(By.ID, "send").click()
    wait.until(lambda b: b.find_elements(By.ID, "flash"))
    inv_id = central.rows("select invitation_id from invitations order by created_at desc limit 1")[0][0]
    _qr_sent(cloud, inv_id)
    browser.refresh()
    wait.until(lambda b: b.find_element(By.ID, f"i-{inv_id}").get_attribute("data-wa") == "sent")
    assert "Dewa Gede Putra" in browser.find_element(By.ID, f"i-{inv_id}").text
    browser.save_screenshot(str(ARTIFACTS / "invitations.png"))
    browser.find_element(By.CSS_SELECTOR, f"#i-{inv_id} button.revoke").click()
    wait.until(lambda b: b.find_element(By.ID, f"i-{inv_id}").get_attribute("data-status") == "revoked")
    browser.find_element(By.ID, "lang").click()
    wait.until(lambda b: "Invitations" in b.page_source)
    browser.save_screenshot(str(ARTIFACTS / "invitations-en.png"))
    browser.find_element(By.ID, "lang").click()


@pytest.mark.slow
def test_in_chromium_a_host_sees_their_own_guests_and_the_admin_links_accounts(central, browser):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    wait = WebDriverWait(browser, 20, poll_frequency=0.05,
                         ignored_exceptions=(StaleElementReferenceException, NoSuchElementException))
    browser.set_window_size(1280, 800)
    mine = push_visit(central, nama="Nengah Sudiarta", host_id="kasi-pidum")
    theirs = push_visit(central, nama="Luh Sukerti", host_id="kajari")
    _browser_login(browser, central, "dedi")
    wait.until(lambda b: b.find_elements(By.ID, f"v-{mine}"))
    assert not browser.find_elements(By.ID, f"v-{theirs}") and not browser.find_elements(By.ID, "nav-inside")
    row = browser.find_element(By.ID, f"v-{mine}")
    assert row.find_elements(By.CSS_SELECTOR, "button.accept") and not row.find_elements(By.CSS_SELECTOR, "button.checkout")
    browser.save_screenshot(str(ARTIFACTS / "today-host.png"))
    row.find_element(By.CSS_SELECTOR, "button.accept").click()
    wait.until(lambda b: b.find_element(By.ID, f"v-{mine}").get_attribute("data-state") == "accepted")
    browser.set_window_size(390, 844)
    browser.save_screenshot(str(ARTIFACTS / "today-host-phone.png"))
    browser.set_window_size(1280, 800)
    _browser_login(browser, central, "adi")
    wait.until(lambda b: b.find_elements(By.ID, "nav-hosts"))
    browser.get(f"{central.url}/desk/{OFFICE}/hosts/kasubag-bin/edit")
    wait.until(lambda b: b.find_elements(By.ID, "account-form"))
    Select(browser.find_element(By.ID, "account")).select_by_visible_text("wayan (kajari)")
    browser.find_element(By.ID, "link").click()
    wait.until(lambda b: b.find_elements(By.ID, "flash"))
    assert central.rows("select host_id from desk_users where name = 'wayan'") == [("kasubag-bin",)]
    browser.execute_script("document.getElementById('account-card').scrollIntoView({block: 'center'})")
    browser.save_screenshot(str(ARTIFACTS / "directory-account.png"))
    with central.store.engine.begin() as conn:  # back as the other tests expect it
        from sqlalchemy import text

        conn.execute(text("update desk_users set host_id = 'kajari' where name = 'wayan'"))


# --- retention and erasure ---

def test_retention_purges_old_invitations_and_their_queued_messages(tmp_path):
    import os

    from sqlalchemy import create_engine, func, insert, select

    from kiosk.central.keys import CentralKeys
    from kiosk.central.models import invitations, meta, wa_outbox
    from kiosk.central.store import CentralStore

    engine = create_engine(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    meta.create_all(engine)
    old = "2026-01-01T00:00:00.000000Z"
    with engine.begin() as conn:
        conn.execute(insert(invitations).values(
            invitation_id="0000000001", office=OFFICE, purpose="meet_employee", host_id="h", host_name="H", record_enc="x",
            key_id="00000000", valid_from=old, valid_until="2026-01-02T00:00:00.000000Z", created_at=old, created_by="u"))
        for key, case in (("invitation:0000000001", None), ("reminder:v-1:1", None), ("ack:case-1", "case-1")):
            conn.execute(insert(wa_outbox).values(id=key, office=OFFICE, idem_key=key, case_id=case, phone_number_id="1",
                                                  to_enc="x", payload_enc="x", status="sent", attempts=1, next_at=old,
                                                  delivery="", last_error="", created_at=old))
    counts = CentralStore(engine, CentralKeys(os.urandom(32))).purge(30, now=datetime(2026, 6, 1, tzinfo=UTC))
    assert (counts["invitations"], counts["wa_outbox"]) == (1, 2)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(invitations)).scalar_one() == 0
        assert [r[0] for r in conn.execute(select(wa_outbox.c.idem_key))] == ["ack:case-1"]  # a complaint's: with its case
    engine.dispose()


def test_erasing_a_data_subject_removes_the_invitations_that_named_them(central, cloud, kiosk):
    from kiosk.app.invitations import InvalidInvitation

    s, _ = login(central, "ani")
    nik = "5105014101900015"
    inv_id = _invite(s, central, nama="Kadek Erasa", no_hp="081338001166", nik=nik)
    token = _qr_sent(cloud, inv_id)
    kiosk.sync.pull_once()
    assert _scan(kiosk, token)[1] == "invitation"
    assert central.rows("select status from wa_outbox where idem_key = :k", k=f"invitation:{inv_id}") == [("sent",)]
    r = central.post(f"/v1/offices/{OFFICE}/erasures", {"request_id": str(uuid.uuid4()),
                                                       "subject_hash": central.store.keys.subject_hash(OFFICE, nik)})
    assert r.status_code == 200, r.text
    assert central.rows("select 1 from invitations where invitation_id = :i", i=inv_id) == []
    assert central.rows("select 1 from wa_outbox where idem_key = :k", k=f"invitation:{inv_id}") == []
    assert kiosk.db.conn.execute("SELECT count(*) FROM invitations WHERE id=?", (inv_id,)).fetchone()[0] == 1
    kiosk.sync.pull_once()
    assert kiosk.db.conn.execute("SELECT count(*) FROM invitations WHERE id=?", (inv_id,)).fetchone()[0] == 0
    with pytest.raises(InvalidInvitation) as exc:
        _scan(kiosk, token)
    assert exc.value.reason == "unknown"


def test_the_kiosk_purge_deletes_invitations_over_before_the_retention_cutoff(context):
    from kiosk.store.invitations import InvitationRecord, InvitationRepository

    repo = InvitationRepository(context.db, context.cipher)
    now = context.clock.now()
    for inv_id, days in (("OLD0000001", 400), ("NEW0000001", 1)):
        until = now - timedelta(days=days)
        repo.insert(InvitationRecord(inv_id, "meet_employee", "kajari", "Kajari", GUEST_NIK, until - timedelta(days=1), until),
                    at=now)
    context.privacy.purge()
    assert repo.get("OLD0000001") is None and repo.get("NEW0000001") is not None
