"""The office web desk on the central service: per-office accounts with roles, log-in sessions, today's guests
live for the PTSP officer, and the host's signed answer page. Server-rendered (Jinja2) with a little plain JS
that long-polls the live list on the office feed; no build chain.

Security: passwords are argon2id hashes; the session is a signed cookie (HttpOnly, SameSite=Strict) that
carries a CSRF token every POST form must repeat; five wrong passwords lock the account for 15 minutes; a
user only ever sees their own office (403 otherwise); every guest record shown or changed leaves an audit
row (who, when, which visit, what). Actions become events through the same path the kiosk API uses.
"""
# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.
import hashlib
import hmac
import json
import secrets
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from kiosk.central.models import desk_audit, desk_users, events, notices, visits, wa_outbox
from kiosk.domain.convergence import utc_text
from kiosk.domain.errors import KioskError

ROLES = ("ptsp", "host", "intel", "head", "admin", "kejati", "national")
# Read-only across offices (reports, aggregates only): a Kejati account reads the offices of its scope, a
# national one every office. Their `office` is their own code (e.g. KEJATI-BALI, NASIONAL), used to log in.
SCOPE_ROLES = ("kejati", "national")
ACTING_ROLES = ("ptsp", "admin")  # may record the host's answer and check a guest out
LIST_ROLES = ("ptsp", "admin", "intel", "head")
# A host account linked to its directory entry sees its own guests today and records its own answer (403 otherwise).
TODAY_ROLES = LIST_ROLES + ("host",)
ANSWER_ROLES = ACTING_ROLES + ("host",)
COMPLAINT_ROLES = ("intel", "head", "admin")  # see the complaints queue; today's page shows them the overdue cases
MAX_FAILED = 5
LOCK_S = 15 * 60
SESSION_S = 12 * 3600
LIVE_WAIT_S = 20.0  # the live list's long poll: at most this long without a redraw (minutes waited tick)
TEMPLATES = Path(__file__).resolve().parent / "templates"


class DeskUserError(KioskError):
    code = "desk_user"

    def __init__(self, reason: str, *, role: str = "", name: str = "", office: str = "") -> None:
        # unknown_role | short_password | exists | scope | host_link | host_unknown
        super().__init__(reason=reason, role=role, roles=", ".join(ROLES), name=name, office=office)
        self.reason = reason

    @property
    def text_key(self) -> str:
        return f"{self.code}.{self.reason}"


@dataclass(frozen=True)
class DeskUser:
    id: str
    office: str
    name: str
    role: str
    scope: tuple[str, ...] = ()  # kejati: the offices it reads; national: ("*",)
    host_id: str = ""  # role host: the host-directory entry it is (its own guests and invitations only)

    def sees_host(self, host_id: str) -> bool:
        """May this account see (and act on) a guest or invitation of this host? A host account only its own."""
        return self.role != "host" or (bool(self.host_id) and host_id == self.host_id)

    def reads(self, office: str) -> bool:
        """May this account read the office's reports (its own, or one in its cross-office scope)?"""
        if self.role in SCOPE_ROLES:
            return self.scope == ("*",) or office in self.scope or office == self.office
        return office == self.office


def _user(row) -> DeskUser:
    scope = tuple((row.scope or "").split()) if "scope" in row._fields else ()
    return DeskUser(row.id, row.office, row.name, row.role, scope, (row.host_id or "") if "host_id" in row._fields else "")


def _now() -> datetime:
    return datetime.now(UTC)


class DeskStore:
    """Accounts, log-in checks, the audit log and today's list (SQLAlchemy Core; keys to decrypt records)."""

    def __init__(self, engine, keys) -> None:
        self.engine = engine
        self.keys = keys
        from argon2 import PasswordHasher

        self._hasher = PasswordHasher()
        self._dummy = self._hasher.hash("not a password of anyone")

    def add_user(self, office: str, name: str, role: str, password: str, scope=(), host_id: str = "") -> DeskUser:
        if role not in ROLES:
            raise DeskUserError("unknown_role", role=role)
        if host_id:
            self._check_host(office, role, host_id)
        if len(password) < 10:
            raise DeskUserError("short_password")
        scope = ("*",) if role == "national" else tuple(dict.fromkeys(o.strip().upper() for o in scope if o.strip()))
        if (role == "kejati") != bool(scope) and role != "national":
            raise DeskUserError("scope")
        user = DeskUser(str(uuid.uuid4()), office, name, role, scope, host_id)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(desk_users).values(id=user.id, office=office, name=name, role=role, failed=0,
                                                       scope=" ".join(scope) or None, host_id=host_id or None,
                                                       password_hash=self._hasher.hash(password), created_at=utc_text(_now())))
        except IntegrityError:
            raise DeskUserError("exists", name=name, office=office) from None
        return user

    def _check_host(self, office: str, role: str, host_id: str) -> None:
        from kiosk.central.models import hosts

        if role != "host":
            raise DeskUserError("host_link")
        with self.engine.connect() as conn:
            known = conn.execute(select(hosts.c.id).where(hosts.c.office == office, hosts.c.id == host_id)).first()
        if known is None:
            raise DeskUserError("host_unknown", name=host_id, office=office)

    def host_accounts(self, office: str) -> list[DeskUser]:
        """The office's accounts of role host (the directory page links them to entries)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(desk_users).where(desk_users.c.office == office, desk_users.c.role == "host")
                                .order_by(desk_users.c.name)).all()
        return [_user(r) for r in rows]

    def link_host(self, office: str, user_id: str, host_id: str) -> bool:
        """Link a host account to a directory entry ("" unlinks); an entry has at most one account."""
        if host_id:
            self._check_host(office, "host", host_id)
        with self.engine.begin() as conn:
            if host_id:
                conn.execute(update(desk_users).where(desk_users.c.office == office, desk_users.c.host_id == host_id,
                                                      desk_users.c.id != user_id).values(host_id=None))
            done = conn.execute(update(desk_users).where(
                desk_users.c.office == office, desk_users.c.id == user_id, desk_users.c.role == "host").values(
                host_id=host_id or None)).rowcount
        return bool(done)

    def visit_host(self, office: str, visit_id: str) -> str | None:
        """The host id of a visit of the office (None: no such visit)."""
        with self.engine.connect() as conn:
            enc = conn.execute(select(visits.c.record_enc).where(visits.c.office == office,
                                                                 visits.c.visit_id == visit_id)).scalar()
        return None if enc is None else json.loads(self.keys.decrypt_text(enc)).get("host_id", "") or ""

    def login(self, office: str, name: str, password: str) -> tuple[DeskUser | None, str]:
        """(user, "") on success; (None, reason) with reason "wrong" or "locked"."""
        from argon2.exceptions import InvalidHashError, VerificationError

        with self.engine.connect() as conn:
            row = conn.execute(select(desk_users).where(desk_users.c.office == office, desk_users.c.name == name)).first()
        if row is None:
            with suppress(VerificationError):
                self._hasher.verify(self._dummy, password)  # the same work as for a real account
            return None, "wrong"
        now = _now()
        if row.locked_until and row.locked_until > utc_text(now):
            return None, "locked"
        try:
            self._hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            failed = row.failed + 1
            locked = utc_text(now + timedelta(seconds=LOCK_S)) if failed >= MAX_FAILED else None
            with self.engine.begin() as conn:
                conn.execute(update(desk_users).where(desk_users.c.id == row.id).values(
                    failed=0 if locked else failed, locked_until=locked))
            self.audit(office, f"user:{name}", None, "login_failed", "locked" if locked else f"{failed} wrong")
            return None, "locked" if locked else "wrong"
        with self.engine.begin() as conn:
            conn.execute(update(desk_users).where(desk_users.c.id == row.id).values(failed=0, locked_until=None))
        self.audit(office, f"user:{name}", None, "login")
        return _user(row), ""

    def user(self, user_id: str) -> DeskUser | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(desk_users).where(desk_users.c.id == user_id)).first()
        return _user(row) if row else None

    def audit(self, office: str, actor: str, visit_id: str | None, action: str, detail: str = "") -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(desk_audit).values(office=office, actor=actor[:100], at=utc_text(_now()), visit_id=visit_id,
                                                   action=action, detail=detail[:200]))

    def audit_seen(self, office: str, actor: str, visit_ids: list[str], day_start: str) -> None:
        """One `seen` row per visit and user per day: the list polls every second and must not flood the log."""
        if not visit_ids:
            return
        with self.engine.begin() as conn:
            done = {r[0] for r in conn.execute(select(desk_audit.c.visit_id).where(
                desk_audit.c.office == office, desk_audit.c.actor == actor, desk_audit.c.action == "seen",
                desk_audit.c.at >= day_start, desk_audit.c.visit_id.in_(visit_ids)))}
            rows = [{"office": office, "actor": actor, "at": utc_text(_now()), "visit_id": v, "action": "seen", "detail": ""}
                    for v in visit_ids if v not in done]
            if rows:
                conn.execute(insert(desk_audit), rows)

    def audit_rows(self, office: str) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(desk_audit).where(desk_audit.c.office == office).order_by(desk_audit.c.seq)).all()
        return [dict(r._mapping) for r in rows]

    def today(self, office: str, since: datetime) -> list[dict]:
        """The office's visits registered since `since`, newest first, with the notice status; NIK masked."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(visits.c.visit_id, visits.c.state, visits.c.created_at, visits.c.updated_at,
                                       visits.c.record_enc, visits.c.loker).where(
                visits.c.office == office, visits.c.created_at >= utc_text(since)).order_by(visits.c.created_at.desc())).all()
            ids = [r.visit_id for r in rows]
            notice: dict[str, str] = {}
            reminders: dict[str, str] = {}  # the newest reminder (kiosk/central/desk_office.py): its outbox state
            reprints: dict[str, str] = {}
            if ids:
                for n in conn.execute(select(notices.c.visit_id, notices.c.status).where(notices.c.visit_id.in_(ids))):
                    notice[n.visit_id] = n.status
                for o in conn.execute(select(wa_outbox.c.idem_key, wa_outbox.c.status, wa_outbox.c.delivery).where(
                        wa_outbox.c.office == office, wa_outbox.c.idem_key.like("reminder:%"),
                        wa_outbox.c.created_at >= utc_text(since)).order_by(wa_outbox.c.created_at)):
                    vid = o.idem_key.split(":")[1]
                    reminders[vid] = o.delivery or o.status
                reprints = {e.visit_id: e.body for e in conn.execute(select(events.c.visit_id, events.c.body).where(
                    events.c.visit_id.in_(ids), events.c.body.contains('"reprint_requested"')).order_by(events.c.seq))}
        out = []
        for r in rows:
            rec = json.loads(self.keys.decrypt_text(r.record_enc))
            out.append({"visit_id": r.visit_id, "state": r.state, "created_at": r.created_at, "updated_at": r.updated_at,
                        "nama": rec.get("nama", ""), "purpose": rec.get("purpose", ""), "detail": rec.get("detail", ""),
                        "host": rec.get("nama_pejabat", ""), "host_id": rec.get("host_id", ""),
                        "nik": mask_nik(rec.get("no_identitas") or ""), "loker": r.loker, "notice": notice.get(r.visit_id, ""),
                        "reminder": reminders.get(r.visit_id, ""), "reprint_at": _event_at(reprints.get(r.visit_id))})
        return out


def _event_at(body: str | None) -> str:
    """The time (UTC text) of a stored event body, or "" (the desk shows when a reprint was asked)."""
    if not body:
        return ""
    try:
        return json.loads(body).get("at", "") or ""
    except ValueError:
        return ""


def mask_nik(nik: str) -> str:
    nik = nik.strip()
    return "•" * max(0, len(nik) - 4) + nik[-4:] if nik else ""


# --- words (Indonesian first, English second) ---

STATE_WORDS = {
    "registered": ("Terdaftar", "Registered"),
    "waiting_host": ("Menunggu tuan rumah", "Waiting for the host"),
    "accepted": ("Diterima", "Accepted"),
    "declined": ("Ditolak", "Declined"),
    "inside": ("Di dalam", "Inside"),
    "checked_out": ("Sudah keluar", "Checked out"),
    "cancelled": ("Dibatalkan", "Cancelled"),
    "expired": ("Kedaluwarsa", "Expired"),
}
PURPOSE_WORDS = {
    "meet_employee": ("Bertemu pegawai", "Meet an employee"),
    "ptsp": ("Layanan PTSP", "PTSP service"),
    "pengaduan": ("Pengaduan", "Complaint"),
    "complaint": ("Pengaduan", "Complaint"),
    "visit_detainee": ("Kunjungan tahanan", "Detainee visit"),
    "legal_consultation": ("Konsultasi hukum", "Legal consultation"),
    "other": ("Lainnya", "Other"),
}
NOTICE_WORDS = {"sent": ("terkirim", "sent"), "delivered": ("diterima HP", "delivered"), "read": ("dibaca", "read"),
                "failed": ("gagal", "failed"), "queued": ("antre", "queued"), "sending": ("dikirim", "sending"),
                "unknown": ("belum pasti terkirim", "not known if sent")}
TEXT = {
    "title": ("Meja Layanan Tamu", "Guest desk"),
    "login": ("Masuk", "Log in"),
    "logout": ("Keluar", "Log out"),
    "office": ("Kantor", "Office"),
    "name": ("Nama pengguna", "User name"),
    "password": ("Kata sandi", "Password"),
    "wrong": ("Nama atau kata sandi salah.", "Wrong name or password."),
    "locked": ("Akun dikunci 15 menit karena terlalu banyak salah kata sandi.",
               "Account locked for 15 minutes after too many wrong passwords."),
    "expired_form": ("Formulir kedaluwarsa; silakan coba lagi.", "The form expired; please try again."),
    "today": ("Tamu hari ini", "Today's guests"),
    "guest": ("Tamu", "Guest"),
    "state": ("Status", "State"),
    "waited": ("Menunggu", "Waited"),
    "minutes": ("menit", "min"),
    "host": ("Tuan rumah", "Host"),
    "purpose": ("Keperluan", "Purpose"),
    "actions": ("Tindakan", "Actions"),
    "accept": ("Terima", "Accept"),
    "decline": ("Tolak", "Decline"),
    "late": ("Saya terlambat", "I will be late"),
    "checkout": ("Keluar (check-out)", "Check out"),
    "host_answer": ("Catat jawaban tuan rumah:", "Record the host's answer:"),
    "host_link": ("Tautan tuan rumah", "Host link"),
    "none_today": ("Belum ada tamu hari ini.", "No guests yet today."),
    "complaints_overdue": ("pengaduan lewat batas 3 jam kerja", "complaints past the 3 working hours"),
    "complaints_warn": ("pengaduan sudah lewat 2 dari 3 jam kerja", "complaints past 2 of the 3 working hours"),
    "to_queue": ("Buka antrean pengaduan", "Open the complaints queue"),
    "own_guests": ("Hanya tamu untuk Anda yang ditampilkan.", "Only your own guests are shown."),
    "unlinked": ("Akun Anda belum ditautkan ke direktori tuan rumah: minta admin menautkannya.",
                 "Your account is not linked to the host directory yet: ask the admin to link it."),
    "live": ("Diperbarui otomatis", "Updates live"),
    "notice": ("Pemberitahuan", "Notice"),
    "forbidden": ("Anda tidak berhak membuka halaman ini.", "You may not open this page."),
    "link_bad": ("Tautan ini kedaluwarsa atau tidak sah.", "This link expired or is not valid."),
    "host_title": ("Tamu untuk Anda", "A guest for you"),
    "answered": ("Terima kasih, jawaban Anda sudah dicatat:", "Thank you, your answer is recorded:"),
    "late_noted": ("Petugas PTSP diberi tahu bahwa Anda terlambat.", "The PTSP officer is told you will be late."),
    "no_photo": ("Tidak ada foto", "No photo"),
    "lang_other": ("English", "Bahasa Indonesia"),
    "complaints": ("Pengaduan", "Complaints"),
    "inside_now": ("Di dalam kantor sekarang", "Inside the office now"),
    "nav_inside": ("Di dalam kantor", "Inside now"),
    "reports": ("Laporan", "Reports"),
    "nav_directory": ("Direktori pegawai", "Host directory"),
    "nav_invitations": ("Undangan tamu", "Invitations"),
    "remind": ("Ingatkan tuan rumah", "Remind the host"),
    "reprint": ("Minta cetak ulang", "Ask for a reprint"),
    "reminder": ("Pengingat", "Reminder"),
    "reprint_asked": ("Cetak ulang diminta", "Reprint asked"),
}
# Short messages a desk page shows after an action (?note=key or ?error=key), added by the desk's parts.
FLASH: dict[str, tuple[str, str]] = {}


def words(lang: str):
    i = 1 if lang == "en" else 0

    def t(key: str) -> str:
        return TEXT[key][i]

    def state(s: str) -> str:
        return STATE_WORDS.get(s, (s, s))[i]

    def purpose(p: str) -> str:
        return PURPOSE_WORDS.get(p, (p, p))[i]

    def notice(n: str) -> str:
        return NOTICE_WORDS.get(n, (n, n))[i] if n else ""

    return t, state, purpose, notice


# --- signatures ---

def landing(user: DeskUser) -> str:
    """The page a user starts on: today's list, or the reports for the read-only cross-office accounts."""
    return f"/desk/{user.office}/reports" if user.role in SCOPE_ROLES else f"/desk/{user.office}/today"


def host_link_sig(key: bytes, office: str, visit_id: str, expires: int) -> str:
    return hmac.new(key, f"host/{office}/{visit_id}/{expires}".encode(), hashlib.sha256).hexdigest()[:40]


def host_link_path(key: bytes, office: str, visit_id: str, ttl_s: int, now: float | None = None) -> str:
    expires = int((now or time.time()) + ttl_s)
    return f"/desk/host/{office}/{visit_id}?exp={expires}&sig={host_link_sig(key, office, visit_id, expires)}"


@dataclass(frozen=True)
class DeskWeb:
    """What a part of the desk (a module under kiosk/central/desk_*.py with `mount(app, web)`) needs to serve
    pages: the collaborators and the shared request helpers of `mount_desk`."""

    store: Any
    desk: DeskStore
    keys: Any
    settings: Any
    photo_link: Any
    tz: ZoneInfo
    headers: dict
    render: Any  # (request, template, status=200, **ctx) -> HTMLResponse
    current: Any  # (request, office, roles=LIST_ROLES) -> (user, session, refused response)
    check_csrf: Any  # (session, token) -> bool
    day_start: Any  # () -> UTC datetime of today's local midnight
    env: Any  # the Jinja2 environment (templates under kiosk/central/templates)
    who: Any = None  # (request) -> (user, session), (None, None) without a valid session


# The desk's parts beyond today's list: each module has `mount(app, web: DeskWeb)`.
DESK_PARTS: tuple[str, ...] = ("kiosk.central.desk_complaints", "kiosk.central.desk_reports",
                               "kiosk.central.desk_office")


def mount_desk(app, *, store, desk: DeskStore, keys, settings, photo_link, feed_wait=None) -> None:
    """Add the desk's routes to the central app. Collaborators: the central store (events through the
    convergence path), the desk store, the keys (session and host-link signatures), the settings, the
    function that signs photo links and the feed's long-poll wait (async (office, since, timeout)), which
    lets the live list answer as soon as a kiosk pushes instead of on the next poll."""
    from itsdangerous import BadSignature, URLSafeTimedSerializer
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from starlette.concurrency import run_in_threadpool

    from kiosk.central.store import Rejected

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    serializer = URLSafeTimedSerializer(keys.desk_session_key, salt="desk-session")
    tz = ZoneInfo(settings.timezone)
    secure = settings.public_url.startswith("https://")
    headers = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "no-referrer",
               "Content-Security-Policy": "default-src 'self'; img-src 'self'; style-src 'self' 'unsafe-inline'; "
                                          "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"}

    def lang_of(request: Request) -> str:
        return "en" if request.cookies.get("lang") == "en" else "id"

    def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        lang = lang_of(request)
        t, state_w, purpose_w, notice_w = words(lang)
        html = env.get_template(name).render(t=t, state_w=state_w, purpose_w=purpose_w, notice_w=notice_w, lang=lang,
                                             path=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
                                             **ctx)
        return HTMLResponse(html, status_code=status, headers=headers)

    def session(request: Request) -> dict | None:
        raw = request.cookies.get("desk_session")
        if not raw:
            return None
        try:
            return serializer.loads(raw, max_age=SESSION_S)
        except BadSignature:
            return None

    def current(request: Request, office: str, roles=LIST_ROLES) -> tuple[DeskUser | None, dict | None, Response | None]:
        s = session(request)
        if s is None:
            return None, None, RedirectResponse(f"/desk/login?office={office}", status_code=303)
        user = desk.user(s["u"])
        if user is None:
            return None, None, RedirectResponse("/desk/login", status_code=303)
        if user.office != office or user.role not in roles:
            return None, None, render(request, "forbidden.html", 403, user=user)
        return user, s, None

    def who(request: Request) -> tuple[DeskUser | None, dict | None]:
        s = session(request)
        user = desk.user(s["u"]) if s else None
        return (user, s) if user else (None, None)

    def check_csrf(s: dict, token: str) -> bool:
        return bool(token) and hmac.compare_digest(s.get("c", ""), token)

    def day_start() -> datetime:
        local = datetime.now(tz).replace(hour=0, minute=0, second=0, microsecond=0)
        return local.astimezone(UTC)

    # --- log-in ---

    @app.get("/desk/", include_in_schema=False)
    @app.get("/desk", include_in_schema=False)
    def desk_home(request: Request):
        s = session(request)
        user = desk.user(s["u"]) if s else None
        if user is None:
            return RedirectResponse("/desk/login", status_code=303)
        return RedirectResponse(landing(user), status_code=303)

    def login_page(request: Request, office: str = "", error: str = "", status: int = 200) -> HTMLResponse:
        token = secrets.token_urlsafe(24)
        resp = render(request, "login.html", status, office=office, error=error, csrf=token)
        resp.set_cookie("desk_login", token, httponly=True, samesite="strict", secure=secure, max_age=3600, path="/desk")
        return resp

    @app.get("/desk/login", include_in_schema=False)
    def login_form(request: Request, office: str = ""):
        return login_page(request, office[:32])

    @app.post("/desk/login", include_in_schema=False)
    def login(request: Request, office: str = Form(""), name: str = Form(""), password: str = Form(""),
              csrf: str = Form("")):
        office, name = office.strip().upper()[:32], name.strip()[:64]
        pre = request.cookies.get("desk_login", "")
        if not pre or not hmac.compare_digest(pre, csrf):
            return login_page(request, office, "expired_form", 400)
        user, why = desk.login(office, name, password[:1000])
        if user is None:
            return login_page(request, office, why, 401 if why == "wrong" else 423)
        token = serializer.dumps({"u": user.id, "c": secrets.token_urlsafe(24)})
        resp = RedirectResponse(landing(user), status_code=303)
        resp.set_cookie("desk_session", token, httponly=True, samesite="strict", secure=secure, max_age=SESSION_S, path="/desk")
        resp.delete_cookie("desk_login", path="/desk")
        return resp

    @app.post("/desk/logout", include_in_schema=False)
    def logout(request: Request, csrf: str = Form("")):
        s = session(request)
        if s is None or not check_csrf(s, csrf):
            return Response("bad form", status_code=400)
        resp = RedirectResponse("/desk/login", status_code=303)
        resp.delete_cookie("desk_session", path="/desk")
        return resp

    @app.get("/desk/lang/{lang}", include_in_schema=False)
    def set_lang(lang: str, next: str = "/desk/"):
        target = next if next.startswith("/desk/") and "//" not in next and "\\" not in next else "/desk/"
        resp = RedirectResponse(target, status_code=303)
        resp.set_cookie("lang", "en" if lang == "en" else "id", samesite="strict", max_age=365 * 86400, path="/")
        return resp

    # --- today's guests ---

    def rows_for(user: DeskUser, office: str) -> list[dict]:
        start = day_start()
        rows = [r for r in desk.today(office, start) if user.sees_host(r["host_id"])]
        now = _now()
        for r in rows:
            created = datetime.fromisoformat(r["created_at"].replace("Z", "+00:00"))
            r["waited"] = max(0, int((now - created).total_seconds() // 60)) if r["state"] == "waiting_host" else None
            r["time"] = created.astimezone(tz).strftime("%H:%M")
            if r["reprint_at"]:
                r["reprint_at"] = datetime.fromisoformat(r["reprint_at"]).astimezone(tz).strftime("%H:%M")
            # Signed on the minute, so the fragment stays the same between polls and the rows are not redrawn.
            r["host_link"] = host_link_path(keys.host_link_key, office, r["visit_id"], settings.photo_link_ttl_s,
                                            now=time.time() // 60 * 60)
        desk.audit_seen(office, f"user:{user.name}", [r["visit_id"] for r in rows], utc_text(start))
        return rows

    @app.get("/desk/{office}/today", include_in_schema=False)
    async def today(request: Request, office: str):
        user, s, refused = await run_in_threadpool(current, request, office, TODAY_ROLES)
        if refused:
            return refused
        seq = await run_in_threadpool(store.last_seq, office)
        rows = await run_in_threadpool(rows_for, user, office)
        i = 1 if lang_of(request) == "en" else 0
        note, error = request.query_params.get("note", ""), request.query_params.get("error", "")
        flash = (FLASH[note][i], False) if note in FLASH else (FLASH[error][i], True) if error in FLASH else None
        complaints = getattr(request.app.state, "complaints", None)
        urgent = (0, 0)
        if complaints is not None and user.role in COMPLAINT_ROLES:  # overdue complaints shown where the day starts
            urgent = await run_in_threadpool(complaints.urgent, office)
        return render(request, "today.html", user=user, office=office, rows=rows, csrf=s["c"],
                      can_act=user.role in ACTING_ROLES, can_answer=user.role in ANSWER_ROLES, seq=seq, flash=flash,
                      overdue=urgent[0], running_out=urgent[1])

    @app.get("/desk/{office}/today/rows", include_in_schema=False)
    async def today_rows(request: Request, office: str, since: int = -1, wait: float = 0):
        """The live list's rows. With `since` (the office's feed seq the page shows) and `wait`, a long poll:
        it answers when the feed passes `since` (a kiosk pushed, a host answered) or after at most
        LIVE_WAIT_S, so the minutes waited still tick. The seq goes back in X-Feed-Seq; an unchanged
        fragment is 304 by its ETag, so an idle desk does not download the whole list again."""
        user, s, refused = await run_in_threadpool(current, request, office, TODAY_ROLES)
        if refused:
            return Response(status_code=401 if isinstance(refused, RedirectResponse) else 403, headers=headers)
        if feed_wait is not None and since >= 0 and wait > 0:
            await feed_wait(office, since, min(float(wait), LIVE_WAIT_S))
        seq = await run_in_threadpool(store.last_seq, office)  # before the rows: a later change is never lost
        rows = await run_in_threadpool(rows_for, user, office)
        resp = render(request, "rows.html", user=user, office=office, rows=rows, csrf=s["c"],
                      can_act=user.role in ACTING_ROLES, can_answer=user.role in ANSWER_ROLES)
        etag = '"' + hashlib.sha256(resp.body).hexdigest()[:32] + '"'
        extra = {"X-Feed-Seq": str(seq), "ETag": etag}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={**headers, **extra})
        resp.headers.update(extra)
        return resp

    def act(request: Request, office: str, visit_id: str, csrf: str, do, roles=ACTING_ROLES) -> Response:
        user, s, refused = current(request, office, roles)
        if refused:
            return refused
        if not check_csrf(s, csrf):
            return Response("bad or missing CSRF token", status_code=403, headers=headers)
        if user.role == "host":  # only a guest of their own: another host's visit (or a forged id) is 403
            owner = desk.visit_host(office, visit_id[:36])
            if owner is None or not user.sees_host(owner):
                desk.audit(office, f"user:{user.name}", None, "refused", f"not own visit {visit_id[:36]}")
                return render(request, "forbidden.html", 403, user=user)
        try:
            action, detail = do(f"desk:{user.name}")
        except Rejected as exc:
            return Response(exc.reason, status_code=exc.status, headers=headers)
        desk.audit(office, f"user:{user.name}", visit_id, action, detail)
        return RedirectResponse(f"/desk/{office}/today", status_code=303)

    @app.post("/desk/{office}/visits/{visit_id}/answer", include_in_schema=False)
    def record_answer(request: Request, office: str, visit_id: str, answer: str = Form(""), csrf: str = Form("")):
        if answer not in ("accept", "decline"):
            return Response("answer must be accept or decline", status_code=400, headers=headers)

        def do(actor):
            store.answer(office, visit_id, answer == "accept", actor, via="desk")
            return "answered", answer
        return act(request, office, visit_id, csrf, do, ANSWER_ROLES)

    @app.post("/desk/{office}/visits/{visit_id}/checkout", include_in_schema=False)
    def checkout(request: Request, office: str, visit_id: str, csrf: str = Form("")):
        def do(actor):
            store.record_event(office, visit_id, "transition", actor, to_state="checked_out", from_state="inside",
                               data={"via": "desk"})
            return "checked_out", ""
        return act(request, office, visit_id, csrf, do)

    # --- the host's signed page (no log-in; the link is the credential for this one visit) ---

    def link_ok(office: str, visit_id: str, exp: int, sig: str) -> bool:
        return exp >= time.time() and hmac.compare_digest(sig, host_link_sig(keys.host_link_key, office, visit_id, exp))

    def host_view(request: Request, office: str, visit_id: str, exp: int, sig: str, done: str = "") -> HTMLResponse:
        rec = desk_record(office, visit_id)
        if rec is None:
            return render(request, "host.html", 404, bad=True)
        st = store.visit_status(office, visit_id)
        photo = photo_link(request, office, visit_id) if st.get("has_photo") else ""
        if photo:  # same origin as the page (the CSP allows images from 'self' only)
            parts = urlsplit(photo)
            photo = f"{parts.path}?{parts.query}"
        return render(request, "host.html", bad=False, office=office, visit_id=visit_id, exp=exp, sig=sig, done=done,
                      nama=rec.get("nama", ""), purpose=rec.get("purpose", ""), detail=rec.get("detail", ""),
                      state=st["state"], photo=photo)

    def desk_record(office: str, visit_id: str) -> dict | None:
        try:
            return store.record(office, visit_id)
        except Exception:  # a malformed id is simply no visit
            return None

    @app.get("/desk/host/{office}/{visit_id}", include_in_schema=False)
    def host_page(request: Request, office: str, visit_id: str, exp: int = 0, sig: str = ""):
        if not link_ok(office, visit_id, exp, sig[:64]):
            return render(request, "host.html", 403, bad=True)
        resp = host_view(request, office, visit_id, exp, sig)
        if resp.status_code == 200:
            desk.audit(office, "host-link", visit_id, "seen")
        return resp

    @app.post("/desk/host/{office}/{visit_id}", include_in_schema=False)
    def host_answer(request: Request, office: str, visit_id: str, exp: int = Form(0), sig: str = Form(""),
                    answer: str = Form("")):
        if not link_ok(office, visit_id, exp, sig[:64]) or answer not in ("accept", "decline", "late"):
            return render(request, "host.html", 403, bad=True)
        try:
            if answer == "late":
                store.record_event(office, visit_id, "host_late", "host-link", data={"via": "host-link"})
            else:
                store.answer(office, visit_id, answer == "accept", "host-link", via="host-link")
        except Rejected:
            return render(request, "host.html", 404, bad=True)
        desk.audit(office, "host-link", visit_id, "answered", answer)
        return host_view(request, office, visit_id, exp, sig, done=answer)

    @app.get("/desk/static/desk.js", include_in_schema=False)
    def desk_js():
        return Response((TEMPLATES / "desk.js").read_text(), media_type="text/javascript",
                        headers={"Cache-Control": "max-age=300"})

    import importlib

    web = DeskWeb(store=store, desk=desk, keys=keys, settings=settings, photo_link=photo_link, tz=tz, headers=headers,
                  render=render, current=current, check_csrf=check_csrf, day_start=day_start, env=env,
                  who=who)
    for part in DESK_PARTS:
        importlib.import_module(part).mount(app, web)
