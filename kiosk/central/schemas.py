"""The kiosk contract as pydantic models: FastAPI validates every request with them and generates
kiosk/central/openapi.json (the published contract) from them.

Strings never carry NUL (PostgreSQL text cannot); times are ISO 8601 with a zone between 2000 and 2100;
ids are canonical lowercase UUIDs. Whatever these models accept, both databases store.
"""
from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

StateName = Literal["registered", "waiting_host", "accepted", "declined", "inside", "checked_out", "cancelled", "expired"]

_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_DATA_DEPTH = 8


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _datetime(value: str) -> str:
    _no_nul(value)
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("not a valid date-time") from None
    if at.tzinfo is None or len(value) > 40:
        raise ValueError("not a valid date-time (ISO 8601 with a zone)")
    try:
        ok = _EARLIEST <= at <= _LATEST
    except OverflowError:  # e.g. year 1 with a positive offset
        ok = False
    if not ok:
        raise ValueError("not a valid date-time (2000-2100)")
    return value


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(_no_nul(value)))
    except ValueError:
        raise ValueError("not a valid uuid") from None


def _base64(value: str) -> str:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not a valid byte (base64)") from None
    return value


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DATA_DEPTH:
        return level
    if isinstance(value, dict):
        return max([_depth(v, level + 1) for v in value.values()] or [level + 1])
    if isinstance(value, list):
        return max([_depth(v, level + 1) for v in value] or [level + 1])
    if isinstance(value, str):
        _no_nul(value)
    return level


def _shallow(value: dict[str, Any]) -> dict[str, Any]:
    if _depth(value) > MAX_DATA_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DATA_DEPTH} levels")
    for key in value:
        _no_nul(key)
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
DateTimeText = Annotated[str, AfterValidator(_datetime), WithJsonSchema({"type": "string", "format": "date-time"})]
UuidText = Annotated[str, AfterValidator(_uuid), WithJsonSchema({"type": "string", "format": "uuid"})]
Base64Text = Annotated[str, AfterValidator(_base64)]
EventData = Annotated[dict[str, Any], AfterValidator(_shallow)]

OFFICE_PATTERN = r"^[A-Z0-9-]{3,32}$"
DEVICE_PATTERN = r"^[a-z0-9][a-z0-9-]{0,31}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VisitPush(Strict):
    """A visit as the national guestbook names its fields; the photo may come here (base64) or by PUT .../photo."""

    visit_id: UuidText
    device_id: Annotated[Text, Field(pattern=DEVICE_PATTERN)]
    created_at: DateTimeText
    expires_at: DateTimeText | None = None
    state: StateName
    purpose: Annotated[Text, Field(min_length=1, max_length=64)]
    host_id: Annotated[Text, Field(max_length=64)] = ""
    nama: Annotated[Text, Field(min_length=1, max_length=200, description="guest's name")]
    detail: Annotated[Text, Field(max_length=1000, description="purpose in words and institution")] = ""
    no_hp: Annotated[Text, Field(max_length=20, pattern=r"^(|\+?[0-9]{6,15})$")] = ""
    email: Annotated[Text, Field(max_length=200)] = ""
    alamat: Annotated[Text, Field(max_length=500)] = ""
    no_identitas: Annotated[Text, Field(max_length=32, description="NIK or other ID number")] = ""
    tipe_tamu: Literal["Umum", "Instansi"] = "Umum"
    tipe_pelayanan: Annotated[Text, Field(max_length=200)] = ""
    nama_pejabat: Annotated[Text, Field(max_length=200, description="the host's name")] = ""
    jabatan: Annotated[Text, Field(max_length=200, description="the host's position")] = ""
    satker: Annotated[Text, Field(min_length=1, max_length=200, description="the office (satuan kerja)")]
    photo: Annotated[Base64Text | None, Field(max_length=4_000_000, description="JPEG or PNG, base64")] = None


class VisitEventPush(Strict):
    """A step or a state change of a visit. A transition is never refused for the visit's current state:
    it is recorded and the state follows the precedence rule (kiosk.domain.convergence)."""

    event_id: UuidText
    kind: Annotated[Text, Field(min_length=1, max_length=64)]
    from_state: StateName | None = None
    to_state: StateName | None = None
    at: DateTimeText
    actor: Annotated[Text, Field(min_length=1, max_length=64)]
    device_id: Annotated[Text, Field(max_length=64)]
    data: EventData = Field(default_factory=dict)


class SurveyPush(Strict):
    """One SKM respondent (Permen PANRB 14/2017): the nine answers u1..u9 (1-4) in the regulation's order and the
    optional profile. No name or NIK; the comment is stored encrypted."""

    response_id: UuidText
    device_id: Annotated[Text, Field(pattern=DEVICE_PATTERN)]
    created_at: DateTimeText
    answers: Annotated[list[Annotated[int, Field(ge=1, le=4, strict=True)]], Field(min_length=9, max_length=9)]
    visit_id: UuidText | None = None
    source: Literal["kiosk", "paper"] = "kiosk"
    age_group: Annotated[Text, Field(max_length=64)] = ""
    sex: Annotated[Text, Field(max_length=64)] = ""
    education: Annotated[Text, Field(max_length=64)] = ""
    occupation: Annotated[Text, Field(max_length=64)] = ""
    comment: Annotated[Text, Field(max_length=1000)] = ""


class SurveyResult(BaseModel):
    response_id: str
    status: Literal["created", "duplicate"]


class PushResult(BaseModel):
    visit_id: str
    status: Literal["created", "duplicate"]
    state: StateName | None = Field(None, description="the visit's state after this push (the converged state)")
    photo_url: str | None = Field(None, description="a signed, short-lived link to the photo (no token needed)")


class Notice(BaseModel):
    message_id: str
    host_id: str = ""
    channel: str = ""
    status: Literal["sent", "delivered", "read", "failed"]


class VisitStatus(BaseModel):
    visit_id: str
    state: StateName
    updated_at: str
    photo_url: str | None = None
    notices: list[Notice] = []


class HostAnswer(Strict):
    accepted: bool
    actor: Annotated[Text, Field(min_length=1, max_length=64)]


class Host(BaseModel):
    id: str
    nama: str
    bidang: str = ""
    jabatan: str = ""
    no_hp: str = ""


class HostList(BaseModel):
    hosts: list[Host]


def hosts_etag(items: list[dict]) -> str:
    """The directory's version: a hash of what listHosts answers, so every desk edit changes it."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(items, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:20]


class FeedItem(BaseModel):
    """One item of an office's feed. `state` is the visit's converged state after the item: a device
    that pulls applies it as the truth (it may differ from the event's to_state)."""

    cursor: str
    type: Literal["visit.registered", "visit.event", "notice.status", "visit.erased"]
    visit_id: str
    state: StateName | None = None
    visit: dict[str, Any] | None = None
    event: dict[str, Any] | None = None
    notice: Notice | None = None


class EventsPage(BaseModel):
    events: list[FeedItem]
    cursor: str


class BatchItem(Strict):
    """One message of a batch push: a visit (`op=visit`) or an event of a visit (`op=event`). Its `body` is
    a VisitPush or a VisitEventPush, validated on its own: a bad item fails alone."""

    op: Literal["visit", "event"]
    idempotency_key: Annotated[Text, Field(min_length=1, max_length=200)]
    visit_id: UuidText | None = Field(None, description="required for op=event")
    body: dict[str, Any]


class BatchPush(Strict):
    items: Annotated[list[BatchItem], Field(min_length=1, max_length=500)]


class BatchResult(BaseModel):
    idempotency_key: str
    status: int = Field(description="the status a single push would have answered: 201, 200, 400, 404, 409")
    result: PushResult | None = None
    reason: str | None = None


class BatchAnswer(BaseModel):
    results: list[BatchResult]


class Erasure(Strict):
    """Erase a data subject: every visit of the office whose NIK has this keyed hash (HMAC-SHA256 with the
    office's subject key, hex), and the listed visits. The NIK itself is never sent."""

    request_id: UuidText
    subject_hash: Annotated[Text, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    visit_ids: Annotated[list[UuidText], Field(max_length=10_000)] = []


class ErasureResult(BaseModel):
    request_id: str
    visits_deleted: int
    status: Literal["erased", "duplicate"]


class PhotoStored(BaseModel):
    visit_id: str
    photo_url: str
    width: int
    height: int


class Error(BaseModel):
    reason: str


class WhatsAppChange(BaseModel):
    model_config = ConfigDict(extra="allow")
    value: dict[str, Any] = {}


class WhatsAppEntry(BaseModel):
    model_config = ConfigDict(extra="allow")
    changes: list[WhatsAppChange]


class WhatsAppWebhook(BaseModel):
    model_config = ConfigDict(extra="allow")
    object: Literal["whatsapp_business_account"]
    entry: list[WhatsAppEntry]
