"""Host notices through the outbox, against local servers that speak the WhatsApp Cloud API and a Fonnte-style gateway."""
from __future__ import annotations

import pytest

from kiosk.domain.visit import VisitState
from kiosk.sync.notify_stubs import HttpGatewayStub, WhatsAppCloudStub
from tests.fixtures_sync import OFFICE, ROOT, CentralProcess, device_context, drain_all, free_port, register


@pytest.fixture
def cloud():
    with WhatsAppCloudStub("wa-token", "109876543210", {"kunjungan_tamu": 5}) as stub:
        yield stub


@pytest.fixture
def gateway():
    with HttpGatewayStub("fonnte-token") as stub:
        yield stub


def _cloud_cfg(stub, token="wa-token"):
    return {"kind": "whatsapp_cloud", "url": stub.base_url, "token": token, "phone_number_id": "109876543210",
            "template": "kunjungan_tamu", "intel_head_host_id": "kasi-intel"}


def test_notifying_the_host_queues_the_notice_and_moves_the_visit_to_waiting_host(make_config, tmp_path, cloud):
    dev = device_context(make_config, tmp_path, "lobby-1", "", notifier=_cloud_cfg(cloud))
    v = register(dev, 1)
    notice = dev.notifications.notify_host(v.id)
    assert dev.visits.get(v.id).state == VisitState.WAITING_HOST
    assert notice.status == "queued" and notice.host_id == "kasi-pidum"
    [queued] = [m for m in dev.visits.outbox.by_status("pending") if m.topic == "notify.host"]
    assert queued.topic == "notify.host" and "Tamu" not in str(queued.payload)  # no personal data queued
    assert cloud.accepted == []  # nothing sent inside the registration transaction

    drain_all(dev)
    [msg] = cloud.accepted
    assert msg["to"] == "6281200000003" and msg["template"]["name"] == "kunjungan_tamu"
    params = [p["text"] for p in msg["template"]["components"][0]["parameters"]]
    assert params[1] == "Tamu Nomor 1" and params[2] == "Bertemu pegawai" and params[3] == "23-11-2026 09:30 WITA"
    buttons = [c["parameters"][0]["payload"] for c in msg["template"]["components"][1:]]
    assert buttons == [f"accept:{v.id}", f"decline:{v.id}"]
    [sent] = dev.notifications.notices(v.id)
    assert sent.status == "sent" and sent.provider_message_id.startswith("wamid.")
    dev.close()


def test_a_complaint_goes_to_the_head_of_intelligence(make_config, tmp_path, gateway):
    dev = device_context(make_config, tmp_path, "lobby-1", "",
                         notifier={"kind": "http_gateway", "url": gateway.url + "/send", "token": "fonnte-token",
                                   "intel_head_host_id": "kasi-intel"})
    v = register(dev, 2, purpose="complaint", host_id="kasi-pidum")
    dev.notifications.notify_host(v.id)
    drain_all(dev)
    [form] = gateway.accepted
    assert form["target"] == "6281200000002"  # kasi-intel, not the host named by the guest
    text = form["message"]
    assert "laporan/pengaduan" in text and "Tamu Nomor 2" in text and "Laporan / pengaduan (Intelijen)" in text
    assert "Waktu: 23-11-2026 09:30 WITA" in text and "Pegawai yang dituju: I Gede Wirawan" in text
    dev.close()


def test_gateway_refusal_is_parked_with_its_reason_and_the_notice_marked_failed(make_config, tmp_path, gateway):
    dev = device_context(make_config, tmp_path, "lobby-1", "",
                         notifier={"kind": "http_gateway", "url": gateway.url + "/send", "token": "not-the-token"})
    v = register(dev, 3)
    dev.notifications.notify_host(v.id)
    drain_all(dev)
    [parked] = dev.sync.status().parked
    assert parked.last_error == "invalid token"
    assert dev.notifications.notices(v.id)[0].status == "failed"
    dev.close()


def test_cloud_api_throttling_and_server_errors_are_retried_not_parked(make_config, tmp_path, cloud):
    dev = device_context(make_config, tmp_path, "lobby-1", "", notifier=_cloud_cfg(cloud))
    cloud.fail_next = [(400, {"error": {"message": "Rate limit hit", "code": 130429}}), (503, {})]
    v = register(dev, 4)
    dev.notifications.notify_host(v.id)
    drain_all(dev)
    assert len(cloud.accepted) == 1 and dev.visits.outbox.counts()["parked"] == 0 and cloud.fail_next == []
    # Both were about the channel (rate limit, unavailable), not the message: the channel waited, the message
    # was charged no attempt toward parking.
    assert dev.visits.outbox.by_status("sent")[0].attempts == 0
    dev.close()


def test_cloud_api_rejects_an_unknown_template_for_good(make_config, tmp_path, cloud):
    cfg = {**_cloud_cfg(cloud), "template": "tidak_ada"}
    dev = device_context(make_config, tmp_path, "lobby-1", "", notifier=cfg)
    dev.notifications.notify_host(register(dev, 5).id)
    drain_all(dev)
    [parked] = dev.sync.status().parked
    assert "HTTP 400: 132001" in parked.last_error
    dev.close()


def test_staff_record_the_host_answer(make_config, tmp_path):
    dev = device_context(make_config, tmp_path, "lobby-1", f"http://127.0.0.1:{free_port()}")
    v = register(dev, 6)
    dev.notifications.notify_host(v.id)
    assert dev.notifications.record_host_answer(v.id, False, "staff:ptsp").state == VisitState.DECLINED
    assert dev.visits.events(v.id)[-1].data == {"via": "staff"}
    dev.close()


def test_read_status_and_the_hosts_reply_button_reach_the_devices_through_the_central_server(make_config, tmp_path, cloud,
                                                                                             pg_url):
    central = CentralProcess(pg_url, tmp_path, seed_config=ROOT / "config" / "simulate.toml").start()
    try:
        dev = device_context(make_config, tmp_path, "lobby-1", central.url, notifier=_cloud_cfg(cloud))
        v = register(dev, 7)
        dev.notifications.notify_host(v.id)
        drain_all(dev)  # notice sent, then its host_notified event pushed to the central server
        wamid = dev.notifications.notices(v.id)[0].provider_message_id
        hook = {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
            "statuses": [{"id": wamid, "status": "delivered", "timestamp": "1"}, {"id": wamid, "status": "read", "timestamp": "2"}],
        }}]}]}
        assert central.webhook(hook).status_code == 200
        dev.sync.pull_once()
        assert dev.notifications.notices(v.id)[0].status == "read"

        reply = {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
            "messages": [{"from": "6281200000003", "type": "button", "context": {"id": wamid},
                          "button": {"payload": f"accept:{v.id}", "text": "Terima"}}],
        }}]}]}
        assert central.webhook(reply).status_code == 200
        dev.sync.pull_once()
        assert dev.visits.get(v.id).state == VisitState.ACCEPTED
        assert dev.visits.events(v.id)[-1].actor == "host:kasi-pidum"
        status = central.get(f"/v1/offices/{OFFICE}/visits/{v.id}")
        assert status["notices"][0]["status"] == "read"
        dev.close()
    finally:
        central.stop()
