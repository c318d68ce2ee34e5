"""Telling the host employee a guest is waiting: one Notifier interface, WhatsApp Cloud API and HTTP-gateway channels."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

import requests
import urllib3

from kiosk.sync.errors import DeliveryError, is_transient_status

log = logging.getLogger(__name__)

_TZ_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
# Put in front of a notice sent again because an earlier call's outcome is unknown (the host may have it twice).
REPEAT_MARKER = "(pesan ulang / repeated notice)"
# Cloud API error codes that mean "slow down", even when the HTTP status is 400.
_WA_THROTTLED = {4, 80007, 130429, 131048, 131056}


@dataclass(frozen=True)
class HostNotice:
    """What a notifier needs, already in words. `visit_id` lets a reply button name the visit."""

    visit_id: str
    phone: str
    host_name: str
    guest_name: str
    purpose: str
    at: datetime
    timezone: str
    photo_url: str
    complaint: bool = False
    intended_host: str = ""
    repeat: bool = False  # an earlier send may have reached the host: say this one is a repeat

    @property
    def time_text(self) -> str:
        local = self.at.astimezone(ZoneInfo(self.timezone))
        return f"{local:%d-%m-%Y %H:%M} {_TZ_NAMES.get(self.timezone, self.timezone)}"

    def text(self) -> str:
        """The whole message, in Indonesian (the gateway sends it as is)."""
        lines = [REPEAT_MARKER] if self.repeat else []
        lines.append(f"Yth. {self.host_name},")
        if self.complaint:
            lines.append("Ada tamu dengan laporan/pengaduan untuk Seksi Intelijen.")
        else:
            lines.append("Ada tamu yang ingin bertemu Anda.")
        lines += [f"Nama tamu: {self.guest_name}", f"Keperluan: {self.purpose}", f"Waktu: {self.time_text}"]
        if self.intended_host and self.intended_host != self.host_name:
            lines.append(f"Pegawai yang dituju: {self.intended_host}")
        if self.photo_url:
            lines.append(f"Foto: {self.photo_url}")
        lines.append("Mohon konfirmasi kepada petugas PTSP apakah Anda bersedia menemui tamu.")
        return "\n".join(lines)


@dataclass(frozen=True)
class Receipt:
    channel: str
    message_id: str


class Notifier(Protocol):
    channel: str

    def send(self, notice: HostNotice) -> Receipt: ...


def _http_failure(target: str, resp: requests.Response, reason: str, *, transient: bool | None = None) -> DeliveryError:
    t = is_transient_status(resp.status_code) if transient is None else transient
    return DeliveryError(target, f"HTTP {resp.status_code}: {reason}", transient=t, status=resp.status_code)


def _post(session: requests.Session, target: str, url: str, timeout, **kwargs) -> requests.Response:
    """POST; a failure without an answer says whether the provider may have received the message anyway."""
    try:
        return session.post(url, timeout=timeout, **kwargs)
    except requests.ConnectTimeout:
        raise DeliveryError(target, "timeout", transient=True) from None
    except requests.Timeout:  # sent, no answer in time: it may have been accepted
        raise DeliveryError(target, "timeout", transient=True, maybe_delivered=True) from None
    except requests.ConnectionError as exc:
        cause = exc.args[0] if exc.args else None
        never_connected = isinstance(getattr(cause, "reason", cause), urllib3.exceptions.NewConnectionError)
        raise DeliveryError(target, "provider unreachable", transient=True, maybe_delivered=not never_connected) from None


class WhatsAppCloudNotifier:
    """WhatsApp Business Cloud API: POST {url}/{phone_number_id}/messages with a bearer token, sending an
    approved template (outside the 24-hour window only templates are allowed). Template body parameters:
    {{1}} host, {{2}} guest, {{3}} purpose, {{4}} time, {{5}} photo link; quick-reply buttons 0 'Terima'
    and 1 'Tolak' carry accept:/decline:<visit_id> back through the status webhook."""

    channel = "whatsapp_cloud"

    def __init__(self, url: str, token: str, phone_number_id: str, template: str, language: str = "id", *,
                 timeout=(3.05, 10.0), session: requests.Session | None = None) -> None:
        self.endpoint = f"{url.rstrip('/')}/{phone_number_id}/messages"
        self.template = template
        self.language = language
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def body(self, n: HostNotice) -> dict:
        # A template's words are fixed; the repeat marker rides in the first parameter ("Yth. {{1}},").
        params = [f"{n.host_name} {REPEAT_MARKER}" if n.repeat else n.host_name, n.guest_name, n.purpose, n.time_text, n.photo_url or "-"]
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": n.phone.lstrip("+"),
            "type": "template",
            "template": {
                "name": self.template,
                "language": {"code": self.language},
                "components": [
                    {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]},
                    {"type": "button", "sub_type": "quick_reply", "index": "0",
                     "parameters": [{"type": "payload", "payload": f"accept:{n.visit_id}"}]},
                    {"type": "button", "sub_type": "quick_reply", "index": "1",
                     "parameters": [{"type": "payload", "payload": f"decline:{n.visit_id}"}]},
                ],
            },
        }

    def send(self, notice: HostNotice) -> Receipt:
        resp = _post(self.session, self.channel, self.endpoint, self.timeout, json=self.body(notice))
        try:
            data = resp.json()
        except ValueError:
            data = {}
        if resp.status_code >= 300:
            err = data.get("error") or {} if isinstance(data, dict) else {}
            throttled = err.get("code") in _WA_THROTTLED
            reason = f"{err.get('code', '')} {err.get('message', resp.reason)}".strip()
            if throttled:  # the number or the account is rate limited: the channel as a whole waits
                raise DeliveryError(self.channel, f"HTTP {resp.status_code}: {reason}", transient=True, status=429)
            raise _http_failure(self.channel, resp, reason)
        try:
            return Receipt(self.channel, str(data["messages"][0]["id"]))
        except (KeyError, IndexError, TypeError):
            raise DeliveryError(self.channel, "answer without a message id", transient=True) from None


class HttpGatewayNotifier:
    """A local WhatsApp gateway of the Fonnte kind: form post of `target` and `message` with the token in
    the Authorization header (no 'Bearer'). Such gateways answer HTTP 200 with {"status": false, "reason"}
    when they refuse, so the JSON decides."""

    channel = "http_gateway"

    def __init__(self, url: str, token: str, *, timeout=(3.05, 10.0), session: requests.Session | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = token

    def send(self, notice: HostNotice) -> Receipt:
        resp = _post(self.session, self.channel, self.url, self.timeout,
                     data={"target": notice.phone.lstrip("+"), "message": notice.text(), "countryCode": "62"})
        if resp.status_code >= 300:
            raise _http_failure(self.channel, resp, resp.reason)
        try:
            data = resp.json()
        except ValueError:
            raise DeliveryError(self.channel, "answer is not JSON", transient=True) from None
        if not data.get("status"):
            reason = str(data.get("reason") or data.get("detail") or "refused")
            # Quota and rate messages pass with time; anything else (bad token, bad number) does not.
            transient = any(w in reason.lower() for w in ("limit", "quota", "busy", "try again"))
            raise DeliveryError(self.channel, reason, transient=transient, status=resp.status_code)
        ids = data.get("id") or []
        return Receipt(self.channel, str(ids[0] if isinstance(ids, list) and ids else ids or ""))


class SimulatedNotifier:
    """The demo's channel: appends each message to a JSON-lines file in the data directory."""

    channel = "simulated"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0

    def send(self, notice: HostNotice) -> Receipt:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"visit_id": notice.visit_id, "to": notice.phone, "text": notice.text()}, ensure_ascii=False) + "\n")
        self.count += 1
        return Receipt(self.channel, f"sim-{notice.visit_id}-{self.count}")


def notifier_from_config(cfg) -> Notifier | None:
    n = cfg.notifier
    timeout = (cfg.central.connect_timeout_s, cfg.central.read_timeout_s)
    if n.kind == "whatsapp_cloud":
        return WhatsAppCloudNotifier(n.url, n.token, n.phone_number_id, n.template, n.template_language, timeout=timeout)
    if n.kind == "http_gateway":
        return HttpGatewayNotifier(n.url, n.token, timeout=timeout)
    if n.kind == "simulated":
        return SimulatedNotifier(cfg.data_dir / "notices-simulated.jsonl")
    return None
