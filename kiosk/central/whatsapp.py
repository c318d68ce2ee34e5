"""The central service's own WhatsApp messages (Cloud API), sent through a durable outbox in its database.

What the desk asks to send (an invitation's QR to a guest, a reminder to a host) is written to `wa_outbox`
in the same transaction as the record it belongs to, then a sender thread in each worker process claims
due rows (a conditional UPDATE: one worker per row), sends them and records the Cloud API's message id.
A transient failure (timeout, 429, 5xx, Graph throttling codes) is retried with growing pauses; a refusal
(bad number, unknown template) fails the row for good with its reason, shown on the desk.

Never a silent double send: a row found still `sending` after its lease (a worker died between the
provider accepting and the row being marked) may have reached the recipient, so it is sent again with a
visible marker, "(pesan ulang / repeated)", in the first template parameter.

The kiosk's own notifier (kiosk/sync/notify.py) speaks the same API; the central does not import it
(.importlinter: the central shares only kiosk.domain with the kiosk).
"""
from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from sqlalchemy import insert, or_, select, update

from kiosk.central.models import wa_outbox
from kiosk.domain.convergence import utc_text

log = logging.getLogger("kiosk.central.whatsapp")

REPEAT_MARKER = "(pesan ulang / repeated)"
_THROTTLED = {4, 80007, 130429, 131048, 131056}
LEASE_S = 60
MAX_ATTEMPTS = 10


class SendError(Exception):
    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason[:200]
        self.transient = transient


class CloudApi:
    """WhatsApp Business Cloud API: upload a PNG (POST {url}/{phone_number_id}/media, multipart) and send an
    approved template (POST {url}/{phone_number_id}/messages) with an optional image header and
    quick-reply buttons."""

    def __init__(self, url: str, token: str, phone_number_id: str, *, timeout=(3.05, 15.0)) -> None:
        self.base = f"{url.rstrip('/')}/{phone_number_id}"
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def _post(self, path: str, **kwargs) -> dict:
        try:
            resp = self.session.post(f"{self.base}/{path}", timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise SendError(f"provider unreachable ({type(exc).__name__})", transient=True) from None
        try:
            data = resp.json()
        except ValueError:
            data = {}
        if resp.status_code >= 300:
            err = (data.get("error") or {}) if isinstance(data, dict) else {}
            reason = f"HTTP {resp.status_code}: {err.get('code', '')} {err.get('message', resp.reason)}".strip()
            transient = err.get("code") in _THROTTLED or resp.status_code in (408, 425, 429) or resp.status_code >= 500
            raise SendError(reason, transient=transient)
        return data if isinstance(data, dict) else {}

    def upload_png(self, png: bytes) -> str:
        data = self._post("media", data={"messaging_product": "whatsapp", "type": "image/png"},
                          files={"file": ("undangan.png", png, "image/png")})
        if not data.get("id"):
            raise SendError("media upload answered without an id", transient=True)
        return str(data["id"])

    def send_template(self, to: str, template: str, language: str, params: list[str], *,
                      header_media_id: str = "", buttons: list[str] = ()) -> str:
        comps: list[dict[str, Any]] = []
        if header_media_id:
            comps.append({"type": "header", "parameters": [{"type": "image", "image": {"id": header_media_id}}]})
        comps.append({"type": "body", "parameters": [{"type": "text", "text": p} for p in params]})
        for i, payload in enumerate(buttons):
            comps.append({"type": "button", "sub_type": "quick_reply", "index": str(i),
                          "parameters": [{"type": "payload", "payload": payload}]})
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to.lstrip("+"),
                "type": "template", "template": {"name": template, "language": {"code": language}, "components": comps}}
        data = self._post("messages", json=body)
        try:
            return str(data["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise SendError("answer without a message id", transient=True) from None


@dataclass(frozen=True)
class OutboxRow:
    seq: int
    office: str
    kind: str
    ref_id: str
    status: str
    attempts: int
    message_id: str | None
    last_error: str


def _now() -> datetime:
    return datetime.now(UTC)


class WhatsAppOutbox:
    """The durable queue and its sender. `on_sent(office, kind, ref_id, payload, message_id)` runs after a
    row is marked sent (a reminder then becomes the visit's notice, so its read receipts and reply buttons work)."""

    def __init__(self, engine, keys, api: CloudApi | None, *, on_sent: Callable[..., None] | None = None,
                 interval_s: float = 2.0) -> None:
        self.engine, self.keys, self.api = engine, keys, api
        self.on_sent = on_sent
        self.interval_s = interval_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- queue ---

    def enqueue(self, conn, office: str, kind: str, ref_id: str, payload: dict) -> None:
        """Queue a message in the caller's transaction (it is sent only if that transaction commits)."""
        now = utc_text(_now())
        conn.execute(insert(wa_outbox).values(
            office=office, kind=kind, ref_id=ref_id, payload_enc=self.keys.encrypt_text(json.dumps(payload)),
            status="pending", attempts=0, next_at=now, message_id=None, last_error="", created_at=now, updated_at=now))

    def wake(self) -> None:
        self._wake.set()

    def rows_for(self, office: str, ref_ids: list[str]) -> dict[str, list[OutboxRow]]:
        out: dict[str, list[OutboxRow]] = {}
        if not ref_ids:
            return out
        with self.engine.connect() as conn:
            for r in conn.execute(select(wa_outbox).where(wa_outbox.c.office == office, wa_outbox.c.ref_id.in_(ref_ids))
                                  .order_by(wa_outbox.c.seq)):
                out.setdefault(r.ref_id, []).append(OutboxRow(r.seq, r.office, r.kind, r.ref_id, r.status, r.attempts,
                                                              r.message_id, r.last_error))
        return out

    def pending_for(self, office: str, kind: str, ref_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(wa_outbox.c.seq).where(
                wa_outbox.c.office == office, wa_outbox.c.kind == kind, wa_outbox.c.ref_id == ref_id,
                wa_outbox.c.status.in_(("pending", "sending")))).first() is not None

    # --- sending ---

    def _claim(self, now: datetime) -> list[tuple[Any, bool]]:
        now_s = utc_text(now)
        with self.engine.connect() as conn:
            due = conn.execute(select(wa_outbox).where(wa_outbox.c.status.in_(("pending", "sending")),
                                                       wa_outbox.c.next_at <= now_s)
                               .order_by(wa_outbox.c.seq).limit(20)).all()
        claimed = []
        for r in due:
            with self.engine.begin() as conn:
                got = conn.execute(update(wa_outbox).where(
                    wa_outbox.c.seq == r.seq, wa_outbox.c.status == r.status, wa_outbox.c.next_at == r.next_at,
                    or_(wa_outbox.c.status == "pending", wa_outbox.c.status == "sending")).values(
                    status="sending", attempts=r.attempts + 1, next_at=utc_text(now + timedelta(seconds=LEASE_S)),
                    updated_at=now_s)).rowcount
            if got:
                # A row still "sending" after its lease: the worker died mid-send; the recipient may have it.
                claimed.append((r, r.status == "sending"))
        return claimed

    def run_once(self, now: datetime | None = None) -> int:
        """Send what is due; return how many were sent."""
        if self.api is None:
            return 0
        sent = 0
        for row, repeat in self._claim(now or _now()):
            payload = json.loads(self.keys.decrypt_text(row.payload_enc))
            try:
                message_id = self._send(payload, repeat)
            except SendError as exc:
                self._failed(row, exc)
                continue
            except Exception as exc:  # a bug must not stop the queue: the row waits and says why
                log.exception("whatsapp outbox send crashed")
                self._failed(row, SendError(f"internal error ({type(exc).__name__})", transient=True))
                continue
            with self.engine.begin() as conn:
                conn.execute(update(wa_outbox).where(wa_outbox.c.seq == row.seq).values(
                    status="sent", message_id=message_id[:200], last_error="", updated_at=utc_text(_now())))
            sent += 1
            if self.on_sent:
                try:
                    self.on_sent(row.office, row.kind, row.ref_id, payload, message_id)
                except Exception:
                    log.exception("whatsapp outbox after-send step failed", extra={"kind": row.kind})
        return sent

    def _send(self, payload: dict, repeat: bool) -> str:
        params = [str(p) for p in payload["params"]]
        if repeat and params:
            params[0] = f"{REPEAT_MARKER} {params[0]}"
        media = self.api.upload_png(base64.b64decode(payload["png"])) if payload.get("png") else ""
        return self.api.send_template(payload["to"], payload["template"], payload.get("language", "id"), params,
                                      header_media_id=media, buttons=payload.get("buttons") or [])

    def _failed(self, row, exc: SendError) -> None:
        attempts = row.attempts + 1
        final = not exc.transient or attempts >= MAX_ATTEMPTS
        pause = min(600, 5 * 2 ** (attempts - 1))
        with self.engine.begin() as conn:
            conn.execute(update(wa_outbox).where(wa_outbox.c.seq == row.seq).values(
                status="failed" if final else "pending", last_error=exc.reason,
                next_at=utc_text(_now() + timedelta(seconds=pause)), updated_at=utc_text(_now())))
        log.info("whatsapp outbox send failed", extra={"kind": row.kind, "reason": exc.reason, "final": final})

    # --- the thread ---

    def start(self) -> None:
        if self.api is None or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="wa-outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # the database is away for a moment: try again on the next tick
                log.warning("whatsapp outbox tick failed")
            self._wake.wait(self.interval_s)
            self._wake.clear()
