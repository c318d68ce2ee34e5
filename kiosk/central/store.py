"""Storage of the reference central server (SQLAlchemy Core: SQLite by default, any SQLAlchemy URL such as PostgreSQL).

Idempotency: a push is stored together with its Idempotency-Key in one transaction; a repeat of the
key returns the first answer and stores nothing (the key's row counts the replays).
"""
from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError

from kiosk.domain.errors import KioskError
from kiosk.domain.visit import TRANSITIONS, VisitState

meta = MetaData()
visits = Table(
    "visits", meta,
    Column("visit_id", String(36), primary_key=True),
    Column("office", String(32), nullable=False, index=True),
    Column("state", String(16), nullable=False),
    Column("record", Text, nullable=False),  # the national guestbook record as pushed (JSON, without photo)
    Column("photo", LargeBinary, nullable=True),
    Column("loker", Integer, nullable=True),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)
events = Table(
    "events", meta,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("body", Text, nullable=False),
)
feed = Table(
    "feed", meta,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("office", String(32), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("visit_id", String(36), nullable=False),
    Column("item", Text, nullable=False),
)
idempotency = Table(
    "idempotency", meta,
    Column("office", String(32), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("status", Integer, nullable=False),
    Column("response", Text, nullable=False),
    Column("replays", Integer, nullable=False, default=0),
)
hosts = Table(
    "hosts", meta,
    Column("office", String(32), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("nama", String(200), nullable=False),
    Column("bidang", String(200), nullable=False, default=""),
    Column("jabatan", String(200), nullable=False, default=""),
    Column("no_hp", String(20), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
)
notices = Table(
    "notices", meta,
    Column("message_id", String(200), primary_key=True),
    Column("office", String(32), nullable=False),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("host_id", String(64), nullable=False, default=""),
    Column("channel", String(32), nullable=False, default=""),
    Column("status", String(16), nullable=False),
)

_RANK = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}


class Rejected(Exception):
    """A request the contract allows but the data forbids (unknown visit, illegal transition)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def make_engine(url: str):
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record) -> None:
            # Let SQLAlchemy's BEGIN be ours: IMMEDIATE takes the write lock up front, so two pushes
            # of the same key never both pass the "already stored?" check.
            dbapi_conn.isolation_level = None
            dbapi_conn.execute("PRAGMA journal_mode=WAL")
            dbapi_conn.execute("PRAGMA synchronous=FULL")

        @event.listens_for(engine, "begin")
        def _on_begin(conn) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


class CentralDatabaseError(KioskError):
    code = "central_database"

    def __init__(self, url: str, detail: str) -> None:
        where = url.split("://")[0] if "://" in url else url  # the scheme only: a URL may carry a password
        super().__init__(scheme=where, where=where, detail=detail)


def open_engine(url: str):
    """The engine, its tables created; a missing driver, a bad URL or an unreachable server is one clear error."""
    # SQLAlchemy: only the server opens an engine.
    from sqlalchemy.exc import ArgumentError, OperationalError

    try:
        engine = make_engine(url)
        meta.create_all(engine)
    except ModuleNotFoundError as exc:
        raise CentralDatabaseError(url, f"driver '{exc.name}' is not installed (e.g. pip install psycopg2-binary "
                                        "and a URL postgresql+psycopg2://...)") from None
    except ArgumentError as exc:
        raise CentralDatabaseError(url, f"not a database URL ({exc})") from None
    except OperationalError as exc:
        raise CentralDatabaseError(url, str(exc.orig).strip().splitlines()[0]) from None
    return engine


class CentralStore:
    def __init__(self, url: str, public_url: str = "") -> None:
        self.engine = open_engine(url)
        self.public_url = public_url.rstrip("/")

    def photo_url(self, office: str, visit_id: str) -> str:
        return f"{self.public_url}/v1/offices/{office}/visits/{visit_id}/photo"

    # --- idempotent pushes ---

    def _replay(self, conn, office: str, key: str) -> tuple[int, dict] | None:
        row = conn.execute(
            select(idempotency.c.response).where(idempotency.c.office == office, idempotency.c.key == key)
        ).first()
        if row is None:
            return None
        conn.execute(
            idempotency.update()
            .where(idempotency.c.office == office, idempotency.c.key == key)
            .values(replays=idempotency.c.replays + 1)
        )
        return 200, {**json.loads(row[0]), "status": "duplicate"}

    def _idempotent(self, office: str, key: str, work) -> tuple[int, dict]:
        for _ in range(2):
            try:
                with self.engine.begin() as conn:
                    replay = self._replay(conn, office, key)
                    if replay:
                        return replay
                    response = work(conn)
                    conn.execute(
                        idempotency.insert().values(
                            office=office, key=key, status=201, response=json.dumps(response), replays=0
                        )
                    )
                    return 201, response
            except IntegrityError:
                continue  # a concurrent twin won the race (PostgreSQL); the retry replays its answer
        raise Rejected(422, "visit or event already stored under another idempotency key")

    def push_visit(self, office: str, key: str, body: dict[str, Any]) -> tuple[int, dict]:
        def work(conn) -> dict:
            if conn.execute(select(visits.c.visit_id).where(visits.c.visit_id == body["visit_id"])).first():
                raise Rejected(422, "visit_id already stored under another idempotency key")
            photo = base64.b64decode(body["photo"]) if body.get("photo") else None
            record = {k: v for k, v in body.items() if k != "photo"}
            conn.execute(visits.insert().values(
                visit_id=body["visit_id"], office=office, state=body["state"], record=json.dumps(record),
                photo=photo, created_at=body["created_at"], updated_at=body["created_at"],
            ))
            url = self.photo_url(office, body["visit_id"]) if photo else None
            display = {
                "device_id": body["device_id"], "created_at": body["created_at"], "expires_at": body.get("expires_at"),
                "state": body["state"], "purpose": body["purpose"], "host_id": body.get("host_id", ""),
                "nama": body["nama"], "nama_pejabat": body.get("nama_pejabat", ""),
                "no_identitas_akhir": (body.get("no_identitas") or "")[-4:], "instansi": _institution(body),
                "photo_url": url, "loker": None,
            }
            self._feed(conn, office, "visit.registered", body["visit_id"], {"visit": display})
            return {"visit_id": body["visit_id"], "status": "created", "photo_url": url}

        return self._idempotent(office, key, work)

    def push_event(self, office: str, visit_id: str, key: str, body: dict[str, Any]) -> tuple[int, dict]:
        def work(conn) -> dict:
            self._apply_event(conn, office, visit_id, body)
            return {"visit_id": visit_id, "status": "created"}

        return self._idempotent(office, key, work)

    def _apply_event(self, conn, office: str, visit_id: str, body: dict[str, Any]) -> None:
        row = conn.execute(
            select(visits.c.state).where(visits.c.visit_id == visit_id, visits.c.office == office)
        ).first()
        if row is None:
            raise Rejected(404, "unknown visit (push the visit first)")
        current = row[0]
        values: dict[str, Any] = {"updated_at": body["at"]}
        to_state = body.get("to_state")
        if to_state:
            if body.get("from_state") != current or VisitState(to_state) not in TRANSITIONS[VisitState(current)]:
                raise Rejected(422, f"illegal transition: visit is {current}, event moves {body.get('from_state')} -> {to_state}")
            values["state"] = to_state
        data = body.get("data") or {}
        if body["kind"] == "locker_assigned" and isinstance(data.get("door"), int):
            values["loker"] = data["door"]
        if body["kind"] == "host_notified" and data.get("message_id"):
            conn.execute(notices.insert().values(
                message_id=str(data["message_id"]), office=office, visit_id=visit_id,
                host_id=str(data.get("host_id", "")), channel=str(data.get("channel", "")), status="sent",
            ))
        conn.execute(visits.update().where(visits.c.visit_id == visit_id).values(**values))
        conn.execute(events.insert().values(event_id=body["event_id"], visit_id=visit_id, body=json.dumps(body)))
        self._feed(conn, office, "visit.event", visit_id, {"event": body})

    def _feed(self, conn, office: str, kind: str, visit_id: str, item: dict[str, Any]) -> None:
        conn.execute(feed.insert().values(
            office=office, kind=kind, visit_id=visit_id, item=json.dumps({"type": kind, "visit_id": visit_id, **item})
        ))

    # --- host answers and notice statuses ---

    def answer(self, office: str, visit_id: str, accepted: bool, actor: str) -> dict:
        body = {
            "event_id": str(uuid.uuid4()), "kind": "transition", "from_state": "waiting_host",
            "to_state": "accepted" if accepted else "declined", "at": _now(), "actor": actor[:64],
            "device_id": "central", "data": {"via": "central"},
        }
        with self.engine.begin() as conn:
            self._apply_event(conn, office, visit_id, body)
        return self.visit_status(office, visit_id)

    def record_notice_status(self, message_id: str, status: str) -> bool:
        with self.engine.begin() as conn:
            row = conn.execute(select(notices).where(notices.c.message_id == message_id)).first()
            if row is None or _RANK.get(status, 0) <= _RANK.get(row.status, 0):
                return False
            conn.execute(notices.update().where(notices.c.message_id == message_id).values(status=status))
            self._feed(conn, row.office, "notice.status", row.visit_id, {
                "notice": {"message_id": message_id, "host_id": row.host_id, "channel": row.channel, "status": status}
            })
            return True

    def notice(self, message_id: str):
        with self.engine.connect() as conn:
            return conn.execute(select(notices).where(notices.c.message_id == message_id)).first()

    # --- reads ---

    def visit_status(self, office: str, visit_id: str) -> dict:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(visits.c.state, visits.c.updated_at).where(visits.c.visit_id == visit_id, visits.c.office == office)
            ).first()
            if row is None:
                raise Rejected(404, "unknown visit")
            ns = conn.execute(select(notices).where(notices.c.visit_id == visit_id)).all()
        return {
            "visit_id": visit_id, "state": row.state, "updated_at": row.updated_at,
            "notices": [{"message_id": n.message_id, "host_id": n.host_id, "channel": n.channel, "status": n.status} for n in ns],
        }

    def photo(self, office: str, visit_id: str) -> bytes | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(visits.c.photo).where(visits.c.visit_id == visit_id, visits.c.office == office)).first()
        return row[0] if row else None

    def events_since(self, office: str, cursor: int, limit: int) -> tuple[list[dict], str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(feed.c.seq, feed.c.item).where(feed.c.office == office, feed.c.seq > cursor).order_by(feed.c.seq).limit(limit)
            ).all()
        items = [{"cursor": str(r.seq), **json.loads(r.item)} for r in rows]
        return items, str(rows[-1].seq if rows else cursor)

    def hosts(self, office: str) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(hosts).where(hosts.c.office == office, hosts.c.active.is_(True)).order_by(hosts.c.nama)).all()
        return [{"id": r.id, "nama": r.nama, "bidang": r.bidang, "jabatan": r.jabatan, "no_hp": r.no_hp} for r in rows]

    def replace_hosts(self, office: str, items: list[dict]) -> None:
        with self.engine.begin() as conn:
            conn.execute(hosts.delete().where(hosts.c.office == office))
            for h in items:
                conn.execute(hosts.insert().values(office=office, active=True, **h))

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
