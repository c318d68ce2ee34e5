"""The central service as an office IT team runs it: a real `kiosk central serve` process on PostgreSQL.
Credentials bound to one office, correct idempotency, two writers converging, signed photo links and
webhooks, hostile HTTP, batch push, pull without polling, erasure, retention, encryption at rest."""
from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
import uuid

import pytest
import requests
from PIL import Image

from tests.fixtures_sync import APP_SECRET, OFFICE, ROOT, TOKEN, CentralProcess, wait_for

OTHER = "KEJARI-DPS"
NIK = "5105014101900001"


@pytest.fixture(scope="module")
def central(tmp_path_factory, postgres_server):
    work = tmp_path_factory.mktemp("central")
    srv = CentralProcess(postgres_server.create_database(), work, seed_config=ROOT / "config" / "simulate.toml",
                         env={"KIOSK_CENTRAL_BODY_TIMEOUT_S": "4", "KIOSK_CENTRAL_MAX_INFLIGHT": "4",
                              "KIOSK_CENTRAL_MAX_BODY_BYTES": "6000000"})
    srv.log = work / "server.log"
    srv.stderr = open(srv.log, "w")  # noqa: SIM115 (kept open while the server runs)
    srv.start()
    _, srv.other_token = srv.store.issue_credential(OTHER, "lobby-1")
    yield srv
    srv.stop()
    srv.stderr.close()


def _visit(**changes):
    body = {"visit_id": str(uuid.uuid4()), "device_id": "lobby-1", "created_at": "2026-11-23T01:30:00.000+00:00",
            "state": "waiting_host", "purpose": "meet_employee", "nama": "Budi Santoso", "satker": "Kejari Klungkung",
            "no_identitas": NIK, "no_hp": "081234567890", "alamat": "Jl. Melati 3", "tipe_tamu": "Umum"}
    body.update(changes)
    return body


def _event(to_state, at, **changes):
    body = {"event_id": str(uuid.uuid4()), "kind": "transition", "from_state": "waiting_host", "to_state": to_state,
            "at": at, "actor": "staff:ptsp", "device_id": "lobby-1"}
    body.update(changes)
    return body


def _h(token=TOKEN, key=None):
    h = {"Authorization": f"Bearer {token}"}
    if key:
        h["Idempotency-Key"] = key
    return h


def _office(central, rest="", office=OFFICE):
    return f"{central.url}/v1/offices/{office}{rest}"


def _push(central, body, key=None, token=TOKEN, office=OFFICE):
    return requests.post(_office(central, "/visits", office), json=body, headers=_h(token, key or str(uuid.uuid4())), timeout=10)


def _push_event(central, visit_id, body, key=None):
    return requests.post(_office(central, f"/visits/{visit_id}/events"), json=body, headers=_h(key=key or str(uuid.uuid4())),
                         timeout=10)


def _image(fmt="PNG", size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def _raw(central, data: bytes, *, read=True, pause_after: int | None = None, pause_s: float = 0) -> str:
    """Send bytes as they are (no client library to fix them) and return the status line."""
    with socket.create_connection(("127.0.0.1", central.port), timeout=20) as s:
        if pause_after is not None:
            s.sendall(data[:pause_after])
            time.sleep(pause_s)
            with contextlib.suppress(OSError):
                s.sendall(data[pause_after:])
        else:
            s.sendall(data)
        if not read:
            return ""
        reply = b""
        while b"\r\n" not in reply:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
        return reply.split(b"\r\n", 1)[0].decode(errors="replace")


def _post_raw(central, path, body: bytes, extra=b"", content_length: bytes | None = None) -> bytes:
    cl = str(len(body)).encode() if content_length is None else content_length
    return (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode()
            + b"\r\nIdempotency-Key: " + uuid.uuid4().hex.encode() + b"\r\nContent-Type: application/json\r\n"
            + b"Content-Length: " + cl + b"\r\n" + extra + b"\r\n" + body)


# --- credentials ---

def test_a_credential_is_issued_to_a_0600_file_works_for_its_office_only_and_can_be_revoked(central, tmp_path, monkeypatch):
    from kiosk.cli import main

    monkeypatch.setenv("KIOSK_CENTRAL_DB", central.db_url)
    monkeypatch.setenv("KIOSK_CENTRAL_KEY_FILE", str(central.key_file))
    out = tmp_path / "lobby-9.json"
    assert main(["central", "credential", "issue", "--office", OFFICE, "--device", "lobby-9", "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    cred = json.loads(out.read_text())
    assert cred["office"] == OFFICE and cred["device_id"] == "lobby-9" and len(cred["subject_key"]) == 64
    token = cred["token"]
    assert token not in json.dumps(central.rows("SELECT * FROM credentials"))  # stored hashed only
    v = _visit()
    assert _push(central, v, token=token).status_code == 201

    # Another office's token: 403 on every endpoint of this office, and nothing changes.
    other = central.other_token
    vid = v["visit_id"]
    calls = [
        ("POST", "/visits", {"json": _visit()}),
        ("POST", f"/visits/{vid}/events", {"json": _event("accepted", "2026-11-23T01:35:00+00:00")}),
        ("GET", f"/visits/{vid}", {}),
        ("GET", f"/visits/{vid}/photo", {}),
        ("PUT", f"/visits/{vid}/photo", {"data": _image(), "headers": {"Content-Type": "image/png"}}),
        ("POST", f"/visits/{vid}/answer", {"json": {"accepted": False, "actor": "host:x"}}),
        ("GET", "/hosts", {}),
        ("GET", "/events", {}),
        ("GET", "/events", {"params": {"wait": "1"}}),
        ("POST", "/batch", {"json": {"items": [{"op": "visit", "idempotency_key": "x", "body": _visit()}]}}),
        ("POST", "/erasures", {"json": {"request_id": str(uuid.uuid4()), "visit_ids": [vid]}}),
    ]
    for method, path, kw in calls:
        headers = {**_h(other, "k-" + uuid.uuid4().hex), **kw.pop("headers", {})}
        r = requests.request(method, _office(central, path), headers=headers, timeout=10, **kw)
        assert r.status_code == 403 and "another office" in r.json()["reason"], (method, path, r.status_code, r.text)
    assert central.get(f"/v1/offices/{OFFICE}/visits/{vid}")["state"] == "waiting_host"
    assert _push(central, _visit(), token=other, office=OTHER).status_code == 201  # its own office works

    assert main(["central", "credential", "revoke", "--office", OFFICE, "--device", "lobby-9"]) == 0
    wait_for(lambda: _push(central, _visit(), token=token).status_code == 401, timeout=15, step=0.5)


def test_tokens_are_not_taken_from_the_command_line(capsys):
    from kiosk.cli import main

    assert main(["central", "serve", "--token", "secret-token"]) == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_the_server_refuses_a_public_address_without_any_credential(pg_url, tmp_path):
    env = {**os.environ, "KIOSK_CENTRAL_DB": pg_url, "KIOSK_CENTRAL_KEY_FILE": str(tmp_path / "k")}
    p = subprocess.run([sys.executable, "-m", "kiosk", "central", "serve", "--host", "0.0.0.0", "--port", "0"], cwd=ROOT,
                       env=env, capture_output=True, text=True, timeout=120)
    lines = [line for line in p.stderr.splitlines() if line.startswith("kiosk:")]
    assert p.returncode == 2 and len(lines) == 1 and "no device credential" in lines[0] and "Traceback" not in p.stderr


# --- WhatsApp webhook and photo links ---

def test_the_webhook_needs_the_app_secrets_signature(central):
    hook = {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {"statuses": []}}]}]}
    assert requests.post(central.url + "/v1/webhooks/whatsapp", json=hook, timeout=10).status_code == 401
    assert central.webhook(hook, secret="forged").status_code == 401
    assert central.webhook(hook, secret=APP_SECRET).status_code == 200
    assert central.webhook({"object": "x"}).status_code == 400


def test_photos_are_checked_re_encoded_and_reach_the_host_by_a_signed_link_without_a_token(central):
    import hashlib
    import hmac

    v = _visit()
    r = _push(central, v)
    vid = v["visit_id"]
    html = b"<html><script>alert(1)</script></html>"
    put = f"{_office(central)}/visits/{vid}/photo"
    bad = requests.put(put, data=html, headers={**_h(), "Content-Type": "image/jpeg"}, timeout=10)
    assert bad.status_code == 400 and "not a JPEG or PNG" in bad.json()["reason"]
    fake = requests.put(put, data=b"\xff\xd8\xff" + html, headers={**_h(), "Content-Type": "image/jpeg"}, timeout=10)
    assert fake.status_code == 400
    assert requests.put(put, data=_image(), headers={**_h(), "Content-Type": "text/html"}, timeout=10).status_code == 415
    r = requests.put(put, data=_image("PNG", (64, 48)), headers={**_h(), "Content-Type": "image/png"}, timeout=10)
    assert r.status_code == 201 and (r.json()["width"], r.json()["height"]) == (64, 48)
    link = r.json()["photo_url"]
    got = requests.get(link, timeout=10)  # what the host opens from WhatsApp: no token
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg" and got.content[:3] == b"\xff\xd8\xff"
    assert Image.open(io.BytesIO(got.content)).format == "JPEG"
    assert requests.get(link.replace("sig=", "sig=0"), timeout=10).status_code == 403
    assert requests.get(link.replace(OFFICE, OTHER), timeout=10).status_code == 403
    assert requests.get(link.split("?")[0], timeout=10).status_code == 401
    past = int(time.time()) - 10
    key = central.store.keys.photo_link_key
    sig = hmac.new(key, f"{OFFICE}/{vid}/{past}".encode(), hashlib.sha256).hexdigest()[:40]
    assert requests.get(f"{link.split('?')[0]}?exp={past}&sig={sig}", timeout=10).status_code == 403
    # The visit's status and its feed item carry a fresh signed link too.
    assert requests.get(central.get(f"/v1/offices/{OFFICE}/visits/{vid}")["photo_url"], timeout=10).status_code == 200


# --- idempotency and two writers ---

def test_the_same_key_with_another_body_is_a_conflict_and_never_the_first_answer(central):
    key = str(uuid.uuid4())
    first, second = _visit(), _visit()
    assert _push(central, first, key).status_code == 201
    r = _push(central, second, key)
    assert r.status_code == 409 and "already used for another request" in r.json()["reason"]
    assert central.rows("SELECT COUNT(*) FROM visits WHERE visit_id=:v", v=second["visit_id"]) == [(0,)]
    # The same visit under a new key: a repeat when identical, a conflict when it differs.
    assert _push(central, first).status_code == 200
    r = _push(central, {**first, "nama": "Someone Else"})
    assert r.status_code == 409 and "different body" in r.json()["reason"]
    ev = _event("accepted", "2026-11-23T01:35:00+00:00")
    k = str(uuid.uuid4())
    assert _push_event(central, first["visit_id"], ev, k).status_code == 201
    assert _push_event(central, first["visit_id"], ev, k).status_code == 200
    r = _push_event(central, first["visit_id"], {**ev, "to_state": "declined"}, k)
    assert r.status_code == 409
    r = _push_event(central, first["visit_id"], {**ev, "to_state": "declined"})  # same event id, new key
    assert r.status_code == 409 and "different body" in r.json()["reason"]


def test_kiosk_and_central_both_changing_a_visit_converge_and_the_gate_sees_the_truth(central):
    v = _visit()
    vid = v["visit_id"]
    assert _push(central, v).status_code == 201
    # The host accepts at central (now) while staff, offline, declined and checked the guest out earlier.
    answered = requests.post(_office(central, f"/visits/{vid}/answer"), json={"accepted": True, "actor": "host:kasi-pidum"},
                             headers=_h(), timeout=10)
    assert answered.status_code == 200 and answered.json()["state"] == "accepted"
    declined = _push_event(central, vid, _event("declined", "2026-11-23T01:40:00+00:00"))
    assert declined.status_code == 201 and declined.json()["state"] == "accepted"  # recorded, the later answer stands
    out = _push_event(central, vid, _event("checked_out", "2026-11-23T01:45:00+00:00", from_state="declined"))
    assert out.status_code == 201 and out.json()["state"] == "checked_out"  # what happened at the door wins
    assert central.get(f"/v1/offices/{OFFICE}/visits/{vid}")["state"] == "checked_out"
    feed = [i for i in central.get(f"/v1/offices/{OFFICE}/events", limit="1000")["events"] if i["visit_id"] == vid]
    assert [i["state"] for i in feed] == ["waiting_host", "accepted", "accepted", "checked_out"]

    # The same events in another order end in the same state: the rule depends on the events, not on arrival.
    events = [_event("accepted", "2026-11-23T01:35:00+00:00"), _event("declined", "2026-11-23T01:36:00+00:00"),
              _event("inside", "2026-11-23T01:37:00+00:00", from_state="accepted")]
    finals = []
    for order in ([0, 1, 2], [2, 1, 0], [1, 2, 0]):
        w = _visit()
        assert _push(central, w).status_code == 201
        for i in order:
            r = _push_event(central, w["visit_id"], {**events[i], "event_id": str(uuid.uuid4())})
            assert r.status_code == 201
        finals.append(central.get(f"/v1/offices/{OFFICE}/visits/{w['visit_id']}")["state"])
    assert finals == ["inside"] * 3


def test_the_precedence_rule_is_one_pure_function_shared_with_the_kiosk():
    from datetime import UTC, datetime

    from kiosk.domain.convergence import converged_state

    t = lambda m: datetime(2026, 11, 23, 1, m, tzinfo=UTC)  # noqa: E731
    assert converged_state("waiting_host", t(0), [("accepted", t(5), "a"), ("declined", t(6), "b")]) == "declined"
    assert converged_state("waiting_host", t(0), [("declined", t(6), "b"), ("accepted", t(5), "a")]) == "declined"
    assert converged_state("waiting_host", t(0), [("checked_out", t(1), "c"), ("accepted", t(9), "a")]) == "checked_out"
    assert converged_state("waiting_host", t(0), [("expired", t(1), "c"), ("inside", t(2), "d")]) == "inside"


# --- robust HTTP ---

@pytest.mark.parametrize("data, expected", [
    (b"POST /v1/offices/KEJARI-KLK/visits HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}", "400"),
    (b"POST /v1/offices/KEJARI-KLK/visits HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n{}", "400"),
    (b"POST /v1/offices/KEJARI-KLK/visits HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}", "400"),
    (b"GARBAGE\r\n\r\n", "400"),
])
def test_malformed_framing_is_a_4xx(central, data, expected):
    assert _raw(central, data).split(" ")[1] == expected


def test_hostile_bodies_are_4xx_never_500(central):
    path = f"/v1/offices/{OFFICE}/visits"
    assert " 400 " in _raw(central, _post_raw(central, path, b"[" * 200_000)) + " "
    assert " 400 " in _raw(central, _post_raw(central, path, b"{\"a\": " * 50_000)) + " "
    assert " 400 " in _raw(central, _post_raw(central, path, b"\xff\xfe not json")) + " "
    assert " 413 " in _raw(central, _post_raw(central, path, b"{}", content_length=b"999999999")) + " "
    chunked = (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode()
               + b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    big = b"".join(b"%x\r\n" % 1_000_000 + b"a" * 1_000_000 + b"\r\n" for _ in range(7))
    assert " 413 " in _raw(central, chunked + big + b"0\r\n\r\n") + " "
    deep_data = _event("accepted", "2026-11-23T01:35:00+00:00", data={"a": [[[[[[[[[[1]]]]]]]]]]})
    v = _visit()
    _push(central, v)
    r = _push_event(central, v["visit_id"], deep_data)
    assert r.status_code == 400 and "nested deeper" in r.json()["reason"]


def test_ids_and_times_the_contract_accepts_are_stored_and_the_rest_is_400(central):
    accepted = [_visit(visit_id=str(uuid.uuid4()).upper()), _visit(created_at="2026-11-23T23:59:59.999999+14:00"),
                _visit(created_at="2026-11-23T00:00:00-12:00", expires_at="2099-12-31T23:59:59Z")]
    for body in accepted:
        r = _push(central, body)
        assert r.status_code == 201 and r.json()["visit_id"] == body["visit_id"].lower(), r.text
    for created in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-13-01T00:00:00Z",
                    "2026-11-23T01:30:00", "1999-12-31T23:59:59Z"):
        r = _push(central, _visit(created_at=created))
        assert r.status_code == 400 and "created_at" in r.json()["reason"], (created, r.text)
    page = requests.get(_office(central, "/events"), params={"since": "9" * 18, "limit": "9999"}, headers=_h(), timeout=10)
    assert page.status_code == 200 and page.json()["events"] == []
    for params in ({"since": "-1"}, {"since": "1" * 19}, {"limit": "x"}, {"wait": "31"}):
        assert requests.get(_office(central, "/events"), params=params, headers=_h(), timeout=10).status_code == 400
    assert requests.get(_office(central, "/visits/not-a-uuid"), headers=_h(), timeout=10).status_code == 400
    assert requests.get(_office(central, "/visits", "lower-case"), headers=_h(), timeout=10).status_code in (400, 405)


def test_slow_bodies_time_out_disconnects_leave_no_traceback_and_overload_is_429(central):
    path = f"/v1/offices/{OFFICE}/visits"
    body = json.dumps(_visit()).encode()
    raw = _post_raw(central, path, body)
    status = _raw(central, raw, pause_after=raw.index(b"\r\n\r\n") + 14, pause_s=5.5)  # body timeout is 4 s here
    assert status.split(" ")[1] == "408"
    # A client that leaves in the middle of its body.
    _raw(central, raw[:raw.index(b"\r\n\r\n") + 14], read=False)
    # Overload: slow uploads hold the slots of this worker (at most 4 in flight); then a request is told to come back.
    socks, seen = [], []
    for _ in range(8):
        s = socket.create_connection(("127.0.0.1", central.port), timeout=10)
        raw = _post_raw(central, path, body)
        s.sendall(raw[:raw.index(b"\r\n\r\n") + 14])  # the headers and the start of the body
        socks.append(s)
        time.sleep(0.2)
        r = requests.get(_office(central, "/hosts"), headers=_h(), timeout=10)
        seen.append(r.status_code)
        if r.status_code == 429:
            break
    for s in socks:
        s.close()
    assert seen[-1] == 429 and len(seen) >= 2, seen
    assert r.headers["Retry-After"] == "1" and "busy" in r.json()["reason"]
    wait_for(lambda: requests.get(_office(central, "/hosts"), headers=_h(), timeout=10).status_code == 200, timeout=10)
    central.stderr.flush()
    log = central.log.read_text()
    assert "Traceback" not in log and "internal error" not in log


# --- throughput: batch, binary photos, pull ---

def test_a_batch_stores_every_good_item_and_answers_each_one(central):
    a, b = _visit(), _visit()
    items = [
        {"op": "visit", "idempotency_key": "b-" + a["visit_id"], "body": a},
        {"op": "event", "idempotency_key": "e-" + a["visit_id"], "visit_id": a["visit_id"],
         "body": _event("accepted", "2026-11-23T01:35:00+00:00")},
        {"op": "visit", "idempotency_key": "bad-" + b["visit_id"], "body": {**b, "nama": ""}},
        {"op": "event", "idempotency_key": "e404", "visit_id": str(uuid.uuid4()), "body": _event("accepted", "2026-11-23T01:35:00+00:00")},
        {"op": "visit", "idempotency_key": "b-" + b["visit_id"], "body": b},
        {"op": "event", "idempotency_key": "no-visit-id", "body": _event("accepted", "2026-11-23T01:35:00+00:00")},
    ]
    r = requests.post(_office(central, "/batch"), json={"items": items}, headers=_h(), timeout=30)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == [201, 201, 400, 404, 201, 400]
    assert results[1]["result"]["state"] == "accepted" and "body.nama: too short" in results[2]["reason"]
    again = requests.post(_office(central, "/batch"), json={"items": items}, headers=_h(), timeout=30).json()["results"]
    assert [x["status"] for x in again] == [200, 200, 400, 404, 200, 400]
    conflict = [{**items[0], "body": {**a, "nama": "Other"}}]
    r = requests.post(_office(central, "/batch"), json={"items": conflict}, headers=_h(), timeout=30).json()["results"]
    assert r[0]["status"] == 409
    assert requests.post(_office(central, "/batch"), json={"items": []}, headers=_h(), timeout=10).status_code == 400


def test_pull_answers_304_when_nothing_changed_and_a_long_poll_wakes_on_news(central):
    from kiosk.sync.central import CentralClient

    client = CentralClient(central.url, OFFICE, token=TOKEN)
    items, cursor, etag = client.wait_events("0", wait_s=0, limit=1000)
    while len(items) == 1000:
        items, cursor, etag = client.wait_events(cursor, wait_s=0, limit=1000)
    r = requests.get(_office(central, "/events"), params={"since": cursor}, headers={**_h(), "If-None-Match": etag}, timeout=10)
    assert r.status_code == 304 and r.content == b""
    got = {}
    poll = threading.Thread(target=lambda: got.update(r=client.wait_events(cursor, wait_s=30, etag=etag)))
    poll.start()
    time.sleep(1)
    v = _visit()
    _push(central, v)
    poll.join(20)
    assert not poll.is_alive(), "the long poll was not woken by the new visit"
    new_items, new_cursor, new_etag = got["r"]
    assert [i["visit_id"] for i in new_items] == [v["visit_id"]] and new_etag != etag, (new_items, new_etag, etag)
    assert new_items[0]["visit"]["no_identitas_akhir"] == NIK[-4:] and "alamat" not in new_items[0]["visit"]
    client.close()


def test_a_long_poll_started_right_after_a_read_waits_for_the_next_item(central):
    """The feed watcher ticks every 0.25 s, so right after a push a device's cursor is ahead of it; the
    watcher's late news of the item the device already has must not end the device's wait empty."""
    from kiosk.sync.central import CentralClient

    client = CentralClient(central.url, OFFICE, token=TOKEN)
    items, cursor, etag = client.wait_events("0", wait_s=0, limit=1000)
    while len(items) == 1000:
        items, cursor, etag = client.wait_events(cursor, wait_s=0, limit=1000)
    for _ in range(3):
        _push(central, _visit())
        items, cursor, etag = client.wait_events(cursor, wait_s=0, limit=1000)  # the device is up to date
        got = {}
        poll = threading.Thread(target=lambda c=cursor, e=etag, g=got: g.update(r=client.wait_events(c, wait_s=20, etag=e)))
        poll.start()
        time.sleep(1)
        v = _visit()
        _push(central, v)
        poll.join(15)
        assert not poll.is_alive(), "the long poll was not woken by the new visit"
        new_items, cursor, etag = got["r"]
        assert [i["visit_id"] for i in new_items] == [v["visit_id"]], new_items
    client.close()


# --- erasure, retention, encryption at rest ---

def test_a_data_subject_is_erased_at_central_by_the_keyed_hash_of_the_nik(central):
    from kiosk.domain.subject import subject_hash
    from kiosk.sync.central import CentralClient

    nik = "3171234567890123"
    mine = [_visit(no_identitas=nik, nama="Siti Aminah"), _visit(no_identitas=nik, nama="Siti Aminah", device_id="gate-1")]
    keep = _visit(no_identitas="3171234567890999", nama="Orang Lain")
    for body in [*mine, keep]:
        assert _push(central, body).status_code == 201
    subject_key = central.store.keys.subject_key(OFFICE)  # what `credential issue` gives each device
    client = CentralClient(central.url, OFFICE, token=TOKEN)
    request_id = str(uuid.uuid4())
    r = client.erase(request_id, subject_hash=subject_hash(subject_key, nik))
    assert r == {"request_id": request_id, "visits_deleted": 2, "status": "erased"}
    assert client.erase(request_id, subject_hash=subject_hash(subject_key, nik))["status"] == "duplicate"
    ids = [m["visit_id"] for m in mine]
    assert central.rows("SELECT COUNT(*) FROM visits WHERE visit_id IN (:a, :b)", a=ids[0], b=ids[1]) == [(0,)]
    assert central.store.record(OFFICE, keep["visit_id"])["nama"] == "Orang Lain"
    feed = client.wait_events("0", wait_s=0, limit=1000)[0]
    assert {i["visit_id"] for i in feed if i["type"] == "visit.erased"} >= set(ids)
    assert not [i for i in feed if i["visit_id"] in ids and i["type"] != "visit.erased"]
    assert requests.get(_office(central, f"/visits/{ids[0]}"), headers=_h(), timeout=10).status_code == 404
    client.close()


def test_personal_fields_and_photos_are_encrypted_at_rest(central):
    v = _visit(nama="Ketut Rahasia", no_identitas="5171234567891234", no_hp="081999888777", alamat="Jl. Rahasia 9",
               detail="Konsultasi - PT Sangat Rahasia", tipe_tamu="Instansi")
    _push(central, v)
    requests.put(f"{_office(central)}/visits/{v['visit_id']}/photo", data=_image("JPEG"),
                 headers={**_h(), "Content-Type": "image/jpeg"}, timeout=10)
    dump = json.dumps([central.rows(f"SELECT * FROM {t}") for t in ("visits", "events", "feed", "idempotency")], default=repr)
    for secret in ("Ketut Rahasia", "5171234567891234", "081999888777", "Jl. Rahasia", "Sangat Rahasia"):
        assert secret not in dump
    photo = central.rows("SELECT photo_enc FROM visits WHERE visit_id=:v", v=v["visit_id"])[0][0]
    assert b"\xff\xd8\xff" not in bytes(photo)[:16] and b"JFIF" not in bytes(photo)
    assert central.store.record(OFFICE, v["visit_id"])["alamat"] == "Jl. Rahasia 9"


def test_the_retention_purge_deletes_old_visits_at_central(central, monkeypatch, capsys):
    from kiosk.cli import main

    old, new = _visit(created_at="2026-01-02T08:00:00+07:00"), _visit(created_at=time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()))
    for body in (old, new):
        assert _push(central, body).status_code == 201
    monkeypatch.setenv("KIOSK_CENTRAL_DB", central.db_url)
    monkeypatch.setenv("KIOSK_CENTRAL_KEY_FILE", str(central.key_file))
    assert main(["central", "purge", "--days", "30"]) == 0
    assert "visits older than 30 days deleted" in capsys.readouterr().out
    assert central.store.record(OFFICE, old["visit_id"]) is None
    assert central.store.record(OFFICE, new["visit_id"]) is not None


def test_the_alembic_migrations_build_exactly_the_tables_the_code_uses(pg_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from kiosk.central.db import current_revision, head_revision, make_engine, migrate
    from kiosk.central.models import meta

    engine = make_engine(pg_url, pool_size=1)
    migrate(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), meta)
    assert diff == []
    from alembic import command

    from kiosk.central.db import _alembic_config

    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "base")
    assert current_revision(engine) is None
    engine.dispose()


def test_a_kiosk_reads_its_credential_from_the_issued_file(central, make_config, tmp_path, monkeypatch):
    from kiosk.cli import main
    from kiosk.sync.central import CentralClient

    monkeypatch.setenv("KIOSK_CENTRAL_DB", central.db_url)
    monkeypatch.setenv("KIOSK_CENTRAL_KEY_FILE", str(central.key_file))
    cred = tmp_path / "gate-7.json"
    assert main(["central", "credential", "issue", "--office", OFFICE, "--device", "gate-7", "--out", str(cred)]) == 0
    cfg = make_config({"central": {"url": central.url, "token": "", "token_file": str(cred)}})
    client = CentralClient.from_config(cfg)
    assert len(client.hosts()) == 7
    client.close()
