"""The central service enforces the contract (pydantic models from which openapi.json is generated): bad
requests get 4xx with a reason; the kiosk's mapping fills the fields the contract accepts."""
from __future__ import annotations

import json
import uuid

import pytest
import requests

from kiosk.central import schemas
from tests.fixtures_sync import OFFICE, TOKEN, CentralProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory, postgres_server):
    srv = CentralProcess(postgres_server.create_database(), tmp_path_factory.mktemp("central")).start()
    yield srv
    srv.stop()


def _visit(**changes):
    body = {"visit_id": str(uuid.uuid4()), "device_id": "lobby-1", "created_at": "2026-11-23T01:30:00.000+00:00",
            "state": "registered", "purpose": "meet_employee", "nama": "Budi", "satker": "Kejari Klungkung",
            "no_identitas": "5105014101900001", "tipe_tamu": "Umum"}
    body.update(changes)
    return body


def _post(server, path, body, key="k1", token=TOKEN):
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    return requests.post(f"{server.url}/v1/offices/{OFFICE}{path}", json=body, headers=headers, timeout=10)


@pytest.mark.parametrize(
    ("body", "key", "status", "reason"),
    [
        (_visit(nama=""), "a", 400, "body.nama: too short"),
        (_visit(nama="x" * 201), "a2", 400, "body.nama: longer than 200"),
        (_visit(state="teleported"), "b", 400, "body.state: must be one of"),
        (_visit(created_at="2026-11-23 09:30"), "c", 400, "body.created_at: not a valid date-time"),
        (_visit(nik="5105014101900001"), "d", 400, "body: unknown field nik"),
        (_visit(photo="not base64!"), "e", 400, "body.photo: not a valid byte"),
        (_visit(), None, 400, "header parameter Idempotency-Key: required"),
        (_visit(visit_id="abc"), "f", 400, "body.visit_id: not a valid uuid"),
        (_visit(nama="Bu\x00di"), "g", 400, "body.nama: must not contain NUL"),
    ],
)
def test_a_visit_that_breaks_the_contract_is_refused_with_a_reason(server, body, key, status, reason):
    r = _post(server, "/visits", body, key=key)
    assert r.status_code == status and reason in r.json()["reason"], r.text


def test_requests_without_a_valid_credential_are_refused(server):
    r = _post(server, "/visits", _visit(), token="wrong")
    assert r.status_code == 401 and "token" in r.json()["reason"]
    r = requests.get(f"{server.url}/v1/offices/{OFFICE}/events", timeout=10)
    assert r.status_code == 401


def test_an_event_for_an_unknown_visit_is_refused(server):
    event = {"event_id": str(uuid.uuid4()), "kind": "transition", "from_state": "registered", "to_state": "waiting_host",
             "at": "2026-11-23T01:31:00+00:00", "actor": "staff", "device_id": "lobby-1"}
    r = _post(server, f"/visits/{uuid.uuid4()}/events", event, key=str(uuid.uuid4()))
    assert r.status_code == 404 and "unknown visit" in r.json()["reason"]


def test_the_same_key_twice_stores_once_and_replays_the_first_answer(server):
    body = _visit()
    key = str(uuid.uuid4())
    before = server.store.stats()
    first = _post(server, "/visits", body, key=key)
    again = _post(server, "/visits", body, key=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json()["status"] == "duplicate"
    after = server.store.stats()
    assert (after["visits"] - before["visits"], after["replays"] - before["replays"]) == (1, 1)


def test_unknown_paths_and_methods_are_refused(server):
    assert requests.get(f"{server.url}/v2/nothing", timeout=10).status_code == 404
    r = requests.delete(f"{server.url}/v1/offices/{OFFICE}/visits", timeout=10)
    assert r.status_code == 405 and r.json()["reason"] == "method not allowed"


def test_the_contract_names_every_operation_the_kiosks_use():
    from kiosk.central.app import openapi_document

    doc = openapi_document()
    ids = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert {"pushVisit", "pushVisitEvent", "pushBatch", "getVisit", "getVisitPhoto", "putVisitPhoto", "answerVisit",
            "listHosts", "listEvents", "eraseDataSubject", "whatsappWebhook"} <= ids
    fields = doc["components"]["schemas"]["VisitPush"]["properties"]
    national = ["nama", "detail", "no_hp", "email", "alamat", "no_identitas", "tipe_tamu", "tipe_pelayanan",
                "nama_pejabat", "jabatan", "satker", "photo"]
    assert all(f in fields for f in national)


def test_the_published_contract_is_the_one_the_app_generates():
    from importlib import resources

    from kiosk.central.app import openapi_text

    published = resources.files("kiosk.central").joinpath("openapi.json").read_text(encoding="utf-8")
    assert json.loads(published) == json.loads(openapi_text()), "run: kiosk central openapi --out kiosk/central/openapi.json"


def test_the_mapping_fills_the_national_guestbook_fields_the_contract_accepts(context):
    from kiosk.app.registration import GuestIdentity
    from kiosk.sync import mapping

    v = context.registration.register(GuestIdentity(nik="5105014101900001", name="Budi", institution="PT Maju",
                                                    phone="081234567890", address="Jl. Melati 3"),
                                      purpose="ptsp_service", host_id="ptsp", host_name="Petugas PTSP", consent=True)
    [msg] = context.visits.outbox.for_aggregate(v.id)
    body = mapping.visit_body(registered=msg.payload, guest=context.guests.get(v.guest_id), host=context.hosts.get("ptsp"),
                              purpose_label="Layanan PTSP", satker=context.config.office.name, photo=b"\xff\xd8jpeg")
    schemas.VisitPush.model_validate(body)
    assert body["no_identitas"] == "5105014101900001" and body["alamat"] == "Jl. Melati 3"
    assert body["tipe_tamu"] == "Instansi" and body["detail"] == "Layanan PTSP - PT Maju"
    assert body["nama_pejabat"] == "Petugas PTSP" and body["jabatan"] == "Pelayanan Terpadu Satu Pintu"
    assert "5105014101900001" not in str(msg.payload)  # the outbox itself holds no NIK


@pytest.mark.parametrize("url, says", [
    ("mysql://kiosk:secret@127.0.0.1/central", "driver 'MySQLdb' is not installed"),
    ("not a url", "not a database URL"),
    ("postgresql://kiosk:secret@127.0.0.1:1/central", "cannot be used"),
])
def test_a_central_database_that_cannot_be_used_is_one_line_and_exit_2_without_the_password(url, says, capsys, tmp_path,
                                                                                          monkeypatch):
    from kiosk.cli import main

    monkeypatch.setenv("KIOSK_CENTRAL_KEY_FILE", str(tmp_path / "central.key"))
    assert main(["central", "serve", "--db", url, "--port", "0"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("kiosk:")]
    assert len(err) == 1 and says in err[0] and "Traceback" not in err[0]
    assert "secret" not in err[0]
