"""HTTP client of the central buku tamu API (contract: kiosk/central/openapi.json). Field names live in mapping.py."""
from __future__ import annotations

import logging
from typing import Any

import requests

from kiosk.sync.errors import DeliveryError, is_transient_status

log = logging.getLogger(__name__)


def load_credential(path) -> dict:
    """A device credential file written by `kiosk central credential issue` (JSON: office, device_id, token,
    subject_key); a file holding only the token is accepted too."""
    from pathlib import Path

    text = Path(path).read_text(encoding="utf-8").strip()
    if text.startswith("{"):
        import json

        return json.loads(text)
    return {"token": text}


def subject_key_from_config(cfg) -> bytes | None:
    """The office's subject key (for keyed NIK hashes), from the device credential file; None without one."""
    c = cfg.central
    if not c.token_file:
        return None
    try:
        key = load_credential(cfg.path(c.token_file)).get("subject_key") or ""
        return bytes.fromhex(key) if key else None
    except (OSError, ValueError, AttributeError):
        return None


class CentralClient:
    """One office's view of the central API. Every call has connect and read timeouts; TLS is verified
    unless the config says otherwise; the office's bearer token goes with every request."""

    target = "central"
    destination = "central"
    max_items = 200  # per batch request (the contract allows 500)
    max_bytes = 4_000_000  # of JSON per batch request (photos ride inside visits; the server takes 8 MB)

    def __init__(
        self,
        base_url: str,
        office_code: str,
        *,
        token: str = "",
        connect_timeout_s: float = 3.05,
        read_timeout_s: float = 10.0,
        verify_tls: bool = True,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.office_code = office_code
        self.timeout = (connect_timeout_s, read_timeout_s)
        self.session = session or requests.Session()
        self.session.verify = verify_tls
        self.session.headers["User-Agent"] = "kejari-kiosk"
        self.session.headers["Accept"] = "application/json"
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    @classmethod
    def from_config(cls, cfg) -> CentralClient:
        c = cfg.central
        token = load_credential(cfg.path(c.token_file))["token"] if c.token_file else c.token
        return cls(
            c.url, cfg.office.code, token=token, connect_timeout_s=c.connect_timeout_s,
            read_timeout_s=c.read_timeout_s, verify_tls=c.verify_tls,
        )

    def _office(self, rest: str = "") -> str:
        return f"{self.base_url}/v1/offices/{self.office_code}{rest}"

    def _call(self, method: str, url: str, *, key: str | None = None, **kwargs: Any) -> tuple[int, dict]:
        return self._call_full(method, url, key=key, **kwargs)[:2]

    def _call_full(self, method: str, url: str, *, key: str | None = None, headers_extra: dict | None = None,
                   read_timeout: float | None = None, **kwargs: Any) -> tuple[int, dict, Any]:
        headers = {"Idempotency-Key": key} if key else {}
        headers.update(headers_extra or {})
        timeout = (self.timeout[0], read_timeout) if read_timeout else self.timeout
        try:
            resp = self.session.request(method, url, headers=headers, timeout=timeout, **kwargs)
        except requests.Timeout:
            raise DeliveryError(self.target, "timeout", transient=True) from None
        except requests.exceptions.SSLError as exc:
            # A certificate problem does not fix itself quickly, but it is not the message's fault either.
            raise DeliveryError(self.target, f"TLS: {type(exc).__name__}", transient=True) from None
        except requests.ConnectionError:
            raise DeliveryError(self.target, "server unreachable", transient=True) from None
        try:
            body = resp.json() if resp.content else {}
        except ValueError:
            body = {}
        if resp.status_code >= 300 and resp.status_code != 304:  # 304: the pulled feed did not change
            reason = body.get("reason") if isinstance(body, dict) else None
            reason = f"HTTP {resp.status_code}: {reason or resp.reason}"
            raise DeliveryError(self.target, reason, transient=is_transient_status(resp.status_code), status=resp.status_code)
        return resp.status_code, body if isinstance(body, dict) else {"items": body}, resp.headers

    # --- the contract's operations ---

    def push_visit(self, body: dict, key: str) -> dict:
        return self._call("POST", self._office("/visits"), key=key, json=body)[1]

    def push_event(self, visit_id: str, body: dict, key: str) -> dict:
        return self._call("POST", self._office(f"/visits/{visit_id}/events"), key=key, json=body)[1]

    def push_survey(self, body: dict, key: str) -> dict:
        return self._call("POST", self._office("/surveys"), key=key, json=body)[1]

    def visit_state(self, visit_id: str) -> dict:
        return self._call("GET", self._office(f"/visits/{visit_id}"))[1]

    def hosts(self) -> list[dict]:
        return self._call("GET", self._office("/hosts"))[1]["hosts"]

    def hosts_if_changed(self, etag: str = "") -> tuple[list[dict] | None, str]:
        """The directory unless it is unchanged since `etag` (then None, a 304 without a body); with its ETag."""
        status, body, headers = self._call_full("GET", self._office("/hosts"),
                                                headers_extra={"If-None-Match": etag} if etag else None)
        if status == 304:
            return None, etag
        return body["hosts"], headers.get("ETag", "")

    def events_since(self, cursor: str, limit: int = 200) -> tuple[list[dict], str]:
        body = self._call("GET", self._office("/events"), params={"since": cursor, "limit": limit})[1]
        return body["events"], body["cursor"]

    def answer(self, visit_id: str, accepted: bool, actor: str) -> dict:
        return self._call("POST", self._office(f"/visits/{visit_id}/answer"), json={"accepted": accepted, "actor": actor})[1]

    def photo_url(self, visit_id: str) -> str:
        return self._office(f"/visits/{visit_id}/photo")

    def push_batch(self, items: list[dict]) -> list[dict]:
        """Many pushes in one request: items {op: visit|event, idempotency_key, visit_id?, body}; a result per item
        ({idempotency_key, status, result | reason}) with the status a single push would have answered."""
        return self._call("POST", self._office("/batch"), json={"items": items})[1]["results"]

    def put_photo(self, visit_id: str, data: bytes, content_type: str = "image/jpeg") -> dict:
        """The guest's photo as a binary upload; the answer carries a signed photo link for the host."""
        return self._call("PUT", self._office(f"/visits/{visit_id}/photo"), data=data,
                          headers_extra={"Content-Type": content_type})[1]

    def erase(self, request_id: str, *, subject_hash: str | None = None, visit_ids: list[str] = ()) -> dict:
        """Erase a data subject at central by keyed NIK hash (kiosk.domain.subject.subject_hash) and/or visit ids."""
        body = {"request_id": request_id, "visit_ids": list(visit_ids)}
        if subject_hash:
            body["subject_hash"] = subject_hash
        return self._call("POST", self._office("/erasures"), json=body)[1]

    def wait_events(self, cursor: str, *, wait_s: int = 25, etag: str = "", limit: int = 200) -> tuple[list[dict], str, str]:
        """Long poll: the server holds the request up to wait_s seconds until the feed has news; with the last
        ETag an unchanged feed costs a 304. Returns (items, cursor, etag)."""
        headers = {"If-None-Match": etag} if etag else {}
        status, body, resp_headers = self._call_full(
            "GET", self._office("/events"), params={"since": cursor, "limit": limit, "wait": wait_s},
            headers_extra=headers, read_timeout=wait_s + self.timeout[1])
        if status == 304:
            return [], cursor, etag
        return body["events"], body["cursor"], resp_headers.get("ETag", "")

    def close(self) -> None:
        self.session.close()
