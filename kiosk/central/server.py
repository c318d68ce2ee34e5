"""HTTP front of the reference central server: stdlib ThreadingHTTPServer, every request checked against the contract."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from kiosk.central.contract import ContractViolation, check_request, match
from kiosk.central.store import CentralStore, Rejected

log = logging.getLogger(__name__)

MAX_BODY = 8_000_000


class CentralServer(ThreadingHTTPServer):
    daemon_threads = True
    # Loopback tests restart the server on the same port right after a stop.
    allow_reuse_address = True

    def __init__(self, address, store: CentralStore, *, tokens: set[str], app_secret: str = "", verify_token: str = "") -> None:
        super().__init__(address, _Handler)
        self.store = store
        self.tokens = tokens
        self.app_secret = app_secret
        self.verify_token = verify_token
        if not store.public_url:
            store.public_url = f"http://{self.server_address[0]}:{self.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}"

    def start_in_thread(self) -> threading.Thread:
        t = threading.Thread(target=self.serve_forever, name="central-server", daemon=True)
        t.start()
        return t


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a kiosk pushes a backlog over one connection
    # Headers and body go out as two writes; without TCP_NODELAY, Nagle + delayed ACK add 40 ms to each answer.
    disable_nagle_algorithm = True
    server: CentralServer

    def log_message(self, fmt: str, *args: Any) -> None:  # stdlib logs every request to stderr otherwise
        log.debug("request", extra={"line": fmt % args})

    def _send(self, status: int, body: Any = None, *, content_type: str = "application/json", headers=None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body if body is not None else {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ContractViolation("body too large", 413)
        return self.rfile.read(length) if length else b""

    def _dispatch(self, method: str) -> None:
        try:
            raw = self._read_body()
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query))
            if method == "GET" and parts.path == "/v1/webhooks/whatsapp":
                return self._webhook_verify(query)
            op, params = match(method, parts.path)
            if not op.public:
                self._authorize()
            elif op.operation_id == "whatsappWebhook":
                self._check_signature(raw)
            body = None
            if op.body_schema() is not None:
                if "json" not in (self.headers.get("Content-Type") or ""):
                    raise ContractViolation("Content-Type must be application/json", 415)
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    raise ContractViolation("body is not JSON") from None
            check_request(op, params, query, self.headers, body)
            getattr(self, "op_" + op.operation_id)(params, query, body)
        except ContractViolation as exc:
            self._send(exc.status, {"reason": exc.reason})
        except Rejected as exc:
            self._send(exc.status, {"reason": exc.reason})
        except Exception:
            log.exception("central server error")
            self._send(500, {"reason": "internal error"})

    def _authorize(self) -> None:
        if not self.server.tokens:
            return
        auth = self.headers.get("Authorization") or ""
        token = auth[7:] if auth.startswith("Bearer ") else ""
        if not any(hmac.compare_digest(token, t) for t in self.server.tokens):
            raise ContractViolation("missing or wrong bearer token", 401)

    def _check_signature(self, raw: bytes) -> None:
        """Meta signs webhook bodies with the app secret (X-Hub-Signature-256: sha256=<hex>)."""
        if not self.server.app_secret:
            return
        expected = "sha256=" + hmac.new(self.server.app_secret.encode(), raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, self.headers.get("X-Hub-Signature-256") or ""):
            raise ContractViolation("bad webhook signature", 401)

    def _webhook_verify(self, query: dict[str, str]) -> None:
        if query.get("hub.mode") == "subscribe" and query.get("hub.verify_token") == self.server.verify_token:
            return self._send(200, query.get("hub.challenge", "").encode(), content_type="text/plain")
        return self._send(403, {"reason": "verification failed"})

    # --- operations (named after the contract's operationId) ---

    def _push_answer(self, status: int, body: dict) -> None:
        self._send(status, body, headers={"Idempotent-Replayed": "true"} if status == 200 else None)

    def op_pushVisit(self, params, query, body) -> None:
        self._push_answer(*self.server.store.push_visit(params["office"], self.headers["Idempotency-Key"], body))

    def op_pushVisitEvent(self, params, query, body) -> None:
        store = self.server.store
        self._push_answer(*store.push_event(params["office"], params["visit_id"], self.headers["Idempotency-Key"], body))

    def op_getVisit(self, params, query, body) -> None:
        self._send(200, self.server.store.visit_status(params["office"], params["visit_id"]))

    def op_getVisitPhoto(self, params, query, body) -> None:
        photo = self.server.store.photo(params["office"], params["visit_id"])
        if not photo:
            raise Rejected(404, "no photo")
        self._send(200, photo, content_type="image/jpeg")

    def op_answerVisit(self, params, query, body) -> None:
        self._send(200, self.server.store.answer(params["office"], params["visit_id"], body["accepted"], body["actor"]))

    def op_listHosts(self, params, query, body) -> None:
        self._send(200, {"hosts": self.server.store.hosts(params["office"])})

    def op_listEvents(self, params, query, body) -> None:
        limit = max(1, min(int(query.get("limit", "200")), 1000))
        items, cursor = self.server.store.events_since(params["office"], int(query.get("since", "0")), limit)
        self._send(200, {"events": items, "cursor": cursor})

    def op_whatsappWebhook(self, params, query, body) -> None:
        store = self.server.store
        for entry in body["entry"]:
            for change in entry.get("changes", []):
                value = change.get("value") or {}
                for st in value.get("statuses", []):
                    if isinstance(st, dict) and st.get("id") and st.get("status") in ("sent", "delivered", "read", "failed"):
                        store.record_notice_status(str(st["id"]), st["status"])
                for msg in value.get("messages", []):
                    self._host_reply(msg)
        self._send(200, {})

    def _host_reply(self, msg: dict) -> None:
        """A tap on the template's quick-reply button: payload 'accept:<visit_id>' or 'decline:<visit_id>'."""
        payload = (msg.get("button") or {}).get("payload") or ((msg.get("interactive") or {}).get("button_reply") or {}).get("id")
        if not isinstance(payload, str) or ":" not in payload:
            return
        answer, _, visit_id = payload.partition(":")
        context_id = (msg.get("context") or {}).get("id") or ""
        notice = self.server.store.notice(context_id) if context_id else None
        if answer not in ("accept", "decline") or notice is None or notice.visit_id != visit_id:
            return  # only a reply to the notice we sent for this visit counts
        try:
            self.server.store.answer(notice.office, visit_id, answer == "accept", f"host:{notice.host_id}")
        except Rejected as exc:
            log.info("host reply ignored", extra={"visit_id": visit_id, "reason": exc.reason})


def make_server(db_url: str, host: str = "127.0.0.1", port: int = 0, *, tokens=(), app_secret: str = "",
                verify_token: str = "", public_url: str = "") -> CentralServer:
    return CentralServer((host, port), CentralStore(db_url, public_url), tokens=set(tokens), app_secret=app_secret,
                         verify_token=verify_token)
