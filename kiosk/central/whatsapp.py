"""The central's own WhatsApp Business Cloud API client (real HTTP with requests): send a message, look up
and download a media object. The kiosk's notifier lives in kiosk.sync, which the central may not import;
this is the small part the central needs, written for it.

- send: POST {graph}/{phone_number_id}/messages with a bearer token; the answer's messages[0].id is the
  wamid the status webhooks name later.
- media: GET {graph}/{media_id} answers {url, mime_type, file_size, sha256}; GET url (with the bearer token)
  answers the bytes. The download URL must be on a host we trust (the Graph host or `wa_media_hosts`):
  a webhook cannot make the central fetch from anywhere else, and it never sends its token elsewhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

# Graph API error codes that pass with time (rate limits, throttling, temporary service trouble).
THROTTLED = {1, 2, 4, 17, 80007, 130429, 131000, 131016, 131048, 131056}
PHONE = re.compile(r"^[1-9][0-9]{6,15}$")


class SendError(Exception):
    """A message the provider did not take. transient: try again later; doubtful: it may have been sent."""

    def __init__(self, reason: str, *, transient: bool, doubtful: bool = False, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason[:200]
        self.transient = transient
        self.doubtful = doubtful
        self.code = code


class MediaError(Exception):
    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason[:200]
        self.transient = transient


@dataclass(frozen=True)
class Media:
    data: bytes
    mime_type: str
    sha256: str


def wa_number(phone: str) -> str:
    """A phone number as the Cloud API wants it: digits with the country code (0812... -> 62812...)."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return digits if PHONE.match(digits) else ""


def _graph_error(resp: requests.Response) -> tuple[str, int | None]:
    try:
        err = resp.json().get("error") or {}
        return f"HTTP {resp.status_code}: {err.get('message', '')}".strip(), err.get("code")
    except ValueError:
        return f"HTTP {resp.status_code}", None


class CloudApi:
    def __init__(self, graph_url: str, token: str, media_hosts: str = "", timeout: float = 10.0) -> None:
        self.graph_url = graph_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.hosts = {urlsplit(self.graph_url).hostname or ""} | {h.strip().lower() for h in media_hosts.split(",") if h.strip()}
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def send(self, phone_number_id: str, to: str, payload: dict) -> str:
        """The wamid of the message sent; SendError otherwise."""
        if not self.token:
            raise SendError("no WhatsApp token configured (KIOSK_WA_TOKEN)", transient=True)
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **payload}
        try:
            resp = self.session.post(f"{self.graph_url}/{phone_number_id}/messages", json=body,
                                     timeout=(5, self.timeout))
        except requests.ConnectTimeout:
            raise SendError("cannot reach the provider (connect timeout)", transient=True) from None
        except requests.ConnectionError as exc:
            # Refused or unresolvable: nothing was sent. Any other broken connection may have carried the message.
            never_sent = "NewConnectionError" in repr(exc) or "Connection refused" in str(exc)
            raise SendError(f"connection failed ({type(exc).__name__})", transient=True, doubtful=not never_sent) from None
        except requests.RequestException as exc:  # a read timeout: the provider may have taken it
            raise SendError(f"no answer from the provider ({type(exc).__name__})", transient=True, doubtful=True) from None
        if resp.status_code >= 300:
            reason, code = _graph_error(resp)
            transient = resp.status_code in (408, 425, 429) or resp.status_code >= 500 or code in THROTTLED
            raise SendError(reason, transient=transient, code=code)
        try:
            return str(resp.json()["messages"][0]["id"])[:200]
        except (ValueError, KeyError, IndexError, TypeError):
            # Taken (2xx) but no id: it went out; we only cannot match its statuses.
            return ""

    def media(self, media_id: str, max_bytes: int) -> Media:
        """Look a media object up and download it, at most `max_bytes` (MediaError otherwise)."""
        if not re.fullmatch(r"[0-9A-Za-z_.-]{1,200}", media_id or ""):
            raise MediaError("not a media id", transient=False)
        try:
            resp = self.session.get(f"{self.graph_url}/{media_id}", timeout=(5, self.timeout))
        except requests.RequestException as exc:
            raise MediaError(f"cannot reach the provider ({type(exc).__name__})", transient=True) from None
        if resp.status_code >= 300:
            reason, code = _graph_error(resp)
            raise MediaError(reason, transient=resp.status_code == 429 or resp.status_code >= 500 or code in THROTTLED)
        try:
            info = resp.json()
            url, mime = str(info["url"]), str(info.get("mime_type", ""))
            size = int(info.get("file_size") or 0)
        except (ValueError, KeyError, TypeError):
            raise MediaError("the media lookup answered no url", transient=False) from None
        if size > max_bytes:
            raise MediaError(f"larger than {max_bytes} bytes", transient=False)
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or (parts.hostname or "").lower() not in self.hosts:
            raise MediaError(f"media URL on an untrusted host ({parts.hostname})", transient=False)
        if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise MediaError("media URL is not https", transient=False)
        try:
            with self.session.get(url, timeout=(5, self.timeout), stream=True, allow_redirects=False) as dl:
                if dl.status_code >= 300:
                    raise MediaError(f"download: HTTP {dl.status_code}", transient=dl.status_code >= 500 or dl.status_code == 429)
                data = bytearray()
                for chunk in dl.iter_content(64 * 1024):
                    data += chunk
                    if len(data) > max_bytes:
                        raise MediaError(f"larger than {max_bytes} bytes", transient=False)
        except requests.RequestException as exc:
            raise MediaError(f"download failed ({type(exc).__name__})", transient=True) from None
        return Media(bytes(data), mime, str(info.get("sha256") or ""))
