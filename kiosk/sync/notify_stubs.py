"""Local stand-ins for the WhatsApp providers, speaking (and checking) their HTTP contracts on loopback.

Used by tests and the demo the way pty emulators stand in for locker boards: the real notifier code
talks real HTTP to them. Each records what it accepted and can be told to fail the next requests.
"""
from __future__ import annotations

import itertools
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

_PHONE = re.compile(r"^[1-9][0-9]{7,14}$")


class _StubServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, token: str) -> None:
        super().__init__(("127.0.0.1", 0), self.handler_class())
        self.token = token
        self.accepted: list[dict[str, Any]] = []
        self.rejected: list[tuple[int, str]] = []
        self.fail_next: list[tuple[int, dict]] = []  # (HTTP status, JSON body) answered before any check
        # When set: a message is accepted (recorded) and the answer waits for this event (a slow provider,
        # or a sender killed between the provider accepting and learning so).
        self.answer_gate: threading.Event | None = None
        self._ids = itertools.count(1)
        self._thread: threading.Thread | None = None

    def handler_class(self):
        raise NotImplementedError

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def accepted_now(self) -> None:
        gate = self.answer_gate
        if gate is not None:
            gate.wait(60)

    def __enter__(self):
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


class _Base(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _StubServer

    def log_message(self, *args) -> None:
        pass

    def reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))


class WhatsAppCloudStub(_StubServer):
    """POST /<version>/<phone-number-id>/messages, Bearer token, a template message; errors as Graph API errors."""

    def __init__(self, token: str, phone_number_id: str, templates: dict[str, int]) -> None:
        self.phone_number_id = phone_number_id
        self.templates = templates  # template name -> number of body parameters
        super().__init__(token)

    @property
    def base_url(self) -> str:
        return self.url + "/v21.0"

    def handler_class(self):
        stub = self

        class Handler(_Base):
            def error(self, status: int, code: int, message: str) -> None:
                stub.rejected.append((status, message))
                self.reply(status, {"error": {"message": message, "type": "OAuthException", "code": code}})

            def do_POST(self) -> None:
                raw = self.body()
                if stub.fail_next:
                    status, body = stub.fail_next.pop(0)
                    return self.reply(status, body)
                m = re.fullmatch(r"/v\d+\.\d+/(\w+)/messages", self.path)
                if not m or m.group(1) != stub.phone_number_id:
                    return self.error(400, 100, "Unsupported post request: unknown phone number id")
                if self.headers.get("Authorization") != f"Bearer {stub.token}":
                    return self.error(401, 190, "Invalid OAuth access token.")
                try:
                    msg = json.loads(raw)
                except ValueError:
                    return self.error(400, 100, "Invalid JSON")
                problem = stub.check(msg)
                if problem:
                    return self.error(400, problem[0], problem[1])
                stub.accepted.append(msg)
                stub.accepted_now()
                wamid = f"wamid.TEST{next(stub._ids):06d}"
                self.reply(200, {"messaging_product": "whatsapp", "contacts": [{"input": msg["to"], "wa_id": msg["to"]}],
                                 "messages": [{"id": wamid}]})

        return Handler

    def check(self, msg: dict) -> tuple[int, str] | None:
        if msg.get("messaging_product") != "whatsapp":
            return 100, "(#100) messaging_product must be whatsapp"
        if not _PHONE.match(str(msg.get("to", ""))):
            return 100, "(#100) Invalid parameter: to"
        if msg.get("type") != "template":
            return 131047, "Re-engagement message: only templates outside the 24-hour window"
        tpl = msg.get("template") or {}
        if tpl.get("name") not in self.templates:
            return 132001, "Template name does not exist in the translation"
        if not (tpl.get("language") or {}).get("code"):
            return 100, "(#100) template.language.code is required"
        comps = tpl.get("components") or []
        body = [c for c in comps if c.get("type") == "body"]
        n = len(body[0].get("parameters", [])) if body else 0
        if n != self.templates[tpl["name"]]:
            return 132000, "Number of parameters does not match the expected number of params"
        for c in comps:
            if c.get("type") == "button":
                for p in c.get("parameters", []):
                    if p.get("type") == "payload" and len(p.get("payload", "")) > 128:
                        return 100, "(#100) button payload too long"
        return None


class HttpGatewayStub(_StubServer):
    """Fonnte-style: POST form `target` + `message`, `Authorization: <token>`; refusals are HTTP 200 with status false."""

    def handler_class(self):
        stub = self

        class Handler(_Base):
            def refuse(self, reason: str) -> None:
                stub.rejected.append((200, reason))
                self.reply(200, {"status": False, "reason": reason})

            def do_POST(self) -> None:
                raw = self.body()
                if stub.fail_next:
                    status, body = stub.fail_next.pop(0)
                    return self.reply(status, body)
                if self.headers.get("Authorization") != stub.token:
                    return self.refuse("invalid token")
                if "application/x-www-form-urlencoded" not in (self.headers.get("Content-Type") or ""):
                    return self.refuse("form data expected")
                form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
                if not _PHONE.match(form.get("target", "")):
                    return self.refuse("invalid target")
                if not form.get("message", "").strip():
                    return self.refuse("message is empty")
                stub.accepted.append(form)
                stub.accepted_now()
                self.reply(200, {"status": True, "detail": "success! message in queue", "id": [str(80_000_000 + next(stub._ids))],
                                 "process": "pending", "target": [form["target"]]})

        return Handler
