"""What the central service does with the data: idempotent pushes, the converged visit state, the feed,
credentials, erasure and retention. Framework-free (SQLAlchemy Core); kiosk/central/app.py is its HTTP face.

Idempotency: a push is stored with its Idempotency-Key and a hash of its request in one transaction. The
same key with the same request answers the first result again (200); the same key with another request
is a conflict (409, with a reason) and changes nothing. A visit or event id already stored under
another key is a repeat when its body is the same (200) and a conflict when it differs (409).
"""
from __future__ import annotations

import hashlib
import io
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from kiosk.central.complaints import (
    forget_cases_of_visits,
    forget_closed_before,
    insert_kiosk_cases,
    kiosk_case_row,
)
from kiosk.central.keys import CentralKeys
from kiosk.central.models import (
    credentials,
    erasures,
    events,
    feed,
    hosts,
    idempotency,
    invitations,
    notices,
    survey_responses,
    visits,
    wa_outbox,
)
from kiosk.domain.convergence import state_key, utc_text, wins
from kiosk.domain.visit import VisitState

_RANK = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}
MAX_PHOTO_PIXELS = 4096 * 4096


class Rejected(Exception):
    """A request the contract allows but the data forbids (unknown visit, conflicting repeat, bad image)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Credential:
    id: str
    office: str
    device_id: str


def now_text() -> str:
    return utc_text(datetime.now(UTC))


def _key_text(key: tuple[int, str, str]) -> str:
    return f"{key[0]}|{key[1]}|{key[2]}"


def _key_tuple(text: str) -> tuple[int, str, str]:
    rank, at, event_id = text.split("|", 2)
    return int(rank), at, event_id


def _hash(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def reencode_photo(data: bytes) -> tuple[bytes, int, int]:
    """The image as a fresh JPEG (no metadata), or Rejected(400) when it is not a real JPEG or PNG."""
    from PIL import Image, UnidentifiedImageError

    if not (data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n")):
        raise Rejected(400, "photo: not a JPEG or PNG image")
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in ("JPEG", "PNG"):
                raise Rejected(400, "photo: not a JPEG or PNG image")
            if img.width * img.height > MAX_PHOTO_PIXELS:
                raise Rejected(400, "photo: larger than 4096x4096 pixels")
            img.load()
            rgb = img.convert("RGB")
    except Rejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise Rejected(400, "photo: the image cannot be decoded") from None
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=85)
    return out.getvalue(), rgb.width, rgb.height


@dataclass
class PushOp:
    """One message to store: a visit or an event of a visit, with its Idempotency-Key (None: not keyed)."""

    op: str
    key: str | None
    visit_id: str
    body: dict[str, Any]
    body_hash: str
    request_hash: str
    photo: bytes | None = None


def _single(answer: dict) -> tuple[int, dict]:
    if "reason" in answer:
        raise Rejected(answer["status"], answer["reason"])
    return answer["status"], answer["result"]


class CentralStore:
    def __init__(self, engine, keys: CentralKeys) -> None:
        self.engine = engine
        self.keys = keys

    # --- credentials ---

    def issue_credential(self, office: str, device_id: str, token: str | None = None) -> tuple[Credential, str]:
        """A new credential for one device of one office; the token is returned once and stored hashed."""
        token = token or "kc1_" + secrets.token_urlsafe(32)
        cred = Credential(str(uuid.uuid4()), office, device_id)
        with self.engine.begin() as conn:
            conn.execute(insert(credentials).values(id=cred.id, office=office, device_id=device_id,
                                                    token_hash=token_hash(token), created_at=now_text()))
        return cred, token

    def revoke_credentials(self, *, credential_id: str = "", office: str = "", device_id: str = "") -> int:
        cond = [credentials.c.revoked_at.is_(None)]
        if credential_id:
            cond.append(credentials.c.id == credential_id)
        else:
            cond += [credentials.c.office == office, credentials.c.device_id == device_id]
        with self.engine.begin() as conn:
            return conn.execute(update(credentials).where(*cond).values(revoked_at=now_text())).rowcount

    def list_credentials(self) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(credentials).order_by(credentials.c.office, credentials.c.device_id)).all()
        return [{"id": r.id, "office": r.office, "device_id": r.device_id, "created_at": r.created_at,
                 "revoked_at": r.revoked_at} for r in rows]

    def credential_for(self, token: str) -> Credential | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(credentials.c.id, credentials.c.office, credentials.c.device_id).where(
                credentials.c.token_hash == token_hash(token), credentials.c.revoked_at.is_(None))).first()
        return Credential(row.id, row.office, row.device_id) if row else None

    def active_credentials(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(credentials).where(credentials.c.revoked_at.is_(None))).scalar_one()

    # --- idempotent pushes: one set-based plan per request (a batch of one for single pushes) ---

    def visit_op(self, key: str | None, body: dict[str, Any]) -> PushOp:
        """A visit push, its inline photo (if any) checked and re-encoded; Rejected(400) for a bad image."""
        import base64

        record = {k: v for k, v in body.items() if k != "photo"}
        photo = reencode_photo(base64.b64decode(body["photo"]))[0] if body.get("photo") else None
        body_hash = _hash(record)
        return PushOp("visit", key, record["visit_id"], record, body_hash, _hash("visit", body_hash, bool(photo)), photo)

    @staticmethod
    def event_op(key: str | None, visit_id: str, body: dict[str, Any]) -> PushOp:
        body_hash = _hash(body)
        return PushOp("event", key, visit_id, body, body_hash, _hash("event", visit_id, body_hash))

    def push_visit(self, office: str, key: str, body: dict[str, Any]) -> tuple[int, dict]:
        return _single(self.apply(office, [self.visit_op(key, body)])[0])

    def push_event(self, office: str, visit_id: str, key: str, body: dict[str, Any]) -> tuple[int, dict]:
        return _single(self.apply(office, [self.event_op(key, visit_id, body)])[0])

    def apply(self, office: str, ops: list[PushOp]) -> list[dict]:
        """Store pushes in one transaction and answer each: {status, result} or {status, reason}. Reads are one
        query per table for the whole request and writes one statement per table, so a batch of 200 costs
        about ten round trips to the database, not a thousand. A concurrent twin that wins a race makes the
        transaction fail on a unique key: it is run again and then answers from what the twin stored."""
        for _ in range(3):
            try:
                with self.engine.begin() as conn:
                    return _Plan(self, conn, office).run(ops)
            except IntegrityError:
                continue
        raise Rejected(409, "concurrent requests stored conflicting messages; try again")

    def _feed_row(self, office: str, kind: str, visit_id: str, item: dict[str, Any]) -> dict:
        return {"office": office, "kind": kind, "visit_id": visit_id, "created_at": now_text(),
                "item_enc": self.keys.encrypt_text(json.dumps({"type": kind, "visit_id": visit_id, **item}))}

    @staticmethod
    def _serialize_feed(conn, office: str) -> None:
        """Devices read an office's feed by cursor (seq). PostgreSQL hands out seqs at insert, not at commit,
        so two writers could commit seq 102 before 101, and a device that read up to 102 would never see
        101. Writers of one office's feed therefore take turns until they commit (a transaction lock)."""
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"kiosk-feed:{office}"})

    def _feed(self, conn, office: str, kind: str, visit_id: str, item: dict[str, Any]) -> None:
        self._serialize_feed(conn, office)
        conn.execute(insert(feed).values(**self._feed_row(office, kind, visit_id, item)))

    # --- photos ---

    def store_photo(self, office: str, visit_id: str, data: bytes) -> tuple[int, int]:
        jpeg, width, height = reencode_photo(data)
        with self.engine.begin() as conn:
            done = conn.execute(update(visits).where(visits.c.visit_id == visit_id, visits.c.office == office)
                                .values(photo_enc=self.keys.encrypt(jpeg))).rowcount
        if not done:
            raise Rejected(404, "unknown visit (push the visit first)")
        return width, height

    def photo(self, office: str, visit_id: str) -> bytes | None:
        with self.engine.connect() as conn:
            blob = conn.execute(select(visits.c.photo_enc).where(visits.c.visit_id == visit_id, visits.c.office == office)).scalar()
        return self.keys.decrypt(blob) if blob else None

    # --- survey answers (SKM) ---

    def push_survey(self, office: str, body: dict[str, Any]) -> tuple[int, dict]:
        """One respondent, idempotent by its response id: the same body again is a duplicate (200), another
        body under the same id a conflict (409)."""
        rid = body["response_id"]
        body_hash = _hash(body)
        row = {"response_id": rid, "office": office, "device_id": body["device_id"],
               "created_at": utc_text(datetime.fromisoformat(body["created_at"])), "visit_id": body.get("visit_id"),
               "source": body.get("source", "kiosk"), "body_hash": body_hash,
               **{f"u{i}": int(v) for i, v in enumerate(body["answers"], 1)},
               **{k: body.get(k, "") for k in ("age_group", "sex", "education", "occupation")},
               "comment_enc": self.keys.encrypt_text(body["comment"]) if body.get("comment") else None}
        for _ in range(2):
            with self.engine.connect() as conn:
                known = conn.execute(select(survey_responses.c.office, survey_responses.c.body_hash).where(
                    survey_responses.c.response_id == rid)).first()
            if known is not None:
                if tuple(known) != (office, body_hash):
                    raise Rejected(409, f"survey response {rid} is already stored with a different body")
                return 200, {"response_id": rid, "status": "duplicate"}
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(survey_responses).values(**row))
                return 201, {"response_id": rid, "status": "created"}
            except IntegrityError:
                continue  # a concurrent twin stored it first: answer from what it stored
        raise Rejected(409, "concurrent requests stored conflicting survey responses; try again")

    # --- host answers and notice statuses ---

    def answer(self, office: str, visit_id: str, accepted: bool, actor: str, via: str = "central") -> dict:
        """The host's answer, recorded at central as an event; a visit already further on keeps its state."""
        return self.record_event(office, visit_id, "transition", actor, from_state="waiting_host",
                                 to_state="accepted" if accepted else "declined", data={"via": via})

    def record_event(self, office: str, visit_id: str, kind: str, actor: str, *, from_state: str | None = None,
                     to_state: str | None = None, data: dict | None = None) -> dict:
        """An event made at central (the web desk, a host's link), stored like a kiosk's push: the state
        follows the precedence rule and every device learns it from the feed."""
        body: dict[str, Any] = {"event_id": str(uuid.uuid4()), "kind": kind,
                                "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
                                "actor": actor[:64], "device_id": "central", "data": data or {"via": "central"}}
        if to_state:
            body.update(from_state=from_state, to_state=to_state)
        _single(self.apply(office, [self.event_op(None, visit_id, body)])[0])
        return self.visit_status(office, visit_id)

    def record_notice_status(self, message_id: str, status: str) -> bool:
        with self.engine.begin() as conn:
            row = conn.execute(select(notices).where(notices.c.message_id == message_id)).first()
            if row is None or _RANK.get(status, 0) <= _RANK.get(row.status, 0):
                return False
            conn.execute(update(notices).where(notices.c.message_id == message_id).values(status=status))
            self._feed(conn, row.office, "notice.status", row.visit_id, {
                "notice": {"message_id": message_id, "host_id": row.host_id, "channel": row.channel, "status": status}})
            return True

    def reminder_notice(self, wamid: str):
        """The desk's reminder to a host (kiosk/central/desk_office.py) sent as `wamid`, shaped like a notice
        (office, visit_id, host_id): its reply buttons answer the visit like the kiosk notice's."""
        from types import SimpleNamespace

        with self.engine.connect() as conn:
            row = conn.execute(select(wa_outbox.c.office, wa_outbox.c.idem_key).where(
                wa_outbox.c.wamid == wamid, wa_outbox.c.idem_key.like("reminder:%"))).first()
        if row is None:
            return None
        visit_id = row.idem_key.split(":")[1]
        record = self.record(row.office, visit_id) or {}
        return SimpleNamespace(office=row.office, visit_id=visit_id, host_id=record.get("host_id", ""))

    def notice(self, message_id: str):
        with self.engine.connect() as conn:
            return conn.execute(select(notices).where(notices.c.message_id == message_id)).first()

    # --- reads ---

    def visit_status(self, office: str, visit_id: str) -> dict:
        with self.engine.connect() as conn:
            row = conn.execute(select(visits.c.state, visits.c.updated_at, visits.c.photo_enc.is_not(None)).where(
                visits.c.visit_id == visit_id, visits.c.office == office)).first()
            if row is None:
                raise Rejected(404, "unknown visit")
            ns = conn.execute(select(notices).where(notices.c.visit_id == visit_id)).all()
        return {
            "visit_id": visit_id, "state": row[0], "updated_at": row[1], "has_photo": bool(row[2]),
            "notices": [{"message_id": n.message_id, "host_id": n.host_id, "channel": n.channel, "status": n.status} for n in ns],
        }

    def last_seq(self, office: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.coalesce(func.max(feed.c.seq), 0)).where(feed.c.office == office)).scalar_one()

    def last_seqs(self, after: int) -> tuple[dict[str, int], int]:
        """Offices whose feed grew past seq `after`, with their newest seq; and the newest seq overall."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(feed.c.office, func.max(feed.c.seq)).where(feed.c.seq > after).group_by(feed.c.office)).all()
        grown = {r[0]: int(r[1]) for r in rows}
        return grown, max([after, *grown.values()])

    def events_since(self, office: str, cursor: int, limit: int) -> tuple[list[dict], str]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(feed.c.seq, feed.c.item_enc).where(feed.c.office == office, feed.c.seq > cursor)
                                .order_by(feed.c.seq).limit(limit)).all()
        items = [{"cursor": str(r.seq), **json.loads(self.keys.decrypt_text(r.item_enc))} for r in rows]
        return items, str(rows[-1].seq if rows else cursor)

    def hosts(self, office: str) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(hosts).where(hosts.c.office == office, hosts.c.active.is_(True)).order_by(hosts.c.nama)).all()
        return [{"id": r.id, "nama": r.nama, "bidang": r.bidang, "jabatan": r.jabatan, "no_hp": r.no_hp} for r in rows]

    def seed_hosts(self, office: str, items: list[dict]) -> int:
        """Add the hosts of a kiosk config whose ids the office does not know yet (`serve --seed-config`):
        what the desk edited or deactivated stays as the desk left it."""
        with self.engine.begin() as conn:
            known = {r[0] for r in conn.execute(select(hosts.c.id).where(hosts.c.office == office))}
            new = [h for h in items if h["id"] not in known]
            for h in new:
                conn.execute(insert(hosts).values(office=office, active=True, updated_at=now_text(), **h))
            if new:
                self._feed(conn, office, "directory.changed", "hosts", {})
        return len(new)

    def feed_note(self, conn, office: str, kind: str, ref_id: str, item: dict[str, Any]) -> None:
        """A feed item that is not a visit's (the directory changed, an invitation issued or revoked), written in
        the caller's transaction; `ref_id` stands where a visit item has its visit id."""
        self._feed(conn, office, kind, ref_id, item)

    def replace_hosts(self, office: str, items: list[dict]) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(hosts).where(hosts.c.office == office))
            for h in items:
                conn.execute(insert(hosts).values(office=office, active=True, **h))

    def record(self, office: str, visit_id: str) -> dict | None:
        """The pushed record of a visit, decrypted (for the office web desk and the tests)."""
        with self.engine.connect() as conn:
            enc = conn.execute(select(visits.c.record_enc).where(visits.c.visit_id == visit_id, visits.c.office == office)).scalar()
        return json.loads(self.keys.decrypt_text(enc)) if enc else None

    # --- erasure and retention ---

    def _delete_visits(self, conn, ids: list[str]) -> int:
        deleted = 0
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            conn.execute(delete(events).where(events.c.visit_id.in_(chunk)))
            conn.execute(delete(feed).where(feed.c.visit_id.in_(chunk)))
            conn.execute(delete(notices).where(notices.c.visit_id.in_(chunk)))
            # Survey answers stay (the SKM counts them) but lose the link to the person's visit.
            conn.execute(update(survey_responses).where(survey_responses.c.visit_id.in_(chunk)).values(visit_id=None))
            forget_cases_of_visits(conn, self.keys, chunk)  # a complaint made at the kiosk keeps only its figures
            deleted += conn.execute(delete(visits).where(visits.c.visit_id.in_(chunk))).rowcount
        return deleted

    def _delete_invitations(self, conn, office: str, ids: list[str]) -> None:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            conn.execute(delete(wa_outbox).where(wa_outbox.c.office == office,
                                                 wa_outbox.c.idem_key.in_([f"invitation:{i}" for i in chunk])))
            conn.execute(delete(invitations).where(invitations.c.office == office, invitations.c.invitation_id.in_(chunk)))
            for inv_id in chunk:  # the office's devices delete their copies
                self._feed(conn, office, "invitation.erased", inv_id, {"invitation": {"id": inv_id}})

    def erase(self, office: str, request_id: str, subject_hash: str | None, visit_ids: list[str]) -> dict:
        """Delete a data subject's visits (by keyed NIK hash and/or ids) with their events, feed items and
        notices; other devices learn it from a `visit.erased` feed item that names the visit only."""
        for _ in range(3):
            try:
                with self.engine.begin() as conn:
                    done = conn.execute(select(erasures.c.visits_deleted).where(
                        erasures.c.office == office, erasures.c.request_id == request_id)).scalar()
                    if done is not None:
                        return {"request_id": request_id, "visits_deleted": done, "status": "duplicate"}
                    cond = [visits.c.visit_id.in_(visit_ids)] if visit_ids else []
                    if subject_hash:
                        cond.append(visits.c.subject_hash == subject_hash)
                    ids = [r[0] for r in conn.execute(select(visits.c.visit_id).where(
                        visits.c.office == office, or_(*cond)))] if cond else []
                    deleted = self._delete_visits(conn, ids)
                    if subject_hash:  # the desk's invitations that named the person, and their queued messages
                        self._delete_invitations(conn, office, [r[0] for r in conn.execute(
                            select(invitations.c.invitation_id).where(invitations.c.office == office,
                                                                     invitations.c.subject_hash == subject_hash))])
                    for vid in ids:
                        self._feed(conn, office, "visit.erased", vid, {})
                    conn.execute(insert(erasures).values(office=office, request_id=request_id, received_at=now_text(),
                                                         visits_deleted=deleted))
                    return {"request_id": request_id, "visits_deleted": deleted, "status": "erased"}
            except IntegrityError:
                continue
        raise Rejected(409, "a concurrent erasure with this request id; try again")

    def purge(self, retention_days: int, now: datetime | None = None) -> dict[str, int]:
        """Delete visits registered more than `retention_days` ago (with their events, notices, photos) and
        feed items and idempotency records older than that."""
        cutoff = utc_text((now or datetime.now(UTC)) - timedelta(days=retention_days))
        counts = {"visits": 0, "feed": 0, "idempotency": 0, "complaints": 0}
        while True:
            with self.engine.begin() as conn:
                ids = [r[0] for r in conn.execute(select(visits.c.visit_id).where(visits.c.created_at < cutoff).limit(2000))]
                if not ids:
                    break
                counts["visits"] += self._delete_visits(conn, ids)
        with self.engine.begin() as conn:
            counts["feed"] = conn.execute(delete(feed).where(feed.c.created_at < cutoff)).rowcount
            # The desk's invitations over since the retention period, and the desk's messages queued before it
            # (a complaint's messages go with its case).
            counts["invitations"] = conn.execute(delete(invitations).where(invitations.c.valid_until < cutoff)).rowcount
            counts["wa_outbox"] = conn.execute(delete(wa_outbox).where(
                wa_outbox.c.created_at < cutoff, wa_outbox.c.case_id.is_(None),
                or_(wa_outbox.c.idem_key.like("invitation:%"), wa_outbox.c.idem_key.like("reminder:%")))).rowcount
            counts["idempotency"] = conn.execute(delete(idempotency).where(idempotency.c.created_at < cutoff)).rowcount
            counts["complaints"] = forget_closed_before(conn, self.keys, cutoff)
        return counts

    def stats(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                "visits": conn.execute(select(func.count()).select_from(visits)).scalar_one(),
                "events": conn.execute(select(func.count()).select_from(events)).scalar_one(),
                "replays": conn.execute(select(func.coalesce(func.sum(idempotency.c.replays), 0))).scalar_one(),
            }


def _institution(body: dict[str, Any]) -> str:
    detail = body.get("detail") or ""
    return detail.split(" - ", 1)[1] if body.get("tipe_tamu") == "Instansi" and " - " in detail else ""

class _Plan:
    """Decides every push of one request against what is stored (read once) and what the request itself
    stores before it, then writes the result with one statement per table."""

    def __init__(self, store: CentralStore, conn, office: str) -> None:
        self.store, self.conn, self.office = store, conn, office
        self.visits: dict[str, dict] = {}
        self.new_visits: list[dict] = []
        self.changed: set[str] = set()
        self.events: dict[str, tuple[str, str]] = {}
        self.new_events: list[dict] = []
        self.notice_ids: set[str] = set()
        self.new_notices: list[dict] = []
        self.feed: list[dict] = []
        self.idem: dict[str, tuple[str, str]] = {}
        self.new_idem: list[dict] = []
        self.replays: list[str] = []
        self.used_invitations: list[tuple[str, str, str]] = []  # (invitation id, visit id, at)
        self.new_cases: list[dict] = []  # complaints made at the kiosk open a case in the intel queue

    def _load(self, ops: list[PushOp]) -> None:
        c, office = self.conn, self.office
        keys = [o.key for o in ops if o.key]
        if keys:
            for r in c.execute(select(idempotency.c.key, idempotency.c.request_hash, idempotency.c.response).where(
                    idempotency.c.office == office, idempotency.c.key.in_(keys))):
                self.idem[r.key] = (r.request_hash, r.response)
        ids = list({o.visit_id for o in ops})
        for r in c.execute(select(visits.c.visit_id, visits.c.office, visits.c.body_hash, visits.c.state, visits.c.state_key,
                                  visits.c.updated_at, visits.c.loker, visits.c.photo_enc.is_not(None).label("has_photo"))
                           .where(visits.c.visit_id.in_(ids))):
            self.visits[r.visit_id] = dict(r._mapping)
        event_ids = [o.body["event_id"] for o in ops if o.op == "event"]
        if event_ids:
            for r in c.execute(select(events.c.event_id, events.c.visit_id, events.c.body_hash).where(events.c.event_id.in_(event_ids))):
                self.events[r.event_id] = (r.visit_id, r.body_hash)
        message_ids = [str(m) for o in ops if o.op == "event" and (m := (o.body.get("data") or {}).get("message_id"))]
        if message_ids:
            self.notice_ids = {r[0] for r in c.execute(select(notices.c.message_id).where(notices.c.message_id.in_(message_ids)))}

    def run(self, ops: list[PushOp]) -> list[dict]:
        self._load(ops)
        answers = []
        for o in ops:
            try:
                answers.append(self._one(o))
            except Rejected as exc:
                answers.append({"status": exc.status, "reason": exc.reason})
        self._write()
        return answers

    def _one(self, o: PushOp) -> dict:
        if o.key:
            known = self.idem.get(o.key)
            if known is not None:
                if known[0] != o.request_hash:
                    first = json.loads(known[1]).get("visit_id", "")
                    raise Rejected(409, f"idempotency key already used for another request (visit {first}); "
                                        "a new message needs a new key")
                self.replays.append(o.key)
                return {"status": 200, "result": {**json.loads(known[1]), "status": "duplicate"}}
        status, result = self._visit(o) if o.op == "visit" else self._event(o)
        if o.key:
            response = json.dumps(result)
            self.idem[o.key] = (o.request_hash, response)
            self.new_idem.append({"office": self.office, "key": o.key, "request_hash": o.request_hash, "status": status,
                                  "response": response, "replays": 0, "created_at": now_text()})
        return {"status": status, "result": result}

    def _visit(self, o: PushOp) -> tuple[int, dict]:
        record, vid, keys = o.body, o.visit_id, self.store.keys
        row = self.visits.get(vid)
        if row is not None:
            if row["office"] != self.office or row["body_hash"] != o.body_hash:
                raise Rejected(409, f"visit {vid} is already stored with a different body")
            return 200, {"visit_id": vid, "status": "duplicate", "state": row["state"], "has_photo": bool(row["has_photo"])}
        created = datetime.fromisoformat(record["created_at"])
        nik = (record.get("no_identitas") or "").strip()
        row = {"visit_id": vid, "office": self.office, "device_id": record["device_id"], "state": record["state"],
               "state_key": _key_text(state_key(record["state"], created)), "created_at": utc_text(created),
               "updated_at": utc_text(created), "record_enc": keys.encrypt_text(json.dumps(record)),
               "body_hash": o.body_hash, "photo_enc": keys.encrypt(o.photo) if o.photo else None,
               "subject_hash": keys.subject_hash(self.office, nik) if nik else None, "loker": None,
               "has_photo": bool(o.photo)}
        self.visits[vid] = row
        self.new_visits.append(row)
        case = kiosk_case_row(keys, self.office, record)
        if case:
            self.new_cases.append(case)
        display = {
            "device_id": record["device_id"], "created_at": record["created_at"], "expires_at": record.get("expires_at"),
            "state": record["state"], "purpose": record["purpose"], "host_id": record.get("host_id", ""),
            "nama": record["nama"], "nama_pejabat": record.get("nama_pejabat", ""),
            "no_identitas_akhir": nik[-4:], "instansi": _institution(record), "loker": None, "has_photo": bool(o.photo),
        }
        self.feed.append(self.store._feed_row(self.office, "visit.registered", vid, {"visit": display, "state": record["state"]}))
        return 201, {"visit_id": vid, "status": "created", "state": record["state"], "has_photo": bool(o.photo)}

    def _event(self, o: PushOp) -> tuple[int, dict]:
        body, vid = o.body, o.visit_id
        row = self.visits.get(vid)
        known = self.events.get(body["event_id"])
        if known is not None:
            if known != (vid, o.body_hash):
                raise Rejected(409, f"event {body['event_id']} is already stored with a different body")
            return 200, {"visit_id": vid, "status": "duplicate", "state": row["state"] if row else None}
        if row is None or row["office"] != self.office:
            raise Rejected(404, "unknown visit (push the visit first)")
        at = datetime.fromisoformat(body["at"])
        row["updated_at"] = max(row["updated_at"], utc_text(at))
        if body.get("to_state"):
            candidate = state_key(VisitState(body["to_state"]), at, body["event_id"])
            if wins(candidate, _key_tuple(row["state_key"])):
                row["state"], row["state_key"] = body["to_state"], _key_text(candidate)
        data = body.get("data") or {}
        door = data.get("door")
        if body["kind"] == "locker_assigned" and isinstance(door, int) and not isinstance(door, bool) and -2**31 <= door < 2**31:
            row["loker"] = door
        message_id = data.get("message_id")
        if body["kind"] == "host_notified" and isinstance(message_id, str | int) and 0 < len(str(message_id)) <= 200 \
                and str(message_id) not in self.notice_ids:
            self.notice_ids.add(str(message_id))
            self.new_notices.append({"message_id": str(message_id), "office": self.office, "visit_id": vid,
                                     "host_id": str(data.get("host_id", ""))[:64], "channel": str(data.get("channel", ""))[:32],
                                     "status": "sent"})
        invitation = data.get("invitation")
        if body["kind"] == "invitation_used" and isinstance(invitation, str) and 0 < len(invitation) <= 16:
            self.used_invitations.append((invitation, vid, utc_text(at)))
        self.changed.add(vid)
        self.events[body["event_id"]] = (vid, o.body_hash)
        self.new_events.append({"event_id": body["event_id"], "visit_id": vid, "office": self.office,
                                "body_hash": o.body_hash, "body": json.dumps(body)})
        self.feed.append(self.store._feed_row(self.office, "visit.event", vid, {"event": body, "state": row["state"]}))
        return 201, {"visit_id": vid, "status": "created", "state": row["state"]}

    def _write(self) -> None:
        from sqlalchemy import bindparam

        c = self.conn
        new_ids = {r["visit_id"] for r in self.new_visits}
        if self.new_visits:
            c.execute(insert(visits), [{k: v for k, v in r.items() if k != "has_photo"} for r in self.new_visits])
        updates = [{"b_vid": v, "b_state": self.visits[v]["state"], "b_key": self.visits[v]["state_key"],
                    "b_updated": self.visits[v]["updated_at"], "b_loker": self.visits[v]["loker"]}
                   for v in sorted(self.changed - new_ids)]
        if updates:
            c.execute(update(visits).where(visits.c.visit_id == bindparam("b_vid")).values(
                state=bindparam("b_state"), state_key=bindparam("b_key"), updated_at=bindparam("b_updated"),
                loker=bindparam("b_loker")), updates)
        if self.new_cases:
            insert_kiosk_cases(c, self.new_cases)
        if self.new_events:
            c.execute(insert(events), self.new_events)
        if self.new_notices:
            c.execute(insert(notices), self.new_notices)
        for inv_id, vid, at in self.used_invitations:  # single use: the first visit that names it takes it
            if c.execute(update(invitations).where(
                    invitations.c.invitation_id == inv_id, invitations.c.office == self.office,
                    invitations.c.used_at.is_(None)).values(used_at=at, used_visit_id=vid)).rowcount:
                self.feed.append(self.store._feed_row(self.office, "invitation.used", inv_id,
                                                      {"invitation": {"id": inv_id, "visit_id": vid}}))
        if self.feed:
            self.store._serialize_feed(c, self.office)
            c.execute(insert(feed), self.feed)
        if self.new_idem:
            c.execute(insert(idempotency), self.new_idem)
        if self.replays:
            c.execute(update(idempotency).where(idempotency.c.office == self.office, idempotency.c.key == bindparam("b_key"))
                      .values(replays=idempotency.c.replays + 1), [{"b_key": k} for k in self.replays])
