"""Complaints and reports by WhatsApp (seed 004) and from the kiosk (seed 002), on the central service.

A text, image or document message to an office's WhatsApp number (the receiving `phone_number_id` maps to
an office: settings.wa_phone_numbers) opens a complaint case, or joins the reporter's case when it is
still open and the reporter's last message was less than APPEND_WINDOW ago (the 24-hour customer-service
window of WhatsApp: a follow-up the same day is part of the same matter; later, or once the case is
closed, it is a new case). Each inbound message is stored once by its wamid: a repeated webhook delivery
changes nothing. The reporter (WhatsApp number and profile name) and every text are encrypted at rest; the
case finds the reporter's open case by a keyed hash of the number.

Evidence: images and PDFs named in a message are fetched by the worker from the Cloud API media endpoint
(at most settings.complaint_media_max_bytes), checked by their magic bytes (not the declared type), images
decoded and re-encoded as JPEG (metadata and anything hidden dropped), PDFs refused when they carry active
content (JavaScript, launch actions, embedded files), and stored encrypted. This is a size and type gate,
not a virus scanner.

The clock: 3 hours of working time (kiosk.domain.sla: Mon-Fri 08:00-16:00, minus national holidays and
cuti bersama) from the first message; the first answer sent from the desk stops it. At
settings.complaint_alert_hours (2 of the 3 hours) the intel head (settings.complaint_intel_host in the
host directory) gets a WhatsApp alert once, and the queue shows the case in amber; past the due time, red.
Closing a case records met/late and the working time used.

Messages out (acknowledgement, answer, alert) go through the durable outbox `wa_outbox` in the same
transaction as the change that causes them, one row per idempotency key (ack:<case>, answer:<item>,
alert:<case>), sent by `ComplaintWorker` with retries and exponential backoff. A row is claimed (status
`sending`, with a lease) before the provider is called. A send that may or may not have reached the
provider (a read timeout, a worker killed during the call) is never sent again by itself: when a status
webhook names the message (by the wamid or by `biz_opaque_callback_data` = the outbox id) it is marked
sent; otherwise it becomes `unknown` and the desk shows it, so a person decides. Never a double send.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import random
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from kiosk.central.models import complaint_cases, complaint_items, hosts, wa_outbox
from kiosk.central.whatsapp import PHONE, CloudApi, MediaError, SendError, wa_number
from kiosk.domain.convergence import utc_text
from kiosk.domain.sla import WorkingCalendar, complaint_answer, parse_hours

log = logging.getLogger("kiosk.central.complaints")

APPEND_WINDOW = timedelta(hours=24)
REPLY_WINDOW = timedelta(hours=23)  # free text only inside WhatsApp's 24-hour window (with a margin); else a template
COMPLAINT_PURPOSES = ("complaint", "pengaduan")
SUPPORTED = ("text", "image", "document")
MAX_TEXT = 4000
LEASE = timedelta(seconds=60)
DOUBT_GRACE = timedelta(minutes=2)  # how long a doubtful send waits for a status webhook before it is `unknown`
MAX_ATTEMPTS = 10
MAX_FETCHES = 5
MAX_PIXELS = 4096 * 4096
ERASED = "erased"  # reporter_hash of a case whose personal data is gone (erasure, retention)
TEMPLATE_ANSWER = "pengaduan_jawaban"  # {{1}} case number, {{2}} the answer
TEMPLATE_ALERT = "pengaduan_peringatan"  # {{1}} case number, {{2}} due time
ACTIVE_PDF = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/OpenAction", b"/AA", b"/RichMedia", b"/XFA")
WRITTEN_NOTICE = ("Pengaduan di kiosk: minta pelapor menuliskan pengaduannya secara tertulis (seed 002).",
                  "Complaint made at the kiosk: ask the reporter to put it in writing (seed 002).")


def _now() -> datetime:
    return datetime.now(UTC)


def parse_utc(t: str) -> datetime:
    return datetime.fromisoformat(t.replace("Z", "+00:00"))


def reporter_hash(keys, office: str, contact: str) -> str:
    return hmac.new(keys.subject_key(office), b"complaint-reporter:" + contact.encode(), hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    return phone[:4] + "•" * max(0, len(phone) - 8) + phone[-4:] if len(phone) > 8 else phone


def reporter_wa_id(phone: str) -> str:
    """The WhatsApp id (country code and number, digits only) of a typed number (0812-..., +62 812..., 62812...,
    another country's with its code); ComplaintError when it cannot be one."""
    wa_id = wa_number((phone or "")[:40])
    if not wa_id:
        raise ComplaintError(400, "phone: not a WhatsApp number")
    return wa_id


def calendar_of(settings) -> WorkingCalendar:
    start, end = parse_hours(settings.working_hours)
    leave = [d.strip() for d in settings.collective_leave.split(",") if d.strip()]
    return WorkingCalendar(start=start, end=end, tz=settings.timezone, collective_leave=leave)


# --- the clock ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    used: timedelta  # working time from received to the answer (or now)
    due: datetime
    limit: timedelta
    level: str  # ok | warn | overdue | met | late
    stopped: bool  # answered: the clock no longer runs

    @property
    def used_text(self) -> str:
        return hm(self.used)

    @property
    def fraction(self) -> float:
        return min(1.0, self.used / self.limit) if self.limit else 1.0


def hm(d: timedelta) -> str:
    minutes = int(d.total_seconds() // 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def clock_of(cal: WorkingCalendar, received: datetime, answered: datetime | None, now: datetime, *,
             hours: float = 3.0, alert_hours: float = 2.0) -> Clock:
    """Where a case stands on the working-hours clock (pure: the tests give it any `now`)."""
    res = complaint_answer(cal, received, answered, now=now, hours=hours)
    if answered is not None:
        return Clock(res.working_time_used or timedelta(0), res.deadline, timedelta(hours=hours),
                     "met" if res.met else "late", True)
    used = cal.working_time_between(received, now)
    level = "overdue" if now > res.deadline else "warn" if used >= timedelta(hours=alert_hours) else "ok"
    return Clock(used, res.deadline, timedelta(hours=hours), level, False)


# --- evidence ------------------------------------------------------------------------------------------


class Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sniff(data: bytes) -> str:
    """The type by magic bytes: image/jpeg, image/png, image/webp, application/pdf or ""."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return ""


def check_evidence(data: bytes, max_bytes: int) -> tuple[bytes, str]:
    """(stored bytes, type) or Refused: images re-encoded as JPEG, PDFs without active content."""
    if len(data) > max_bytes:
        raise Refused(f"larger than {max_bytes} bytes")
    kind = sniff(data)
    if kind.startswith("image/"):
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(data)) as img:
                if img.width * img.height > MAX_PIXELS:
                    raise Refused("image larger than 4096x4096 pixels")
                img.load()
                rgb = img.convert("RGB")
        except Refused:
            raise
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            raise Refused("the image cannot be decoded") from None
        out = io.BytesIO()
        rgb.save(out, "JPEG", quality=85)
        return out.getvalue(), "image/jpeg"
    if kind == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise Refused("not a complete PDF")
        for marker in ACTIVE_PDF:
            if re.search(re.escape(marker) + rb"[\s/<\[(]", data):
                raise Refused(f"PDF with active content ({marker.decode()})")
        return data, "application/pdf"
    raise Refused("not a JPEG, PNG, WebP image or a PDF")


# --- the store -----------------------------------------------------------------------------------------


class ComplaintError(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _list(x: Any) -> list:
    return x if isinstance(x, list) else []


def _clean(s: Any, limit: int) -> str:
    return s[:limit] if isinstance(s, str) else ""


def kiosk_case_row(keys, office: str, record: dict[str, Any]) -> dict[str, Any] | None:
    """The case (and its first item) for a visit pushed with purpose complaint/pengaduan; None for others.
    Called by the central store inside the push's transaction (a repeated push adds nothing)."""
    if record.get("purpose") not in COMPLAINT_PURPOSES:
        return None
    at = utc_text(datetime.fromisoformat(record["created_at"]))
    phone = wa_number(record.get("no_hp") or "")
    case_id = str(uuid.uuid4())
    reporter = {"wa_id": phone, "name": record.get("nama", ""), "visit": record["visit_id"]}
    return {"case": {"id": case_id, "office": office, "channel": "kiosk", "phone_number_id": "",
                     "reporter_hash": reporter_hash(keys, office, phone or "visit:" + record["visit_id"]),
                     "reporter_enc": keys.encrypt_text(json.dumps(reporter)), "visit_id": record["visit_id"],
                     "status": "open", "assignee": "", "received_at": at, "last_inbound_at": at},
            "item": {"id": str(uuid.uuid4()), "case_id": case_id, "office": office, "message_id": None, "direction": "in",
                     "kind": "kiosk", "at": at, "actor": f"kiosk:{record.get('device_id', '')}"[:100],
                     "body_enc": keys.encrypt_text(record.get("detail") or ""), "evidence_state": "",
                     "evidence_type": "", "evidence_size": 0, "evidence_note": "", "attempts": 0}}


def insert_kiosk_cases(conn, rows: list[dict]) -> None:
    """Insert the cases of kiosk complaint visits (rows from kiosk_case_row) with their numbers."""
    for r in rows:
        case = dict(r["case"])
        case["number"] = _next_number(conn, case["office"], parse_utc(case["received_at"]))
        conn.execute(insert(complaint_cases).values(**case))
        conn.execute(insert(complaint_items).values(**r["item"]))


def forget_cases(conn, keys, case_ids: list[str]) -> int:
    """Erasure and retention (UU PDP): the cases keep their number, times and met/late for the reports;
    the reporter, every message, the evidence and the outbox rows are deleted."""
    forgotten = 0
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start:start + 500]
        conn.execute(delete(complaint_items).where(complaint_items.c.case_id.in_(chunk)))
        conn.execute(delete(wa_outbox).where(wa_outbox.c.case_id.in_(chunk)))
        forgotten += conn.execute(update(complaint_cases).where(complaint_cases.c.id.in_(chunk)).values(
            reporter_enc=keys.encrypt_text("{}"), reporter_hash=ERASED, visit_id=None)).rowcount
    return forgotten


def forget_cases_of_visits(conn, keys, visit_ids: list[str]) -> int:
    ids = [r[0] for r in conn.execute(select(complaint_cases.c.id).where(complaint_cases.c.visit_id.in_(visit_ids)))]
    return forget_cases(conn, keys, ids) if ids else 0


def forget_closed_before(conn, keys, cutoff: str) -> int:
    ids = [r[0] for r in conn.execute(select(complaint_cases.c.id).where(
        complaint_cases.c.status == "closed", complaint_cases.c.closed_at < cutoff, complaint_cases.c.reporter_hash != ERASED))]
    return forget_cases(conn, keys, ids) if ids else 0


def _next_number(conn, office: str, at: datetime) -> str:
    prefix = f"ADU-{at.year}-"
    if conn.dialect.name == "postgresql":  # numbers are handed out one writer at a time per office
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"complaint-number:{office}"})
    last = conn.execute(select(func.max(complaint_cases.c.number)).where(
        complaint_cases.c.office == office, complaint_cases.c.number.like(prefix + "%"))).scalar()
    n = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{n:04d}"


class ComplaintStore:
    """Cases, their items and evidence, the outbox, the clock and the counts (SQLAlchemy Core)."""

    def __init__(self, engine, keys, settings, api: CloudApi | None = None) -> None:
        self.engine = engine
        self.keys = keys
        self.settings = settings
        self.cal = calendar_of(settings)
        self.api = api or CloudApi(settings.wa_graph_url, settings.wa_token, settings.wa_media_hosts)
        self.backoff_base_s = 2.0

    # --- inbound ---

    def office_for(self, phone_number_id: str) -> str | None:
        return self.settings.office_numbers().get(phone_number_id)

    def ingest(self, value: dict[str, Any], now: datetime | None = None) -> list[str]:
        """The complaint messages of one webhook change: the ids of the cases they went to (new or not)."""
        meta = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
        pid = _clean(meta.get("phone_number_id"), 64)
        office = self.office_for(pid)
        if office is None:
            return []
        names = {}
        for c in _list(value.get("contacts")):
            if isinstance(c, dict) and isinstance(c.get("wa_id"), str):
                profile = c.get("profile") if isinstance(c.get("profile"), dict) else {}
                names[c["wa_id"]] = _clean(profile.get("name"), 100)
        out = []
        for msg in _list(value.get("messages")):
            if not isinstance(msg, dict) or msg.get("type") in ("button", "interactive", "reaction", "system"):
                continue  # reply buttons are the hosts' answers (app._host_reply); reactions say nothing
            sender, mid = msg.get("from"), msg.get("id")
            if not (isinstance(sender, str) and PHONE.match(sender) and isinstance(mid, str) and 0 < len(mid) <= 200):
                log.info("complaint message skipped: no sender or id")
                continue
            case_id = self._ingest_one(office, pid, sender, names.get(sender, ""), msg, now or _now())
            if case_id:
                out.append(case_id)
        return out

    def _item_of(self, msg: dict) -> tuple[str, str, str | None, str]:
        """(kind, text, media id, note) of one inbound message."""
        kind = msg.get("type")
        if kind == "text":
            body = msg.get("text") if isinstance(msg.get("text"), dict) else {}
            return "text", _clean(body.get("body"), MAX_TEXT), None, ""
        if kind in ("image", "document"):
            media = msg.get(kind) if isinstance(msg.get(kind), dict) else {}
            mid = media.get("id")
            name = _clean(media.get("filename"), 100)
            return kind, _clean(media.get("caption"), MAX_TEXT), mid if isinstance(mid, str) and mid else None, name
        return "other", f"[{_clean(kind, 32) or 'unknown'}]", None, "not supported: send text, a photo or a PDF"

    def _ingest_one(self, office: str, pid: str, sender: str, name: str, msg: dict, now: datetime) -> str | None:
        ts = msg.get("timestamp")
        received = now
        if isinstance(ts, str) and ts.isdigit():
            sent = datetime.fromtimestamp(min(int(ts), 2**33), UTC)
            if now - timedelta(days=7) <= sent <= now + timedelta(minutes=5):
                received = min(sent, now)  # Meta re-delivers for days after an outage: the reporter's time counts
        kind, body, media_id, note = self._item_of(msg)
        rhash = reporter_hash(self.keys, office, sender)
        at = utc_text(received)
        for _ in range(3):
            try:
                with self.engine.begin() as conn:
                    if conn.execute(select(complaint_items.c.case_id).where(complaint_items.c.message_id == msg["id"])).first():
                        return None  # the same delivery again
                    if conn.dialect.name == "postgresql":
                        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"complaint:{office}:{rhash}"})
                    case = conn.execute(select(complaint_cases).where(
                        complaint_cases.c.office == office, complaint_cases.c.reporter_hash == rhash,
                        complaint_cases.c.status != "closed", complaint_cases.c.channel == "whatsapp",
                        complaint_cases.c.last_inbound_at >= utc_text(received - APPEND_WINDOW))
                        .order_by(complaint_cases.c.received_at.desc())).first()
                    if case is None:
                        case_id = str(uuid.uuid4())
                        number = _next_number(conn, office, received)
                        conn.execute(insert(complaint_cases).values(
                            id=case_id, office=office, number=number, channel="whatsapp", phone_number_id=pid,
                            reporter_hash=rhash, reporter_enc=self.keys.encrypt_text(json.dumps({"wa_id": sender, "name": name})),
                            visit_id=None, status="open", assignee="", received_at=at, last_inbound_at=at))
                        due = self.cal.add_working_time(received, timedelta(hours=self.settings.complaint_hours))
                        self._enqueue(conn, office, f"ack:{case_id}", case_id, pid, sender,
                                      {"type": "text", "text": {"preview_url": False, "body": ack_text(number, due, self.cal)}})
                    else:
                        case_id = case.id
                        conn.execute(update(complaint_cases).where(complaint_cases.c.id == case_id).values(
                            last_inbound_at=max(case.last_inbound_at, at)))
                    conn.execute(insert(complaint_items).values(
                        id=str(uuid.uuid4()), case_id=case_id, office=office, message_id=msg["id"], direction="in",
                        kind=kind, at=at, actor="reporter", body_enc=self.keys.encrypt_text(body), media_id=media_id,
                        evidence_state="pending" if media_id else "", evidence_type="", evidence_size=0,
                        evidence_note=note, attempts=0, next_at=None))
                    return case_id
            except IntegrityError:
                continue  # a concurrent twin delivery won the race: look again
        return None

    # --- outbox ---

    def _enqueue(self, conn, office: str, key: str, case_id: str | None, pid: str, to: str, payload: dict) -> str | None:
        if conn.execute(select(wa_outbox.c.id).where(wa_outbox.c.idem_key == key)).first():
            return None
        oid = str(uuid.uuid4())
        payload = {**payload, "biz_opaque_callback_data": f"outbox:{oid}"}
        conn.execute(insert(wa_outbox).values(
            id=oid, office=office, idem_key=key, case_id=case_id, phone_number_id=pid, to_enc=self.keys.encrypt_text(to),
            payload_enc=self.keys.encrypt_text(json.dumps(payload)), status="queued", attempts=0, next_at=utc_text(_now()),
            lease_until=None, wamid=None, delivery="", last_error="", created_at=utc_text(_now()), sent_at=None))
        return oid

    def enqueue(self, conn, office: str, key: str, pid: str, to: str, payload: dict) -> str | None:
        """A message of another part of the desk (an invitation, a host reminder) into the same outbox, in the
        caller's transaction; None when `key` was queued before (one message per key, ever)."""
        return self._enqueue(conn, office, key, None, pid, to, payload)

    def send_due(self, now: datetime | None = None, limit: int = 20) -> int:
        """Send what is due in the outbox; returns how many were sent."""
        now = now or _now()
        with self.engine.begin() as conn:  # leases that ran out: the worker died during the call
            for r in conn.execute(select(wa_outbox.c.id, wa_outbox.c.lease_until).where(
                    wa_outbox.c.status == "sending", wa_outbox.c.lease_until < utc_text(now - DOUBT_GRACE))).all():
                conn.execute(update(wa_outbox).where(wa_outbox.c.id == r.id, wa_outbox.c.status == "sending").values(
                    status="unknown", last_error="the send may have reached WhatsApp: no status came; not re-sent"))
        with self.engine.connect() as conn:
            due = conn.execute(select(wa_outbox).where(wa_outbox.c.status == "queued", wa_outbox.c.next_at <= utc_text(now))
                               .order_by(wa_outbox.c.next_at).limit(limit)).all()
        sent = 0
        for row in due:
            with self.engine.begin() as conn:
                claimed = conn.execute(update(wa_outbox).where(wa_outbox.c.id == row.id, wa_outbox.c.status == "queued").values(
                    status="sending", attempts=row.attempts + 1, lease_until=utc_text(now + LEASE))).rowcount
            if not claimed:
                continue  # another worker has it
            to = self.keys.decrypt_text(row.to_enc)
            payload = json.loads(self.keys.decrypt_text(row.payload_enc))
            try:
                wamid = self.api.send(row.phone_number_id, to, payload)
            except SendError as exc:
                self._failed(row, exc, now)
                continue
            with self.engine.begin() as conn:
                conn.execute(update(wa_outbox).where(wa_outbox.c.id == row.id).values(
                    status="sent", wamid=wamid or None, sent_at=utc_text(_now()), lease_until=None, last_error=""))
            sent += 1
        return sent

    def _failed(self, row, exc: SendError, now: datetime) -> None:
        values: dict[str, Any] = {"last_error": exc.reason}
        if exc.doubtful:
            values.update(lease_until=utc_text(now))  # stays `sending`: a status webhook may still name it
        elif exc.transient and row.attempts + 1 < MAX_ATTEMPTS:
            delay = min(600.0, self.backoff_base_s * 2 ** row.attempts) * random.uniform(0.8, 1.2)
            values.update(status="queued", next_at=utc_text(now + timedelta(seconds=delay)), lease_until=None)
        else:
            values.update(status="failed", lease_until=None)
        log.warning("whatsapp send failed", extra={"outbox": row.id, "reason": exc.reason, "transient": exc.transient})
        with self.engine.begin() as conn:
            conn.execute(update(wa_outbox).where(wa_outbox.c.id == row.id, wa_outbox.c.status == "sending").values(**values))

    def record_status(self, status: dict) -> bool:
        """A status webhook about a message the outbox sent: its delivery; a doubtful send becomes sent."""
        wamid, st = status.get("id"), status.get("status")
        if not isinstance(wamid, str) or st not in ("sent", "delivered", "read", "failed"):
            return False
        opaque = status.get("biz_opaque_callback_data")
        oid = opaque[len("outbox:"):] if isinstance(opaque, str) and opaque.startswith("outbox:") else ""
        cond = or_(wa_outbox.c.wamid == wamid[:200], wa_outbox.c.id == oid) if oid else wa_outbox.c.wamid == wamid[:200]
        with self.engine.begin() as conn:
            row = conn.execute(select(wa_outbox).where(cond)).first()
            if row is None:
                return False
            values: dict[str, Any] = {"delivery": st} if _RANK.get(st, 0) > _RANK.get(row.delivery, 0) else {}
            if row.status in ("sending", "unknown"):
                values.update(status="sent", wamid=wamid[:200], sent_at=row.sent_at or utc_text(_now()), lease_until=None)
            if values:
                conn.execute(update(wa_outbox).where(wa_outbox.c.id == row.id).values(**values))
        return True

    # --- evidence ---

    def fetch_due(self, now: datetime | None = None, limit: int = 5) -> int:
        now = now or _now()
        with self.engine.connect() as conn:
            due = conn.execute(select(complaint_items.c.id, complaint_items.c.media_id, complaint_items.c.attempts).where(
                complaint_items.c.evidence_state == "pending",
                or_(complaint_items.c.next_at.is_(None), complaint_items.c.next_at <= utc_text(now))).limit(limit)).all()
        done = 0
        for item in due:
            with self.engine.begin() as conn:
                claimed = conn.execute(update(complaint_items).where(
                    complaint_items.c.id == item.id, complaint_items.c.evidence_state == "pending",
                    or_(complaint_items.c.next_at.is_(None), complaint_items.c.next_at <= utc_text(now))).values(
                    attempts=item.attempts + 1, next_at=utc_text(now + LEASE))).rowcount
            if not claimed:
                continue
            values: dict[str, Any]
            try:
                media = self.api.media(item.media_id, self.settings.complaint_media_max_bytes)
                if media.sha256 and hashlib.sha256(media.data).hexdigest() != media.sha256.lower():
                    raise Refused("the download does not match its sha256")
                data, kind = check_evidence(media.data, self.settings.complaint_media_max_bytes)
                values = {"evidence_state": "stored", "evidence_type": kind, "evidence_size": len(data),
                          "evidence_enc": self.keys.encrypt(data), "media_id": None, "next_at": None}
            except Refused as exc:
                values = {"evidence_state": "refused", "evidence_note": exc.reason[:200], "media_id": None, "next_at": None}
            except MediaError as exc:
                if exc.transient and item.attempts + 1 < MAX_FETCHES:
                    values = {"next_at": utc_text(now + timedelta(seconds=min(600, 5 * 2 ** item.attempts))),
                              "evidence_note": exc.reason}
                else:
                    values = {"evidence_state": "refused", "evidence_note": exc.reason, "media_id": None, "next_at": None}
            with self.engine.begin() as conn:
                conn.execute(update(complaint_items).where(complaint_items.c.id == item.id).values(**values))
            done += 1
        return done

    def evidence(self, office: str, case_id: str, item_id: str) -> tuple[bytes, str] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(complaint_items.c.evidence_enc, complaint_items.c.evidence_type).where(
                complaint_items.c.id == item_id, complaint_items.c.case_id == case_id, complaint_items.c.office == office,
                complaint_items.c.evidence_state == "stored")).first()
        return (self.keys.decrypt(row.evidence_enc), row.evidence_type) if row else None

    # --- alerts ---

    def alert_due(self, now: datetime | None = None) -> int:
        """Alert the intel head once per open case whose clock passed the alert mark."""
        now = now or _now()
        with self.engine.connect() as conn:
            rows = conn.execute(select(complaint_cases).where(
                complaint_cases.c.status == "open", complaint_cases.c.alerted_at.is_(None))).all()
        n = 0
        for case in rows:
            clock = self.clock(case, now)
            if clock.level not in ("warn", "overdue"):
                continue
            pid = case.phone_number_id or self.settings.number_of(case.office)
            with self.engine.begin() as conn:
                if not conn.execute(update(complaint_cases).where(complaint_cases.c.id == case.id,
                                                                  complaint_cases.c.alerted_at.is_(None))
                                    .values(alerted_at=utc_text(now))).rowcount:
                    continue
                phone = conn.execute(select(hosts.c.no_hp).where(
                    hosts.c.office == case.office, hosts.c.id == self.settings.complaint_intel_host)).scalar()
                to = wa_number(phone or "")
                if to and pid:
                    self._enqueue(conn, case.office, f"alert:{case.id}", case.id, pid, to, template(
                        TEMPLATE_ALERT, self.settings.wa_language, [case.number, local_text(clock.due, self.cal)]))
                else:
                    log.warning("complaint alert: no intel head number or office number", extra={"office": case.office})
            n += 1
        return n

    # --- the desk's actions ---

    def case_row(self, office: str, case_id: str):
        with self.engine.connect() as conn:
            row = conn.execute(select(complaint_cases).where(complaint_cases.c.id == case_id,
                                                             complaint_cases.c.office == office)).first()
        if row is None:
            raise ComplaintError(404, "no such case")
        return row

    def assign(self, office: str, case_id: str, who: str) -> None:
        self.case_row(office, case_id)
        with self.engine.begin() as conn:
            conn.execute(update(complaint_cases).where(complaint_cases.c.id == case_id).values(assignee=who[:64]))

    def answer(self, office: str, case_id: str, body: str, actor: str, now: datetime | None = None) -> str:
        """Record the answer and queue it to the reporter (one outbox row per answer); stops the clock."""
        body = body.strip()[:MAX_TEXT]
        if not body:
            raise ComplaintError(400, "empty answer")
        now = now or _now()
        case = self.case_row(office, case_id)
        if case.status == "closed":
            raise ComplaintError(409, "the case is closed")
        reporter = json.loads(self.keys.decrypt_text(case.reporter_enc))
        to = reporter.get("wa_id") or ""
        pid = case.phone_number_id or self.settings.number_of(office)
        item_id = str(uuid.uuid4())
        with self.engine.begin() as conn:
            conn.execute(insert(complaint_items).values(
                id=item_id, case_id=case_id, office=office, message_id=None, direction="out", kind="answer",
                at=utc_text(now), actor=actor[:100], body_enc=self.keys.encrypt_text(body), media_id=None,
                evidence_state="", evidence_type="", evidence_size=0, evidence_note="" if to and pid else "no WhatsApp number",
                attempts=0, next_at=None))
            values: dict[str, Any] = {"status": "answered"}
            if case.answered_at is None:
                values["answered_at"] = utc_text(now)
            conn.execute(update(complaint_cases).where(complaint_cases.c.id == case_id).values(**values))
            if to and pid:
                if case.channel == "whatsapp" and now - parse_utc(case.last_inbound_at) < REPLY_WINDOW:
                    payload = {"type": "text", "text": {"preview_url": False, "body": answer_text(case.number, body)}}
                else:  # outside the 24-hour window (or to a kiosk guest, who never wrote to us) only a template may go
                    payload = template(TEMPLATE_ANSWER, self.settings.wa_language,
                                       [case.number, " ".join(body.split())[:900]])
                self._enqueue(conn, office, f"answer:{item_id}", case_id, pid, to, payload)
        return item_id

    def close(self, office: str, case_id: str, actor: str, now: datetime | None = None) -> tuple[str, int]:
        """Close the case: met/late by working time from the first message to the first answer (or now)."""
        now = now or _now()
        case = self.case_row(office, case_id)
        if case.status == "closed":
            return case.outcome, case.working_s
        received = parse_utc(case.received_at)
        stop = parse_utc(case.answered_at) if case.answered_at else now
        res = complaint_answer(self.cal, received, stop, hours=self.settings.complaint_hours)
        outcome = "met" if res.met else "late"
        working_s = int(res.working_time_used.total_seconds())
        with self.engine.begin() as conn:
            conn.execute(update(complaint_cases).where(complaint_cases.c.id == case_id, complaint_cases.c.status != "closed")
                         .values(status="closed", closed_at=utc_text(now), outcome=outcome, working_s=working_s))
        return outcome, working_s

    def erase_reporter(self, office: str, phone: str, now: datetime | None = None) -> list[str]:
        """Erasure on a WhatsApp reporter's request (UU PDP): every case of this number in the office loses the
        reporter's number and name, every message, the evidence and the outbox rows (`forget_cases`); the case
        keeps its number, times and met/late for the reports. A case still open is closed first (met/late by
        its clock), as nobody can answer it any more. Returns the case numbers (for the audit; never the number)."""
        wa_id = reporter_wa_id(phone)
        rhash = reporter_hash(self.keys, office, wa_id)
        with self.engine.connect() as conn:
            rows = conn.execute(select(complaint_cases.c.id, complaint_cases.c.number, complaint_cases.c.status).where(
                complaint_cases.c.office == office, complaint_cases.c.reporter_hash == rhash)
                .order_by(complaint_cases.c.number)).all()
        for r in rows:
            if r.status != "closed":
                self.close(office, r.id, "erasure", now)
        if rows:
            with self.engine.begin() as conn:
                forget_cases(conn, self.keys, [r.id for r in rows])
        log.info("complaint reporter erased", extra={"office": office, "cases": len(rows)})
        return [r.number for r in rows]

    # --- reads ---

    def clock(self, case, now: datetime) -> Clock:
        answered = parse_utc(case.answered_at) if case.answered_at else None
        return clock_of(self.cal, parse_utc(case.received_at), answered, now, hours=self.settings.complaint_hours,
                        alert_hours=self.settings.complaint_alert_hours)

    def _present(self, case, now: datetime, *, full_phone: bool) -> dict[str, Any]:
        reporter = json.loads(self.keys.decrypt_text(case.reporter_enc))
        phone = reporter.get("wa_id", "")
        clock = self.clock(case, now)
        tz = self.cal.tz
        return {"id": case.id, "number": case.number, "channel": case.channel, "status": case.status,
                "assignee": case.assignee, "name": reporter.get("name", ""), "visit_id": case.visit_id,
                "phone": phone if full_phone else mask_phone(phone),
                "received": parse_utc(case.received_at).astimezone(tz).strftime("%d-%m-%Y %H:%M"),
                "due": clock.due.astimezone(tz).strftime("%d-%m-%Y %H:%M"), "clock": clock,
                "outcome": case.outcome, "working_s": case.working_s, "alerted": bool(case.alerted_at),
                "closed": parse_utc(case.closed_at).astimezone(tz).strftime("%d-%m-%Y %H:%M") if case.closed_at else ""}

    def queue(self, office: str, now: datetime | None = None, *, full_phone: bool = False, closed: int = 20) -> dict:
        now = now or _now()
        with self.engine.connect() as conn:
            open_rows = conn.execute(select(complaint_cases).where(
                complaint_cases.c.office == office, complaint_cases.c.status != "closed")
                .order_by(complaint_cases.c.received_at)).all()
            closed_rows = conn.execute(select(complaint_cases).where(
                complaint_cases.c.office == office, complaint_cases.c.status == "closed")
                .order_by(complaint_cases.c.closed_at.desc()).limit(closed)).all()
        cases = [self._present(c, now, full_phone=full_phone) for c in open_rows]
        cases.sort(key=lambda c: (c["clock"].stopped, c["clock"].due))
        return {"open": cases, "closed": [self._present(c, now, full_phone=full_phone) for c in closed_rows]}

    def urgent(self, office: str, now: datetime | None = None) -> tuple[int, int]:
        """(overdue, running out): the office's unanswered cases past the limit, and those past the alert mark
        (2 of the 3 working hours) but not yet over it. Today's page shows them to intel, head and admin."""
        now = now or _now()
        with self.engine.connect() as conn:
            rows = conn.execute(select(complaint_cases.c.received_at, complaint_cases.c.answered_at).where(
                complaint_cases.c.office == office, complaint_cases.c.status == "open",
                complaint_cases.c.answered_at.is_(None))).all()
        levels = [self.clock(r, now).level for r in rows]
        return levels.count("overdue"), levels.count("warn")

    def detail(self, office: str, case_id: str, now: datetime | None = None, *, full_phone: bool = False) -> dict:
        now = now or _now()
        case = self.case_row(office, case_id)
        with self.engine.connect() as conn:
            items = conn.execute(select(complaint_items).where(complaint_items.c.case_id == case_id)
                                 .order_by(complaint_items.c.at, complaint_items.c.direction)).all()
            out = conn.execute(select(wa_outbox.c.idem_key, wa_outbox.c.status, wa_outbox.c.delivery, wa_outbox.c.attempts,
                                      wa_outbox.c.last_error, wa_outbox.c.created_at).where(wa_outbox.c.case_id == case_id)
                               .order_by(wa_outbox.c.created_at)).all()
        tz = self.cal.tz
        return {**self._present(case, now, full_phone=full_phone),
                "items": [{"id": i.id, "direction": i.direction, "kind": i.kind, "actor": i.actor,
                           "at": parse_utc(i.at).astimezone(tz).strftime("%d-%m-%Y %H:%M"),
                           "text": self.keys.decrypt_text(i.body_enc), "evidence": i.evidence_state,
                           "evidence_type": i.evidence_type, "evidence_size": i.evidence_size, "note": i.evidence_note}
                          for i in items],
                "outbox": [dict(r._mapping) for r in out]}

    def counts(self, office: str | None, start: datetime, end: datetime, now: datetime | None = None) -> dict[str, Any]:
        return complaint_counts(self.engine, office, start, end, now=now, cal=self.cal, settings=self.settings)


_RANK = {"": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}


def complaint_counts(engine, office: str | None, start: datetime, end: datetime, *, now: datetime | None = None,
                     cal: WorkingCalendar | None = None, settings=None) -> dict[str, Any]:
    """The service report's figures for cases received in [start, end): met, late (closed), open (with how
    many of them are overdue now), the total and the mean working time to the answer of the closed ones.
    For the reports pages (desk_reports.py): office None counts every office."""
    now = now or _now()
    hours = settings.complaint_hours if settings else 3.0
    cal = cal or (calendar_of(settings) if settings else WorkingCalendar(tz="Asia/Makassar"))
    cond = [complaint_cases.c.received_at >= utc_text(start), complaint_cases.c.received_at < utc_text(end)]
    if office:
        cond.append(complaint_cases.c.office == office)
    with engine.connect() as conn:
        rows = conn.execute(select(complaint_cases.c.status, complaint_cases.c.outcome, complaint_cases.c.working_s,
                                   complaint_cases.c.received_at, complaint_cases.c.answered_at,
                                   complaint_cases.c.channel).where(and_(*cond))).all()
    met = sum(1 for r in rows if r.status == "closed" and r.outcome == "met")
    late = sum(1 for r in rows if r.status == "closed" and r.outcome == "late")
    open_rows = [r for r in rows if r.status != "closed"]
    overdue = 0
    for r in open_rows:
        if r.answered_at is None and now > cal.add_working_time(parse_utc(r.received_at), timedelta(hours=hours)):
            overdue += 1
    times = [r.working_s for r in rows if r.status == "closed" and r.working_s is not None]
    return {"met": met, "late": late, "open": len(open_rows), "open_overdue": overdue, "total": len(rows),
            "whatsapp": sum(1 for r in rows if r.channel == "whatsapp"), "kiosk": sum(1 for r in rows if r.channel == "kiosk"),
            "mean_working_s": int(sum(times) / len(times)) if times else None}


# --- message texts -----------------------------------------------------------------------------------


def local_text(at: datetime, cal: WorkingCalendar) -> str:
    local = at.astimezone(cal.tz)
    return local.strftime("%d-%m-%Y %H.%M ") + (local.tzname() or "")


def ack_text(number: str, due: datetime, cal: WorkingCalendar) -> str:
    return (f"Terima kasih, laporan/pengaduan Anda sudah kami terima dengan nomor {number}. "
            f"Kami menjawab paling lambat {local_text(due, cal)} (3 jam kerja; Senin-Jumat 08.00-16.00, "
            "kecuali hari libur dan cuti bersama). Anda dapat menambahkan keterangan, foto atau PDF di percakapan ini.\n\n"
            f"Thank you, your report/complaint is received as case {number}. We answer by {local_text(due, cal)} "
            "(3 working hours).")


def answer_text(number: str, body: str) -> str:
    return f"Jawaban atas pengaduan {number} / Answer to case {number}:\n\n{body}\n\n— Seksi Intelijen, Kejaksaan"


def template(name: str, lang: str, params: list[str]) -> dict:
    return {"type": "template", "template": {"name": name, "language": {"code": lang}, "components": [
        {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}]}}


def month_range(day: date, tz) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, 1, tzinfo=tz)
    end = datetime(day.year + (day.month == 12), day.month % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


class ComplaintWorker:
    """The central's background work for complaints, once per tick: fetch evidence, send the outbox, alert."""

    ALERT_EVERY = 5  # ticks between two looks for cases past the alert mark (a minute-scale clock)

    def __init__(self, complaints: ComplaintStore) -> None:
        self.complaints = complaints
        self.ticks = 0

    def tick(self, now: datetime | None = None) -> None:
        steps = [self.complaints.fetch_due, self.complaints.send_due]
        if self.ticks % self.ALERT_EVERY == 0:
            steps.append(self.complaints.alert_due)
        self.ticks += 1
        for step in steps:
            try:
                step(now)
            except Exception:  # the database or the provider is away for a moment: the next tick tries again
                log.exception("complaint worker step failed", extra={"step": step.__name__})
