"""The desk's office parts: the host directory edited on the desk, the officer's actions on today's list
(remind the host, ask for a reprint) and pre-registration invitations sent by WhatsApp.

Directory: admin and PTSP add, edit and deactivate employees (name, unit, position, WhatsApp number,
optional photo). Numbers are stored as +62... Every change adds a `directory.changed` item to the office's
feed: a kiosk pulling the feed (long poll) then fetches GET /v1/offices/{office}/hosts with its last ETag
(kiosk/sync/pull.py), so an edit reaches the kiosks within one pull and an unchanged directory costs a 304.

Remind the host: the central sends the host the kiosk's notice template again from the office's WhatsApp
number, through the central's durable outbox (`wa_outbox`, sent by the complaint worker:
kiosk/central/complaints.py), with "(pengingat / reminder)" after the host's name so it is never a silent
double; its sent/delivered/read receipts show on the row and its reply buttons answer the visit like the
kiosk notice's. One reminder at a time per visit.

Reprint: a `reprint_requested` event on the visit (device_id: the guest's kiosk), which every device
learns from the feed; the desk shows when it was asked.

Invitations: a host or PTSP officer invites a guest (name, WhatsApp number, optional NIK, purpose, host,
date window). The token is the kiosk's invitation format (kiosk/domain/invitation.py), signed with the
office's invitation key (kiosk/central/keys.py); the QR goes to the guest by WhatsApp through the outbox, as
the template's image header, a signed expiring link to the QR (/desk/qr/...) that the Cloud API fetches.
The kiosks learn the invitation (with the key's public half), its revocation and its use from the feed;
a kiosk's registration that used it (its `invitation_used` event) marks it used at central.
"""
# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.
import hashlib
import hmac
import io
import json
import re
import time as clock
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import insert, select, update

from kiosk.central.models import hosts, invitations, visits, wa_outbox
from kiosk.central.whatsapp import wa_number
from kiosk.domain.convergence import utc_text
from kiosk.domain.invitation import issue_invitation

DIRECTORY_ROLES = ("admin", "ptsp")
INVITE_ROLES = ("admin", "ptsp", "host")
ACT_ROLES = ("admin", "ptsp")
MAX_WINDOW_DAYS = 31
MAX_PHOTO_BYTES = 2_000_000
REMINDER_MARK = "(pengingat / reminder)"
QR_LINK_TTL_S = 24 * 3600
# The kiosk's default purposes (kiosk/config.py DEFAULT_PURPOSES) an invitation may name.
INVITE_PURPOSES = {
    "meet_employee": ("Bertemu pegawai", "Meet an employee"),
    "ptsp_service": ("Layanan PTSP", "PTSP services"),
    "evidence": ("Pengambilan barang bukti", "Collect evidence items"),
    "other": ("Keperluan lain", "Other"),
}

TEXT = {
    "directory": ("Direktori pegawai", "Host directory"),
    "invitations": ("Undangan tamu", "Invitations"),
    "today": ("Tamu hari ini", "Today's guests"),
    "add_host": ("Tambah pegawai", "Add an employee"),
    "edit_host": ("Ubah data pegawai", "Edit employee"),
    "account": ("Akun meja (peran host)", "Desk account (role host)"),
    "account_none": ("— tidak ada —", "— none —"),
    "account_help": ("Akun yang ditautkan hanya melihat tamu dan undangan pegawai ini.",
                     "The linked account sees only this employee's guests and invitations."),
    "link": ("Tautkan", "Link"),
    "linked": ("Akun ditautkan.", "Account linked."),
    "nama": ("Nama", "Name"),
    "unit": ("Bidang / unit", "Unit"),
    "position": ("Jabatan", "Position"),
    "phone": ("Nomor WhatsApp", "WhatsApp number"),
    "photo": ("Foto (opsional)", "Photo (optional)"),
    "save": ("Simpan", "Save"),
    "active": ("Aktif", "Active"),
    "inactive": ("Nonaktif", "Inactive"),
    "deactivate": ("Nonaktifkan", "Deactivate"),
    "activate": ("Aktifkan", "Activate"),
    "edit": ("Ubah", "Edit"),
    "saved": ("Tersimpan. Kios menerima perubahan pada tarikan berikutnya.",
              "Saved. The kiosks get the change on their next pull."),
    "status": ("Status", "Status"),
    "none": ("Belum ada data.", "Nothing yet."),
    "guest_name": ("Nama tamu", "Guest's name"),
    "guest_phone": ("Nomor WhatsApp tamu", "Guest's WhatsApp number"),
    "nik_opt": ("NIK tamu (opsional: bila diisi, KTP harus cocok)", "Guest's NIK (optional: the KTP must match it)"),
    "purpose": ("Keperluan", "Purpose"),
    "host": ("Pegawai yang dituju", "Host"),
    "valid_from": ("Berlaku dari tanggal", "Valid from (date)"),
    "valid_until": ("Sampai dengan tanggal", "Valid until (date)"),
    "invite": ("Kirim undangan", "Send the invitation"),
    "invited": ("Undangan dibuat; QR dikirim lewat WhatsApp.", "Invitation made; the QR goes out by WhatsApp."),
    "revoke": ("Batalkan", "Revoke"),
    "revoked": ("Dibatalkan", "Revoked"),
    "used": ("Sudah dipakai", "Used"),
    "expired": ("Kedaluwarsa", "Expired"),
    "open": ("Berlaku", "Valid"),
    "window": ("Masa berlaku", "Valid"),
    "whatsapp": ("WhatsApp", "WhatsApp"),
    "wa_queued": ("antre", "queued"),
    "wa_sending": ("dikirim", "sending"),
    "wa_sent": ("terkirim", "sent"),
    "wa_delivered": ("diterima HP", "delivered"),
    "wa_read": ("dibaca", "read"),
    "wa_failed": ("gagal", "failed"),
    "wa_unknown": ("belum pasti terkirim", "not known if sent"),
    "remind_sent": ("Pengingat masuk antrean WhatsApp.", "The reminder is queued for WhatsApp."),
    "reprint_sent": ("Permintaan cetak ulang dikirim ke kios.", "The reprint request is sent to the kiosk."),
    "back": ("Kembali", "Back"),
}
ERRORS = {
    "name_empty": ("Nama wajib diisi.", "The name is required."),
    "name_bad": ("Nama hanya boleh berisi huruf, spasi dan tanda . , ' -", "A name has letters, spaces and . , ' - only."),
    "name_long": ("Nama terlalu panjang (maks. 120 karakter).", "The name is too long (at most 120 characters)."),
    "field_long": ("Isian terlalu panjang (maks. 200 karakter).", "The entry is too long (at most 200 characters)."),
    "phone_empty": ("Nomor WhatsApp wajib diisi.", "The WhatsApp number is required."),
    "phone_bad": ("Nomor WhatsApp tidak sah: gunakan nomor seluler Indonesia, mis. 0812-3456-7890 atau +62 812 3456 7890.",
                  "Not a valid WhatsApp number: use an Indonesian mobile number, e.g. 0812-3456-7890 or +62 812 3456 7890."),
    "photo_bad": ("Foto harus JPEG atau PNG, paling besar 2 MB.", "The photo must be a JPEG or PNG of at most 2 MB."),
    "nik_bad": ("NIK tidak sah (16 angka sesuai aturan NIK).", "Not a valid NIK (16 digits by the NIK rules)."),
    "purpose_bad": ("Pilih keperluan.", "Choose a purpose."),
    "host_bad": ("Pilih pegawai yang aktif di direktori.", "Choose an active employee of the directory."),
    "date_bad": ("Tanggal tidak sah: 'sampai' tidak boleh sebelum 'dari', tidak di masa lalu, paling lama 31 hari.",
                 "Invalid dates: 'until' not before 'from', not in the past, at most 31 days."),
    "no_office_number": ("WhatsApp kantor belum diatur (KIOSK_CENTRAL_WA_PHONE_NUMBERS); pesan tidak dapat dikirim.",
                         "The office's WhatsApp number is not set (KIOSK_CENTRAL_WA_PHONE_NUMBERS); nothing can be sent."),
    "no_host_phone": ("Pegawai ini tidak punya nomor WhatsApp di direktori.", "This host has no WhatsApp number in the directory."),
    "reminder_pending": ("Pengingat sebelumnya masih dalam antrean; tunggu sampai terkirim.",
                         "The previous reminder is still queued; wait until it is sent."),
    "not_waiting": ("Tamu ini tidak sedang menunggu tuan rumah.", "This guest is not waiting for the host."),
    "unknown_visit": ("Kunjungan tidak ditemukan.", "No such visit."),
    "unknown_host": ("Pegawai tidak ditemukan.", "No such employee."),
    "unknown_invitation": ("Undangan tidak ditemukan.", "No such invitation."),
    "bad_form": ("Formulir kedaluwarsa; silakan muat ulang halaman.", "The form expired; please reload the page."),
}


class FormError(Exception):
    def __init__(self, field: str, key: str) -> None:
        super().__init__(key)
        self.field = field
        self.key = key


# --- validation ---

_NAME = re.compile(r"[^\W\d_](?:[^\W\d_]|[ .'\-,])*")


def clean_name(text: str, field: str = "nama") -> str:
    name = " ".join(unicodedata.normalize("NFC", text or "").split())
    if not name:
        raise FormError(field, "name_empty")
    if len(name) > 120:
        raise FormError(field, "name_long")
    if len(name) < 2 or not _NAME.fullmatch(name):
        raise FormError(field, "name_bad")
    return name


def clean_text(text: str, field: str) -> str:
    value = " ".join((text or "").split())
    if len(value) > 200:
        raise FormError(field, "field_long")
    return value


def normalize_wa_phone(text: str, field: str = "no_hp") -> str:
    """An Indonesian mobile number as WhatsApp needs it: +628 followed by 7 to 11 digits. Accepts 08..., 628...,
    +62 8..., 8... with spaces, dashes, dots and brackets."""
    raw = re.sub(r"[\s\-.()/]", "", text or "")
    if not raw:
        raise FormError(field, "phone_empty")
    if raw.startswith("+"):
        raw = raw[1:]
        if not raw.startswith("62"):
            raise FormError(field, "phone_bad")
    if not (raw.isascii() and raw.isdigit()):
        raise FormError(field, "phone_bad")
    if raw.startswith("62"):
        national = raw[2:]
    elif raw.startswith("0"):
        national = raw[1:]
    else:
        national = raw
    national = national.removeprefix("0")  # "+62 0812..." as people write it
    if not (national.startswith("8") and 9 <= len(national) <= 12):
        raise FormError(field, "phone_bad")
    return "+62" + national


def clean_nik(text: str) -> str:
    from kiosk.domain.nik import InvalidNIK, is_valid_nik, normalize

    raw = re.sub(r"[\s\-.]", "", text or "")
    if not raw:
        return ""
    try:
        nik = normalize(raw)
    except InvalidNIK:
        raise FormError("nik", "nik_bad") from None
    if not is_valid_nik(nik):
        raise FormError("nik", "nik_bad")
    return nik


def slug_id(name: str) -> str:
    base = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", base.split(",")[0]).strip("-")[:40]
    return base or "pegawai"


def _now() -> datetime:
    return datetime.now(UTC)


# --- the data ---

class OfficeDesk:
    """Directory, invitations and the officer's actions, on the central store's engine (SQLAlchemy Core)."""

    def __init__(self, store, keys, settings, outbox) -> None:
        self.store, self.keys, self.settings = store, keys, settings
        self.outbox = outbox  # the complaints' ComplaintStore: its durable WhatsApp outbox and sender
        self.engine = store.engine

    def office_number(self, office: str, field: str) -> str:
        pid = self.settings.number_of(office)
        if not pid:
            raise FormError(field, "no_office_number")
        return pid

    # directory

    def directory(self, office: str) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(hosts.c.id, hosts.c.nama, hosts.c.bidang, hosts.c.jabatan, hosts.c.no_hp,
                                       hosts.c.active, hosts.c.photo_enc.is_not(None).label("has_photo"),
                                       hosts.c.updated_at).where(hosts.c.office == office)
                                .order_by(hosts.c.active.desc(), hosts.c.nama)).all()
        return [dict(r._mapping) for r in rows]

    def host(self, office: str, host_id: str) -> dict | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(hosts).where(hosts.c.office == office, hosts.c.id == host_id)).first()
        return dict(r._mapping) if r else None

    def save_host(self, office: str, host_id: str | None, values: dict, photo: bytes | None) -> str:
        """Add (host_id None) or change an employee; a directory change goes to the feed in the same transaction."""
        row = {**values, "updated_at": utc_text(_now())}
        if photo is not None:
            row["photo_enc"] = self.keys.encrypt(photo)
        with self.engine.begin() as conn:
            if host_id is None:
                known = {r[0] for r in conn.execute(select(hosts.c.id).where(hosts.c.office == office))}
                base = slug_id(values["nama"])
                host_id, n = base, 2
                while host_id in known:
                    host_id, n = f"{base}-{n}", n + 1
                conn.execute(insert(hosts).values(office=office, id=host_id, active=True, **row))
            else:
                if not conn.execute(update(hosts).where(hosts.c.office == office, hosts.c.id == host_id).values(**row)).rowcount:
                    raise FormError("id", "unknown_host")
            self.store.feed_note(conn, office, "directory.changed", "hosts", {})
        return host_id

    def set_active(self, office: str, host_id: str, active: bool) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(update(hosts).where(hosts.c.office == office, hosts.c.id == host_id).values(
                active=active, updated_at=utc_text(_now()))).rowcount
            if done:
                self.store.feed_note(conn, office, "directory.changed", "hosts", {})
        return bool(done)

    def photo(self, office: str, host_id: str) -> bytes | None:
        with self.engine.connect() as conn:
            enc = conn.execute(select(hosts.c.photo_enc).where(hosts.c.office == office, hosts.c.id == host_id)).scalar()
        return self.keys.decrypt(enc) if enc else None

    # invitations

    def invite(self, office: str, actor: str, *, nama: str, phone: str, nik: str, purpose: str, host: dict,
               valid_from: datetime, valid_until: datetime, window_text: str, qr_link) -> str:
        """Issue, queue the WhatsApp message and tell the kiosks, in one transaction; the invitation's id."""
        pid = self.office_number(office, "no_hp")
        signer = self.keys.invitation_signer(office)
        inv, _token = issue_invitation(signer, office_code=office, valid_from=valid_from, valid_until=valid_until)
        now = utc_text(_now())
        with self.engine.begin() as conn:
            conn.execute(insert(invitations).values(
                invitation_id=inv.invitation_id, office=office, purpose=purpose, host_id=host["id"], host_name=host["nama"],
                record_enc=self.keys.encrypt_text(json.dumps({"nama": nama, "no_hp": phone, "nik": nik})),
                subject_hash=self.keys.subject_hash(office, nik) if nik else None,
                key_id=signer.key_id, valid_from=utc_text(inv.valid_from), valid_until=utc_text(inv.valid_until),
                created_at=now, created_by=actor[:100]))
            params = [nama, host["nama"], INVITE_PURPOSES[purpose][0], window_text, inv.invitation_id]
            self.outbox.enqueue(conn, office, f"invitation:{inv.invitation_id}", pid, wa_number(phone), {
                "type": "template", "template": {
                    "name": self.settings.wa_invitation_template, "language": {"code": self.settings.wa_language},
                    "components": [
                        {"type": "header", "parameters": [{"type": "image", "image": {"link": qr_link(inv.invitation_id)}}]},
                        {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}]}})
            # The kiosks need the NIK to check the guest's KTP against it: the feed item is encrypted at rest
            # and reaches only the office's own credentialed devices (which store it encrypted).
            self.store.feed_note(conn, office, "invitation.issued", inv.invitation_id, {"invitation": {
                "id": inv.invitation_id, "purpose": purpose, "host_id": host["id"], "host_name": host["nama"],
                "nik": nik, "name": nama, "phone": phone,
                "valid_from": inv.valid_from.isoformat(), "valid_until": inv.valid_until.isoformat(),
                "key": {"id": signer.key_id, "public": signer.public_key.raw.hex()}}})
        return inv.invitation_id

    def qr_png(self, office: str, invitation_id: str) -> bytes | None:
        """The QR of an invitation still open (the token is re-signed: Ed25519 signatures are deterministic)."""
        import segno

        with self.engine.connect() as conn:
            r = conn.execute(select(invitations).where(invitations.c.office == office,
                                                       invitations.c.invitation_id == invitation_id)).first()
        if r is None or r.revoked_at or r.used_at or r.valid_until <= utc_text(_now()):
            return None
        _inv, token = issue_invitation(self.keys.invitation_signer(office), office_code=office, invitation_id=invitation_id,
                                       valid_from=datetime.fromisoformat(r.valid_from.replace("Z", "+00:00")),
                                       valid_until=datetime.fromisoformat(r.valid_until.replace("Z", "+00:00")))
        png = io.BytesIO()
        segno.make_qr(token, error="m").save(png, kind="png", scale=8, border=4)
        return png.getvalue()

    def revoke(self, office: str, invitation_id: str, *, only_host: str | None = None) -> bool:
        """Revoke an open invitation (a host account: only one for itself)."""
        mine = [invitations.c.host_id == only_host] if only_host is not None else []
        with self.engine.begin() as conn:
            done = conn.execute(update(invitations).where(
                *mine, invitations.c.office == office, invitations.c.invitation_id == invitation_id,
                invitations.c.revoked_at.is_(None), invitations.c.used_at.is_(None)).values(revoked_at=utc_text(_now()))).rowcount
            if done:
                self.store.feed_note(conn, office, "invitation.revoked", invitation_id, {"invitation": {"id": invitation_id}})
        return bool(done)

    def invitation_host(self, office: str, invitation_id: str) -> str | None:
        """The host an invitation is for (None: no such invitation in the office)."""
        with self.engine.connect() as conn:
            return conn.execute(select(invitations.c.host_id).where(
                invitations.c.office == office, invitations.c.invitation_id == invitation_id)).scalar()

    def invitation_list(self, office: str, limit: int = 200, *, only_host: str | None = None) -> list[dict]:
        """The office's invitations, newest first (a host account sees only those for itself: UU PDP)."""
        mine = [invitations.c.host_id == only_host] if only_host is not None else []
        with self.engine.connect() as conn:
            rows = conn.execute(select(invitations).where(invitations.c.office == office, *mine)
                                .order_by(invitations.c.created_at.desc()).limit(limit)).all()
        keys = [f"invitation:{r.invitation_id}" for r in rows]
        sent = {}
        if keys:
            with self.engine.connect() as conn:
                sent = {o.idem_key.split(":", 1)[1]: o for o in conn.execute(
                    select(wa_outbox.c.idem_key, wa_outbox.c.status, wa_outbox.c.delivery, wa_outbox.c.last_error)
                    .where(wa_outbox.c.idem_key.in_(keys)))}
        now = utc_text(_now())
        out = []
        for r in rows:
            rec = json.loads(self.keys.decrypt_text(r.record_enc))
            status = "revoked" if r.revoked_at else "used" if r.used_at else "expired" if r.valid_until <= now else "open"
            wa = sent.get(r.invitation_id)
            out.append({"id": r.invitation_id, "nama": rec.get("nama", ""), "phone": mask_phone(rec.get("no_hp", "")),
                        "purpose": r.purpose, "host_name": r.host_name, "valid_from": r.valid_from,
                        "valid_until": r.valid_until, "status": status, "nik": bool(rec.get("nik")),
                        "wa": (wa.delivery or wa.status) if wa else "",
                        "wa_error": wa.last_error if wa and wa.status != "sent" else ""})
        return out

    # actions on today's list

    def remind(self, office: str, visit_id: str, photo_url: str, tz) -> None:
        from kiosk.central.desk import PURPOSE_WORDS

        with self.engine.connect() as conn:
            v = conn.execute(select(visits.c.state, visits.c.created_at).where(
                visits.c.office == office, visits.c.visit_id == visit_id)).first()
        rec = self.store.record(office, visit_id) if v else None
        if v is None or rec is None:
            raise FormError("visit", "unknown_visit")
        if v.state not in ("registered", "waiting_host"):
            raise FormError("visit", "not_waiting")
        host = self.host(office, rec.get("host_id") or "")
        if host is None or not wa_number(host["no_hp"]):
            raise FormError("visit", "no_host_phone")
        pid = self.office_number(office, "visit")
        at = datetime.fromisoformat(v.created_at.replace("Z", "+00:00")).astimezone(tz)
        purpose = PURPOSE_WORDS.get(rec.get("purpose", ""), (rec.get("purpose", ""),))[0]
        # The template's words are fixed: the reminder mark rides in the first parameter ("Yth. {{1}},").
        params = [f"{host['nama']} {REMINDER_MARK}", rec.get("nama", ""), purpose, f"{at:%d-%m-%Y %H:%M}", photo_url or "-"]
        with self.engine.begin() as conn:
            earlier = conn.execute(select(wa_outbox.c.status).where(
                wa_outbox.c.office == office, wa_outbox.c.idem_key.like(f"reminder:{visit_id}:%"))).all()
            if any(r.status in ("queued", "sending") for r in earlier):
                raise FormError("visit", "reminder_pending")
            self.outbox.enqueue(conn, office, f"reminder:{visit_id}:{len(earlier) + 1}", pid, wa_number(host["no_hp"]), {
                "type": "template", "template": {
                    "name": self.settings.wa_host_template, "language": {"code": self.settings.wa_language},
                    "components": [
                        {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]},
                        {"type": "button", "sub_type": "quick_reply", "index": "0",
                         "parameters": [{"type": "payload", "payload": f"accept:{visit_id}"}]},
                        {"type": "button", "sub_type": "quick_reply", "index": "1",
                         "parameters": [{"type": "payload", "payload": f"decline:{visit_id}"}]}]}})


def qr_sig(key: bytes, office: str, invitation_id: str, exp: int) -> str:
    return hmac.new(key, f"invitation-qr/{office}/{invitation_id}/{exp}".encode(), hashlib.sha256).hexdigest()[:40]


def mask_phone(phone: str) -> str:
    return phone[:5] + "•" * max(0, len(phone) - 8) + phone[-3:] if len(phone) > 8 else phone


# --- the routes ---

def mount(app, web) -> None:
    from kiosk.central.desk import FLASH

    FLASH.update({"remind_sent": TEXT["remind_sent"], "reprint_sent": TEXT["reprint_sent"], **ERRORS})
    settings, store, keys = web.settings, web.store, web.keys
    office_desk = OfficeDesk(store, keys, settings, app.state.complaints)
    app.state.office_desk = office_desk

    def lang_of(request: Request) -> str:
        return "en" if request.cookies.get("lang") == "en" else "id"

    def words(request: Request):
        i = 1 if lang_of(request) == "en" else 0
        return (lambda k: TEXT[k][i]), (lambda k: ERRORS[k][i])

    def page(request: Request, name: str, status: int = 200, **ctx: Any):
        w, e = words(request)
        return web.render(request, name, status, w=w, e=e, **ctx)

    def back(url: str, note: str = "") -> RedirectResponse:
        return RedirectResponse(url + (f"?note={note}" if note else ""), status_code=303)

    def bad_csrf():
        return Response("bad or missing CSRF token", status_code=403, headers=web.headers)

    # --- directory ---

    def directory_page(request: Request, office: str, user, s, *, error: FormError | None = None, form: dict | None = None,
                       status: int = 200, note: str = ""):
        return page(request, "hosts.html", status, user=user, office=office, csrf=s["c"], rows=office_desk.directory(office),
                    error=error, form=form or {}, note=note)

    @app.get("/desk/{office}/hosts", include_in_schema=False)
    def hosts_page(request: Request, office: str, note: str = ""):
        user, s, refused = web.current(request, office, DIRECTORY_ROLES)
        if refused:
            return refused
        return directory_page(request, office, user, s, note=note if note in TEXT else "")

    async def read_photo(photo: UploadFile | None) -> bytes | None:
        if photo is None or not photo.filename:
            return None
        data = await photo.read(MAX_PHOTO_BYTES + 1)
        if not data:
            return None
        if len(data) > MAX_PHOTO_BYTES:
            raise FormError("photo", "photo_bad")
        from kiosk.central.store import Rejected, reencode_photo

        try:
            return reencode_photo(data)[0]
        except Rejected:
            raise FormError("photo", "photo_bad") from None

    def host_values(nama: str, bidang: str, jabatan: str, no_hp: str) -> dict:
        return {"nama": clean_name(nama), "bidang": clean_text(bidang, "bidang"), "jabatan": clean_text(jabatan, "jabatan"),
                "no_hp": normalize_wa_phone(no_hp)}

    @app.post("/desk/{office}/hosts", include_in_schema=False)
    async def host_add(request: Request, office: str, nama: str = Form(""), bidang: str = Form(""), jabatan: str = Form(""),
                       no_hp: str = Form(""), csrf: str = Form(""), photo: Annotated[UploadFile | None, File()] = None):
        from starlette.concurrency import run_in_threadpool

        user, s, refused = await run_in_threadpool(web.current, request, office, DIRECTORY_ROLES)
        if refused:
            return refused
        if not web.check_csrf(s, csrf):
            return bad_csrf()
        form = {"nama": nama[:300], "bidang": bidang[:300], "jabatan": jabatan[:300], "no_hp": no_hp[:40]}
        try:
            values = host_values(nama, bidang, jabatan, no_hp)
            image = await read_photo(photo)
            host_id = await run_in_threadpool(office_desk.save_host, office, None, values, image)
        except FormError as exc:
            error = exc
            return await run_in_threadpool(lambda: directory_page(request, office, user, s, error=error, form=form, status=400))
        web.desk.audit(office, f"user:{user.name}", None, "host_added", host_id)
        return back(f"/desk/{office}/hosts", "saved")

    @app.get("/desk/{office}/hosts/{host_id}/edit", include_in_schema=False)
    def host_edit_page(request: Request, office: str, host_id: str, note: str = ""):
        user, s, refused = web.current(request, office, DIRECTORY_ROLES)
        if refused:
            return refused
        host = office_desk.host(office, host_id[:64])
        if host is None:
            return page(request, "hosts.html", 404, user=user, office=office, csrf=s["c"], rows=office_desk.directory(office),
                        error=FormError("id", "unknown_host"), form={}, note="")
        return edit_page(request, office, user, s, host, note=note if note in TEXT else "")

    def edit_page(request: Request, office: str, user, s, host: dict, *, status: int = 200, form: dict | None = None,
                  error: FormError | None = None, note: str = ""):
        """The entry's form and, for the admin, the desk account of role host linked to it."""
        accounts = web.desk.host_accounts(office) if user.role == "admin" else []
        return page(request, "host_edit.html", status, user=user, office=office, csrf=s["c"], host=host,
                    form=form or host, error=error, accounts=accounts, note=note,
                    linked=next((a for a in accounts if a.host_id == host["id"]), None))

    @app.post("/desk/{office}/hosts/{host_id}/account", include_in_schema=False)
    def host_account(request: Request, office: str, host_id: str, user_id: str = Form(""), csrf: str = Form("")):
        """The admin links a host account to this entry (or unlinks it: user_id "" ); the account then sees only
        this employee's guests and invitations."""
        user, s, refused = web.current(request, office, ("admin",))
        if refused:
            return refused
        if not web.check_csrf(s, csrf):
            return bad_csrf()
        host = office_desk.host(office, host_id[:64])
        if host is None:
            return back(f"/desk/{office}/hosts")
        if user_id:
            if not web.desk.link_host(office, user_id[:36], host["id"]):
                return forbidden(request, office, user, f"link account {user_id[:36]}")
        else:
            for a in web.desk.host_accounts(office):
                if a.host_id == host["id"]:
                    web.desk.link_host(office, a.id, "")
        web.desk.audit(office, f"user:{user.name}", None, "host_account_linked", f"{host['id']}={user_id[:36]}")
        return back(f"/desk/{office}/hosts/{host['id']}/edit", "linked")

    @app.post("/desk/{office}/hosts/{host_id}", include_in_schema=False)
    async def host_save(request: Request, office: str, host_id: str, nama: str = Form(""), bidang: str = Form(""),
                        jabatan: str = Form(""), no_hp: str = Form(""), csrf: str = Form(""),
                        photo: Annotated[UploadFile | None, File()] = None):
        from starlette.concurrency import run_in_threadpool

        user, s, refused = await run_in_threadpool(web.current, request, office, DIRECTORY_ROLES)
        if refused:
            return refused
        if not web.check_csrf(s, csrf):
            return bad_csrf()
        host = await run_in_threadpool(office_desk.host, office, host_id[:64])
        if host is None:
            return back(f"/desk/{office}/hosts")
        form = {"nama": nama[:300], "bidang": bidang[:300], "jabatan": jabatan[:300], "no_hp": no_hp[:40]}
        try:
            values = host_values(nama, bidang, jabatan, no_hp)
            image = await read_photo(photo)
            await run_in_threadpool(office_desk.save_host, office, host["id"], values, image)
        except FormError as exc:
            return edit_page(request, office, user, s, host, status=400, form=form, error=exc)
        web.desk.audit(office, f"user:{user.name}", None, "host_changed", host["id"])
        return back(f"/desk/{office}/hosts", "saved")

    @app.post("/desk/{office}/hosts/{host_id}/active", include_in_schema=False)
    def host_active(request: Request, office: str, host_id: str, active: str = Form(""), csrf: str = Form("")):
        user, s, refused = web.current(request, office, DIRECTORY_ROLES)
        if refused:
            return refused
        if not web.check_csrf(s, csrf):
            return bad_csrf()
        if office_desk.set_active(office, host_id[:64], active == "1"):
            web.desk.audit(office, f"user:{user.name}", None, "host_activated" if active == "1" else "host_deactivated",
                           host_id[:64])
        return back(f"/desk/{office}/hosts", "saved")

    @app.get("/desk/{office}/hosts/{host_id}/photo", include_in_schema=False)
    def host_photo(request: Request, office: str, host_id: str):
        user, s, refused = web.current(request, office, INVITE_ROLES + ("intel", "head"))
        if refused:
            return refused
        data = office_desk.photo(office, host_id[:64])
        if not data:
            return Response(status_code=404, headers=web.headers)
        return Response(data, media_type="image/jpeg", headers={**web.headers, "Cache-Control": "private, max-age=60"})

    # --- actions on today's list ---

    def today_url(office: str, note: str = "", error: str = "") -> str:
        q = f"?note={note}" if note else f"?error={error}" if error else ""
        return f"/desk/{office}/today{q}"

    @app.post("/desk/{office}/visits/{visit_id}/remind", include_in_schema=False)
    def remind(request: Request, office: str, visit_id: str, csrf: str = Form("")):
        user, s, refused = web.current(request, office, ACT_ROLES)
        if refused:
            return refused
        if not web.check_csrf(s, csrf):
            return bad_csrf()
        from kiosk.central.store import Rejected

        try:
            st = store.visit_status(office, visit_id)
        except Rejected:
            return RedirectResponse(today_url(office, error="unknown_visit"), status_code=303)
        photo = web.photo_link(request, office, visit_id) if st.get("has_photo") else ""
        try:
            office_desk.remind(office, visit_id, photo, web.tz)
        except FormError as exc:
            return RedirectResponse(today_url(office, error=exc.key), status_code=303)
        web.desk.audit(office, f"user:{user.name}", visit_id, "host_reminded")
        return RedirectResponse(today_url(office, note="remind_sent"), status_code=303)

    @app.post("/desk/{office}/visits/{visit_id}/reprint", include_in_schema=False)
    def reprint(request: Request, office: str, visit_id: str, csrf: str = Form("")):
        from kiosk.central.store import Rejected

        user, s, refused = web.current(request, office, ACT_ROLES)
        if refused:
            return refused
        if not web.check_csrf(s, csrf):
            return bad_csrf()
        with store.engine.connect() as conn:
            device = conn.execute(select(visits.c.device_id).where(visits.c.office == office,
                                                                   visits.c.visit_id == visit_id)).scalar()
        if device is None:
            return RedirectResponse(today_url(office, error="unknown_visit"), status_code=303)
        try:
            store.record_event(office, visit_id, "reprint_requested", f"desk:{user.name}",
                               data={"via": "desk", "device_id": device})
        except Rejected:
            return RedirectResponse(today_url(office, error="unknown_visit"), status_code=303)
        web.desk.audit(office, f"user:{user.name}", visit_id, "reprint_requested")
        return RedirectResponse(today_url(office, note="reprint_sent"), status_code=303)

    # --- invitations ---

    def qr_link(request: Request, office: str, invitation_id: str) -> str:
        """A signed link to the invitation's QR image (valid a day): the Cloud API fetches it for the message."""
        exp = int(clock.time()) + QR_LINK_TTL_S
        base = settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
        return f"{base}/desk/qr/{office}/{invitation_id}?exp={exp}&sig={qr_sig(keys.host_link_key, office, invitation_id, exp)}"

    @app.get("/desk/qr/{office}/{invitation_id}", include_in_schema=False)
    def invitation_qr(office: str, invitation_id: str, exp: int = 0, sig: str = ""):
        invitation_id = invitation_id[:16]
        if exp < clock.time() or not hmac.compare_digest(sig[:64], qr_sig(keys.host_link_key, office, invitation_id, exp)):
            return Response("the link expired or is not valid", status_code=403, headers=web.headers)
        png = office_desk.qr_png(office, invitation_id)
        if png is None:  # revoked, used or over: no QR any more
            return Response("no such invitation", status_code=404, headers=web.headers)
        return Response(png, media_type="image/png", headers={**web.headers, "Cache-Control": "private, max-age=300"})

    def own_only(user) -> str | None:
        """A host account sees, makes and revokes only the invitations for its own directory entry ("" when it is
        not linked yet: none); PTSP and admin see the office's."""
        return user.host_id if user.role == "host" else None

    def forbidden(request: Request, office: str, user, what: str):
        web.desk.audit(office, f"user:{user.name}", None, "refused", what[:200])
        return page(request, "forbidden.html", 403, user=user)

    def invitations_page(request: Request, office: str, user, s, *, error: FormError | None = None,
                         form: dict | None = None, status: int = 200, note: str = ""):
        today = datetime.now(web.tz).date()
        only = own_only(user)
        active_hosts = [h for h in office_desk.directory(office) if h["active"] and only in (None, h["id"])]
        i = 1 if lang_of(request) == "en" else 0
        return page(request, "invitations.html", status, user=user, office=office, csrf=s["c"],
                    rows=office_desk.invitation_list(office, only_host=only), hosts=active_hosts, error=error, note=note,
                    purposes=[(k, v[i]) for k, v in INVITE_PURPOSES.items()],
                    form=form or {"valid_from": today.isoformat(), "valid_until": today.isoformat(), "purpose": "meet_employee"},
                    local=lambda t: datetime.fromisoformat(t.replace("Z", "+00:00")).astimezone(web.tz).strftime("%d-%m-%Y"),
                    can_revoke=True)

    @app.get("/desk/{office}/invitations", include_in_schema=False)
    def invitations_get(request: Request, office: str, note: str = ""):
        user, s, refused = web.current(request, office, INVITE_ROLES)
        if refused:
            return refused
        return invitations_page(request, office, user, s, note=note if note in TEXT else "")

    def parse_window(start: str, end: str) -> tuple[datetime, datetime, str]:
        try:
            d0, d1 = date.fromisoformat(start.strip()[:10]), date.fromisoformat(end.strip()[:10])
        except ValueError:
            raise FormError("valid_from", "date_bad") from None
        today = datetime.now(web.tz).date()
        if d1 < d0 or d1 < today or (d1 - d0).days >= MAX_WINDOW_DAYS or (d0 - today).days > 365:
            raise FormError("valid_until", "date_bad")
        valid_from = datetime.combine(max(d0, today) if d0 < today else d0, time(0), web.tz).astimezone(UTC)
        valid_until = datetime.combine(d1 + timedelta(days=1), time(0), web.tz).astimezone(UTC)
        text = f"{d0:%d-%m-%Y}" if d0 == d1 else f"{d0:%d-%m-%Y} s.d. {d1:%d-%m-%Y}"
        return valid_from, valid_until, text

    @app.post("/desk/{office}/invitations", include_in_schema=False)
    def invitations_post(request: Request, office: str, nama: str = Form(""), no_hp: str = Form(""), nik: str = Form(""),
                         purpose: str = Form(""), host_id: str = Form(""), valid_from: str = Form(""),
                         valid_until: str = Form(""), csrf: str = Form("")):
        user, s, refused = web.current(request, office, INVITE_ROLES)
        if refused:
            return refused
        if not web.check_csrf(s, csrf):
            return bad_csrf()
        if own_only(user) is not None and (not user.host_id or host_id[:64] != user.host_id):
            return forbidden(request, office, user, f"invite as host {host_id[:64]}")  # a host invites only as themselves
        form = {"nama": nama[:300], "no_hp": no_hp[:40], "nik": nik[:40], "purpose": purpose[:40], "host_id": host_id[:64],
                "valid_from": valid_from[:20], "valid_until": valid_until[:20]}
        try:
            name = clean_name(nama)
            phone = normalize_wa_phone(no_hp)
            nik_ok = clean_nik(nik)
            if purpose not in INVITE_PURPOSES:
                raise FormError("purpose", "purpose_bad")
            host = office_desk.host(office, host_id[:64])
            if host is None or not host["active"]:
                raise FormError("host_id", "host_bad")
            start, end, window = parse_window(valid_from, valid_until)
        except FormError as exc:
            return invitations_page(request, office, user, s, error=exc, form=form, status=400)
        try:
            inv_id = office_desk.invite(office, f"user:{user.name}", nama=name, phone=phone, nik=nik_ok, purpose=purpose,
                                        host=host, valid_from=start, valid_until=end, window_text=window,
                                        qr_link=lambda i: qr_link(request, office, i))
        except FormError as exc:
            return invitations_page(request, office, user, s, error=exc, form=form, status=400)
        web.desk.audit(office, f"user:{user.name}", None, "invitation_issued", inv_id)
        return back(f"/desk/{office}/invitations", "invited")

    @app.post("/desk/{office}/invitations/{invitation_id}/revoke", include_in_schema=False)
    def invitation_revoke(request: Request, office: str, invitation_id: str, csrf: str = Form("")):
        user, s, refused = web.current(request, office, INVITE_ROLES)
        if refused:
            return refused
        if not web.check_csrf(s, csrf):
            return bad_csrf()
        only = own_only(user)
        if only is not None and office_desk.invitation_host(office, invitation_id[:16]) != (only or None):
            return forbidden(request, office, user, f"revoke invitation {invitation_id[:16]}")
        if office_desk.revoke(office, invitation_id[:16], only_host=only):
            web.desk.audit(office, f"user:{user.name}", None, "invitation_revoked", invitation_id[:16])
        return back(f"/desk/{office}/invitations")
