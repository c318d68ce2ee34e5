"""No stalls: backoff and an attempt limit per message; a poison message is parked with its reason while the rest
of the backlog flows; 409 (same idempotency key, another body) is parked, never marked sent. Against the real
central server process, with a fault-injecting proxy on loopback in front of it for the poison answers."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from kiosk.domain.visit import VisitState
from tests.fixtures_sync import ROOT, CentralProcess, device_context, drain_all, register


@pytest.fixture
def central(tmp_path, pg_url):
    server = CentralProcess(pg_url, tmp_path, seed_config=ROOT / "config" / "simulate.toml").start()
    yield server
    server.stop()


class FaultProxy(ThreadingHTTPServer):
    """Forwards to the central server, except that requests whose path or body mention one of `poison` are
    answered with `status` (what a server does when one record keeps crashing its handler)."""

    daemon_threads = True

    def __init__(self, upstream: str, status: int = 500) -> None:
        self.upstream, self.status, self.poison = upstream, status, set()
        self.failed: list[str] = []  # last path segment of each request answered with `status`
        self.paths: list[str] = []  # ... and of each request forwarded
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _forward(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if any(p in self.path or p.encode() in raw for p in proxy.poison):
                    proxy.failed.append(self.path.split("?")[0].rsplit("/", 1)[-1])
                    body = json.dumps({"reason": "internal error"}).encode()
                    self.send_response(proxy.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                resp = requests.request(self.command, proxy.upstream + self.path, data=raw or None, headers=headers, timeout=10)
                self.send_response(resp.status_code)
                for k, v in resp.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(resp.content)))
                self.end_headers()
                self.wfile.write(resp.content)

                proxy.paths.append(self.path.split("?")[0].rsplit("/", 1)[-1])

            do_GET = do_POST = do_PUT = do_DELETE = _forward

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def proxy(central):
    p = FaultProxy(central.url)
    yield p
    p.shutdown()
    p.server_close()


def test_a_message_the_server_keeps_failing_is_parked_and_the_backlog_flows_past_it(make_config, tmp_path, central, proxy):
    lobby = device_context(make_config, tmp_path, "lobby-1", proxy.url)
    visits = [register(lobby, i) for i in range(6)]
    poison = visits[2]
    lobby.notifications.notify_host(poison.id)  # a later message of the poisoned visit
    proxy.poison.add(poison.id)

    lobby.sync.drain_once()
    # Its first failure holds nothing else up: every other visit went through in the same pass.
    assert {r[0] for r in central.rows("SELECT visit_id FROM visits")} == {v.id for v in visits} - {poison.id}
    for _ in range(100):  # the test clock passes every backoff
        lobby.sync.drain_once()
        lobby.clock.advance(seconds=1)

    max_attempts = lobby.config.central.max_attempts
    # Backed off and retried, then given up: not retried forever. (A batch request holding it fails as a
    # whole; its neighbours then go one by one, so it costs it one attempt.)
    assert proxy.failed.count("visits") == max_attempts and set(proxy.failed) <= {"visits", "batch"}
    assert "batch" in proxy.paths + proxy.failed  # the backlog went through the batch endpoint
    [parked] = lobby.sync.status().parked
    assert parked.aggregate_id == poison.id and parked.topic == "visit.registered"
    assert parked.last_error == f"gave up after {max_attempts} attempts: HTTP 500: internal error"
    # The poisoned visit's later message waits behind it (its order is kept) and staff see both.
    [held] = lobby.sync.status().held
    assert held.aggregate_id == poison.id and held.topic == "visit.event" and held.attempts == 0
    assert lobby.visits.outbox.counts() == {"pending": 1, "sent": 5, "parked": 1}

    # The server is fixed; staff retry: the visit and its event arrive, in order.
    proxy.poison.clear()
    assert lobby.sync.retry_parked() == 1
    drain_all(lobby)
    assert lobby.visits.outbox.counts() == {"pending": 0, "sent": 7, "parked": 0}
    assert central.rows("SELECT state FROM visits WHERE visit_id=:v", v=poison.id) == [(VisitState.WAITING_HOST.value,)]
    lobby.close()


def test_a_server_failing_every_message_parks_nothing_the_destination_backs_off(make_config, tmp_path, central, proxy):
    lobby = device_context(make_config, tmp_path, "lobby-1", proxy.url)
    visits = [register(lobby, i) for i in range(5)]
    proxy.poison.update(v.id for v in visits)
    for _ in range(40):
        lobby.sync.drain_once()
        lobby.clock.advance(seconds=1)
    assert lobby.visits.outbox.counts()["parked"] == 0 and lobby.sync.state == "backing_off"
    assert max(m.attempts for m in lobby.visits.outbox.by_status("pending")) < lobby.config.central.max_attempts
    proxy.poison.clear()
    drain_all(lobby)
    assert lobby.visits.outbox.counts() == {"pending": 0, "sent": 5, "parked": 0}
    lobby.close()


def test_same_key_with_another_body_is_parked_with_the_servers_reason_never_marked_sent(make_config, tmp_path, central):
    lobby = device_context(make_config, tmp_path, "lobby-1", central.url)
    v = register(lobby, 1)
    drain_all(lobby)
    [msg] = lobby.visits.outbox.for_aggregate(v.id)
    stored = central.rows("SELECT body_hash, updated_at FROM visits WHERE visit_id=:v", v=v.id)
    # The same key goes again with another body (e.g. restored from an old backup with other data).
    payload = dict(msg.payload, purpose="complaint")
    lobby.db.conn.execute("UPDATE outbox SET status='pending', sent_at=NULL, payload=? WHERE id=?",
                          (json.dumps(payload), msg.id))
    result = lobby.sync.drain_once()
    assert (result.sent, result.parked) == (0, 1)
    [parked] = lobby.sync.status().parked
    assert parked.id == msg.id and parked.sent_at is None and parked.last_error.startswith("HTTP 409: ")
    assert len(parked.last_error) > len("HTTP 409: ") + 5  # the server's reason, not just the status
    assert central.rows("SELECT body_hash, updated_at FROM visits WHERE visit_id=:v", v=v.id) == stored  # unchanged
    lobby.close()
