"""The Head of Intelligence's complaint queue on the web desk (seed 004, seed 002): open cases with the
working-hours clock (used of the 3 hours, due time, amber from the alert mark, red when overdue), the case
page with the reporter's messages and evidence (signed, expiring, same-origin links), assign / answer /
close, and the service report's counts. The answer goes back by WhatsApp through the outbox
(kiosk/central/complaints.py).

Roles: intel and admin act; the office head (Kajari) reads (the reporter's number masked). Every case
seen or changed leaves an audit row.
"""
# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.
import hashlib
import hmac
import time
from datetime import date, datetime, timedelta

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from kiosk.central.complaints import WRITTEN_NOTICE, ComplaintError, hm, month_range
from kiosk.central.models import desk_audit, desk_users
from kiosk.domain.convergence import utc_text

QUEUE_ROLES = ("intel", "head", "admin")
ACT_ROLES = ("intel", "admin")
EVIDENCE_TTL_S = 15 * 60

TEXT = {
    "complaints": ("Pengaduan", "Complaints"),
    "queue": ("Antrean pengaduan", "Complaint queue"),
    "case": ("Pengaduan", "Case"),
    "number": ("Nomor", "Number"),
    "reporter": ("Pelapor", "Reporter"),
    "channel": ("Saluran", "Channel"),
    "received": ("Diterima", "Received"),
    "clock": ("Jam kerja terpakai", "Working time used"),
    "of": ("dari", "of"),
    "due": ("Batas jawab", "Answer by"),
    "assignee": ("Ditangani", "Assigned to"),
    "status": ("Status", "Status"),
    "open_none": ("Tidak ada pengaduan terbuka.", "No open complaints."),
    "erase_title": ("Hapus data pelapor atas permintaannya (UU PDP)", "Erase a reporter's data on request (UU PDP)"),
    "erase_help": ("Nomor WhatsApp pelapor: nomor, nama, semua pesan dan bukti dihapus; nomor kasus, waktu dan "
                   "tepat/terlambat tetap untuk laporan. Kasus yang masih terbuka ditutup.",
                   "The reporter's WhatsApp number: number, name, every message and the evidence are deleted; the case "
                   "number, times and on time/late stay for the reports. Open cases are closed."),
    "erase_phone": ("Nomor WhatsApp pelapor", "Reporter's WhatsApp number"),
    "erase_confirm": ("Saya sudah memastikan permintaan ini datang dari pemilik nomor", "I have checked the request "
                      "comes from the number's owner"),
    "erase": ("Hapus data pelapor", "Erase the reporter's data"),
    "erased": ("Data pelapor dihapus dari kasus:", "The reporter's data was erased from the cases:"),
    "erased_none": ("Tidak ada kasus dari nomor itu.", "No case from that number."),
    "erase_bad": ("Nomor WhatsApp tidak sah, atau konfirmasi belum dicentang.",
                  "Not a WhatsApp number, or the confirmation is not ticked."),
    "alert_overdue": ("pengaduan melewati batas 3 jam kerja!", "complaints are past the 3 working hours!"),
    "alert_warn": ("pengaduan sudah memakai 2 dari 3 jam kerja.", "complaints have used 2 of the 3 working hours."),
    "closed_recent": ("Baru ditutup", "Recently closed"),
    "messages": ("Pesan", "Messages"),
    "answer": ("Jawaban untuk pelapor (dikirim lewat WhatsApp)", "Answer to the reporter (sent by WhatsApp)"),
    "send": ("Kirim jawaban", "Send answer"),
    "assign": ("Tugaskan", "Assign"),
    "close": ("Tutup pengaduan", "Close case"),
    "evidence": ("Bukti", "Evidence"),
    "evidence_pending": ("bukti sedang diambil…", "evidence being fetched…"),
    "evidence_refused": ("bukti ditolak", "evidence refused"),
    "open_pdf": ("Buka PDF", "Open PDF"),
    "outbox": ("Pesan WhatsApp keluar", "WhatsApp messages out"),
    "report": ("Laporan layanan pengaduan", "Complaint service report"),
    "month": ("Bulan", "Month"),
    "met": ("Tepat waktu", "On time"),
    "late": ("Terlambat", "Late"),
    "open": ("Terbuka", "Open"),
    "overdue_now": ("terbuka & lewat batas", "open & overdue"),
    "total": ("Jumlah", "Total"),
    "mean": ("Rata-rata jam kerja sampai jawaban", "Mean working time to answer"),
    "back": ("Kembali ke antrean", "Back to the queue"),
    "today": ("Tamu hari ini", "Today's guests"),
    "outcome": ("Hasil", "Outcome"),
    "stopped": ("dijawab", "answered"),
    "me": ("saya", "me"),
    "written": WRITTEN_NOTICE,
    "bad": ("Permintaan tidak sah.", "Invalid request."),
}
STATUS = {"open": ("Terbuka", "Open"), "answered": ("Sudah dijawab", "Answered"), "closed": ("Ditutup", "Closed")}
LEVEL = {"ok": ("Dalam waktu", "On time"), "warn": ("Hampir habis", "Running out"), "overdue": ("Lewat batas", "Overdue"),
         "met": ("Tepat waktu", "On time"), "late": ("Terlambat", "Late")}
OUTBOX = {"queued": ("antre", "queued"), "sending": ("mengirim", "sending"), "sent": ("terkirim", "sent"),
          "failed": ("gagal", "failed"), "unknown": ("tidak pasti", "unknown"), "delivered": ("diterima HP", "delivered"),
          "read": ("dibaca", "read")}
KIND = {"ack": ("Tanda terima", "Acknowledgement"), "answer": ("Jawaban", "Answer"),
        "alert": ("Peringatan ke Kasi Intel", "Alert to the intel head")}
CHANNEL = {"whatsapp": ("WhatsApp", "WhatsApp"), "kiosk": ("Kiosk", "Kiosk")}


def words(lang: str):
    i = 1 if lang == "en" else 0

    def c(key: str, table: str = "") -> str:
        src = {"status": STATUS, "level": LEVEL, "outbox": OUTBOX, "channel": CHANNEL, "kind": KIND}.get(table, TEXT)
        return src.get(key, (key, key))[i]

    return c


def evidence_sig(key: bytes, office: str, case_id: str, item_id: str, exp: int) -> str:
    return hmac.new(key, f"evidence/{office}/{case_id}/{item_id}/{exp}".encode(), hashlib.sha256).hexdigest()[:40]


def mount(app, web) -> None:
    complaints = app.state.complaints
    desk, keys = web.desk, web.keys

    def page(request: Request, name: str, status: int = 200, **ctx):
        lang = "en" if request.cookies.get("lang") == "en" else "id"
        return web.render(request, name, status, c=words(lang), hm=hm,
                          hm_seconds=lambda sec: hm(timedelta(seconds=sec)), **ctx)

    def evidence_link(office: str, case_id: str, item_id: str) -> str:
        exp = int(time.time() // 60 * 60) + EVIDENCE_TTL_S
        sig = evidence_sig(keys.host_link_key, office, case_id, item_id, exp)
        return f"/desk/{office}/complaints/{case_id}/evidence/{item_id}?exp={exp}&sig={sig}"

    def acting_users(office: str) -> list[str]:
        with desk.engine.connect() as conn:
            return [r[0] for r in conn.execute(select(desk_users.c.name).where(
                desk_users.c.office == office, desk_users.c.role.in_(ACT_ROLES)).order_by(desk_users.c.name))]

    @app.get("/desk/{office}/complaints", include_in_schema=False)
    async def queue(request: Request, office: str):
        user, s, refused = await run_in_threadpool(web.current, request, office, QUEUE_ROLES)
        if refused:
            return refused

        def load():
            q = complaints.queue(office, full_phone=user.role in ACT_ROLES)
            now = datetime.now(web.tz)
            counts = complaints.counts(office, *month_range(now.date(), web.tz))
            # The page refreshes itself: one row per user and day, with the cases then open.
            with desk.engine.connect() as conn:
                seen = conn.execute(select(desk_audit.c.seq).where(
                    desk_audit.c.office == office, desk_audit.c.actor == f"user:{user.name}",
                    desk_audit.c.action == "complaints_seen", desk_audit.c.at >= utc_text(web.day_start()))).first()
            if seen is None:
                desk.audit(office, f"user:{user.name}", None, "complaints_seen",
                           "open: " + " ".join(x["number"] for x in q["open"]))
            return q, counts

        q, counts = await run_in_threadpool(load)
        overdue = sum(1 for x in q["open"] if x["clock"].level == "overdue")
        warn = sum(1 for x in q["open"] if x["clock"].level == "warn")
        erased = request.query_params.get("erased")
        erased = None if erased is None else [n for n in erased.split(",") if n.startswith("ADU-")][:50]
        return page(request, "complaints.html", user=user, office=office, csrf=s["c"], q=q, overdue=overdue, warn=warn,
                    counts=counts, month=datetime.now(web.tz).strftime("%Y-%m"), can_act=user.role in ACT_ROLES,
                    erased=erased, erase_bad=request.query_params.get("erase") == "bad")

    @app.post("/desk/{office}/complaints/erase", include_in_schema=False)
    def erase_reporter(request: Request, office: str, phone: str = Form(""), confirm: str = Form(""),
                       csrf: str = Form("")):
        """A WhatsApp reporter asks to be forgotten (UU PDP): intel or admin erase them by their number."""
        user, s, refused = web.current(request, office, ACT_ROLES)
        if refused:
            return refused
        if not web.check_csrf(s, csrf):
            return Response("bad or missing CSRF token", status_code=403, headers=web.headers)
        if confirm != "1":
            return RedirectResponse(f"/desk/{office}/complaints?erase=bad", status_code=303)
        try:
            numbers = complaints.erase_reporter(office, phone)
        except ComplaintError:
            return RedirectResponse(f"/desk/{office}/complaints?erase=bad", status_code=303)
        desk.audit(office, f"user:{user.name}", None, "reporter_erased",
                   f"{len(numbers)} cases: " + " ".join(numbers))
        return RedirectResponse(f"/desk/{office}/complaints?erased=" + ",".join(numbers), status_code=303)

    @app.get("/desk/{office}/complaints/report", include_in_schema=False)
    async def report(request: Request, office: str, month: str = ""):
        user, s, refused = await run_in_threadpool(web.current, request, office, QUEUE_ROLES)
        if refused:
            return refused
        try:
            day = date.fromisoformat(month + "-01") if month else datetime.now(web.tz).date()
        except ValueError:
            return page(request, "forbidden.html", 400, user=user)
        counts = await run_in_threadpool(complaints.counts, office, *month_range(day, web.tz))
        return page(request, "complaint_report.html", user=user, office=office, csrf=s["c"], counts=counts,
                    month=day.strftime("%Y-%m"))

    @app.get("/desk/{office}/complaints/{case_id}", include_in_schema=False)
    async def case_page(request: Request, office: str, case_id: str):
        user, s, refused = await run_in_threadpool(web.current, request, office, QUEUE_ROLES)
        if refused:
            return refused

        def load():
            try:
                d = complaints.detail(office, case_id[:36], full_phone=user.role in ACT_ROLES)
            except ComplaintError:
                return None, []
            names = acting_users(office)
            desk.audit(office, f"user:{user.name}", None, "complaint_seen", f"case {d['number']}")
            return d, names

        d, names = await run_in_threadpool(load)
        if d is None:
            return page(request, "forbidden.html", 404, user=user)
        for item in d["items"]:
            item["link"] = evidence_link(office, case_id, item["id"]) if item["evidence"] == "stored" else ""
        return page(request, "complaint.html", user=user, office=office, csrf=s["c"], case=d, names=names,
                    can_act=user.role in ACT_ROLES)

    @app.get("/desk/{office}/complaints/{case_id}/evidence/{item_id}", include_in_schema=False)
    def evidence(request: Request, office: str, case_id: str, item_id: str, exp: int = 0, sig: str = ""):
        user, _, refused = web.current(request, office, QUEUE_ROLES)
        if refused:
            return refused
        good = evidence_sig(keys.host_link_key, office, case_id[:36], item_id[:36], exp)
        if exp < time.time() or not hmac.compare_digest(good, sig[:64]):
            return Response("link expired or not valid", status_code=403, headers=web.headers)
        found = complaints.evidence(office, case_id[:36], item_id[:36])
        if found is None:
            return Response("no evidence", status_code=404, headers=web.headers)
        data, kind = found
        desk.audit(office, f"user:{user.name}", None, "evidence_seen", f"item {item_id[:36]}")
        disposition = "inline" if kind.startswith("image/") else f'attachment; filename="bukti-{item_id[:8]}.pdf"'
        return Response(data, media_type=kind, headers={
            "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox", "Content-Disposition": disposition})

    def act(request: Request, office: str, case_id: str, csrf: str, do) -> Response:
        user, s, refused = web.current(request, office, ACT_ROLES)
        if refused:
            return refused
        if not web.check_csrf(s, csrf):
            return Response("bad or missing CSRF token", status_code=403, headers=web.headers)
        try:
            action, detail = do(user)
        except ComplaintError as exc:
            return Response(exc.reason, status_code=exc.status, headers=web.headers)
        desk.audit(office, f"user:{user.name}", None, action, detail)
        return RedirectResponse(f"/desk/{office}/complaints/{case_id}", status_code=303)

    @app.post("/desk/{office}/complaints/{case_id}/assign", include_in_schema=False)
    def assign(request: Request, office: str, case_id: str, assignee: str = Form(""), csrf: str = Form("")):
        def do(user):
            who = assignee.strip()[:64] or user.name
            if who not in acting_users(office):
                raise ComplaintError(400, "assignee: not an intel or admin account of this office")
            complaints.assign(office, case_id[:36], who)
            return "complaint_assigned", f"case {case_id[:36]} to {who}"
        return act(request, office, case_id, csrf, do)

    @app.post("/desk/{office}/complaints/{case_id}/answer", include_in_schema=False)
    def answer(request: Request, office: str, case_id: str, body: str = Form(""), csrf: str = Form("")):
        def do(user):
            complaints.answer(office, case_id[:36], body[:4000], f"desk:{user.name}")
            return "complaint_answered", f"case {case_id[:36]}"
        return act(request, office, case_id, csrf, do)

    @app.post("/desk/{office}/complaints/{case_id}/close", include_in_schema=False)
    def close(request: Request, office: str, case_id: str, csrf: str = Form("")):
        def do(user):
            outcome, working_s = complaints.close(office, case_id[:36], f"desk:{user.name}")
            return "complaint_closed", f"case {case_id[:36]} {outcome} {working_s}s"
        return act(request, office, case_id, csrf, do)


