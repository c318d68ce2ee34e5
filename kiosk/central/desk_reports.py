"""The desk's reports: the inside-now / evacuation list (printable), the SKM/IKM report and the service-standard
report per office and across offices, with inline SVG charts and CSV/PDF downloads.

Who reads what:
- the inside-now list (names, photos, hosts, lockers): the office's ptsp, intel, head and admin accounts, and
  every guest shown leaves a `seen` audit row (an `exported` row for the CSV);
- an office's reports (aggregates only, no guest named): the same roles of that office, and the read-only
  cross-office accounts whose scope holds the office;
- the cross-office view (`/desk/<own code>/reports` of a `kejati` or `national` account): one row of figures
  per office of its scope (a `kejati` account's offices, every office for `national`), never a person.

The maths is the domain's: IKM from the per-element sums (kiosk.domain.survey, weight 1/9 exact), the service
standards and the complaint clock (kiosk.domain.sla), periods and CSV cells (kiosk.domain.reporting).
The inside list takes visits registered in the last 24 hours that are `inside`, or `accepted` and so on
their way in (for an evacuation a guest counted twice is better than one left out).
"""
# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape
from sqlalchemy import func, insert, select

from kiosk.central.desk import LIST_ROLES, SCOPE_ROLES, TEXT, DeskUser
from kiosk.central.models import desk_audit, desk_users, events, survey_responses, visits
from kiosk.domain.convergence import utc_text
from kiosk.domain.reporting import PERIOD_UNITS, Period, csv_text, split_periods
from kiosk.domain.sla import SERVICE_STANDARDS, StretchSummary, measure_visit, summarise_stretch
from kiosk.domain.survey import (
    CATEGORIES,
    ELEMENT_COUNT,
    ELEMENTS,
    IkmResult,
    ikm_from_totals,
    required_sample_size,
)
from kiosk.domain.visit import VisitEvent, VisitState

REPORT_ROLES = ("ptsp", "intel", "head", "admin")
INSIDE_STATES = ("inside", "accepted")
INSIDE_WINDOW = timedelta(hours=24)
MAX_DAYS = 3 * 366  # one report spans at most three years
PROFILE = ("age_group", "sex", "education", "occupation")

REPORT_TEXT = {
    "evacuation": ("Daftar evakuasi", "Evacuation list"),
    "print": ("Cetak", "Print"),
    "photo": ("Foto", "Photo"),
    "time_in": ("Masuk", "Time in"),
    "locker": ("Loker", "Locker"),
    "count_inside": ("Jumlah orang", "People"),
    "printed_at": ("Per", "As of"),
    "assembly": ("Hadir di titik kumpul", "At the assembly point"),
    "nobody_inside": ("Tidak ada tamu di dalam kantor.", "No guest inside the office."),
    "on_way_in": ("diterima, belum tercatat masuk", "accepted, not yet recorded inside"),
    "skm_title": ("Survei Kepuasan Masyarakat (SKM) dan Indeks Kepuasan Masyarakat (IKM)",
                  "Public satisfaction survey (SKM) and index (IKM)"),
    "service_title": ("Standar pelayanan", "Service standards"),
    "from": ("Dari", "From"),
    "to": ("Sampai", "To"),
    "per": ("Per", "Per"),
    "month": ("bulan", "month"),
    "quarter": ("triwulan", "quarter"),
    "year": ("tahun", "year"),
    "show": ("Tampilkan", "Show"),
    "period": ("Periode", "Period"),
    "respondents": ("Responden", "Respondents"),
    "ikm": ("IKM", "IKM"),
    "grade": ("Mutu", "Grade"),
    "element": ("Unsur", "Element"),
    "nrr": ("NRR", "NRR"),
    "sample": ("Sampel minimal (Krejcie-Morgan)", "Minimum sample (Krejcie-Morgan)"),
    "population": ("Populasi (kunjungan)", "Population (visits)"),
    "method": ("IKM = jumlah(NRR × 1/9) × 25, bobot 1/9 tepat (bukan 0,11); Permen PANRB 14/2017.",
               "IKM = sum(NRR × 1/9) × 25, weight exactly 1/9 (not 0.11); Permen PANRB 14/2017."),
    "no_answers": ("Belum ada jawaban survei pada periode ini.", "No survey answers in this period."),
    "standard": ("Standar", "Standard"),
    "measured": ("Diukur", "Measured"),
    "within_limit": ("Memenuhi batas", "Within limit"),
    "within_target": ("Memenuhi target", "Within target"),
    "median": ("Median", "Median"),
    "mean": ("Rata-rata", "Mean"),
    "longest": ("Terlama", "Longest"),
    "limit": ("batas", "limit"),
    "target": ("target", "target"),
    "visits": ("Kunjungan", "Visits"),
    "complaints_clock": ("Pengaduan (dijawab dalam 3 jam kerja)", "Complaints (answered within 3 working hours)"),
    "complaints_short": ("Pengaduan tepat waktu", "Complaints on time"),
    "met": ("Tepat waktu", "On time"),
    "late_count": ("Terlambat", "Late"),
    "open": ("Belum selesai", "Open"),
    "overdue": ("lewat waktu", "overdue"),
    "mean_working": ("rata-rata waktu kerja sampai dijawab", "mean working time to the answer"),
    "profile": ("Profil responden", "Respondent profile"),
    "age_group": ("Umur", "Age"),
    "sex": ("Jenis kelamin", "Sex"),
    "education": ("Pendidikan", "Education"),
    "occupation": ("Pekerjaan", "Occupation"),
    "not_given": ("(tidak diisi)", "(not given)"),
    "download": ("Unduh", "Download"),
    "across": ("Lintas kantor (hanya angka gabungan, tanpa data pribadi)",
               "Across offices (aggregates only, no personal data)"),
    "all_offices": ("Semua kantor", "All offices"),
    "bad_period": ("Periode tidak sah: tanggal YYYY-MM-DD, 'dari' tidak setelah 'sampai', paling lama 3 tahun.",
                   "Invalid period: dates YYYY-MM-DD, 'from' not after 'to', at most 3 years."),
    "whole_ok": ("Layanan ≤ batas", "Service ≤ limit"),
    "host_answer_median": ("Jawaban tuan rumah (median)", "Host answer (median)"),
}
# The desk's words are one table: a key of ours must not change a word of another page.
if set(REPORT_TEXT) & set(TEXT) - {k for k, v in REPORT_TEXT.items() if TEXT.get(k) == v}:
    raise RuntimeError(f"desk words defined twice: {sorted(set(REPORT_TEXT) & set(TEXT))}")
TEXT.update(REPORT_TEXT)


# --- data ---

@dataclass
class ServiceFigures:
    visits: int = 0
    summary: dict[str, StretchSummary] = field(default_factory=dict)
    complaints: int = 0  # cases received in the period (WhatsApp and kiosk), kiosk.central.complaints
    complaints_met: int = 0
    complaints_late: int = 0
    complaints_open: int = 0
    complaints_overdue: int = 0  # open and past the 3 working hours now
    complaints_mean_working: timedelta | None = None
    per_period: list[tuple[Period, int, int, int]] = field(default_factory=list)  # period, visits, measured, within


@dataclass
class SkmFigures:
    result: IkmResult | None
    respondents: int
    population: int
    required_sample: int
    per_period: list[tuple[Period, IkmResult | None, int]]  # period, result, respondents
    profile: dict[str, dict[str, int]]


def _body_event(visit_id: str, body: dict) -> VisitEvent | None:
    try:
        return VisitEvent(visit_id=visit_id, kind=body["kind"], at=datetime.fromisoformat(body["at"]),
                          actor=body.get("actor", ""), device_id=body.get("device_id", ""),
                          from_state=VisitState(body["from_state"]) if body.get("from_state") else None,
                          to_state=VisitState(body["to_state"]) if body.get("to_state") else None,
                          data=body.get("data") or {}, event_id=body["event_id"])
    except (KeyError, ValueError):
        return None


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class ReportData:
    """Reads of the central database for the reports (SQLAlchemy Core); decrypts only what a page shows."""

    def __init__(self, engine, keys, tz, settings=None) -> None:
        self.engine, self.keys, self.tz, self.settings = engine, keys, tz, settings
        self._calendar = None

    @property
    def calendar(self):
        """The offices' working calendar (hours, holidays, cuti bersama), as the complaint queue keeps it."""
        if self._calendar is None:
            from kiosk.central.complaints import calendar_of

            self._calendar = calendar_of(self.settings) if self.settings is not None else None
        return self._calendar

    def bounds(self, start: date, end: date) -> tuple[str, str]:
        lo = datetime.combine(start, datetime.min.time(), self.tz).astimezone(UTC)
        hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), self.tz).astimezone(UTC)
        return utc_text(lo), utc_text(hi)

    def offices(self) -> list[str]:
        """Every office the service knows (visits, survey answers or desk accounts of an office role)."""
        with self.engine.connect() as conn:
            found = {r[0] for r in conn.execute(select(visits.c.office).distinct())}
            found |= {r[0] for r in conn.execute(select(survey_responses.c.office).distinct())}
            found |= {r[0] for r in conn.execute(select(desk_users.c.office).where(
                desk_users.c.role.not_in(SCOPE_ROLES)).distinct())}
        return sorted(found)

    # --- SKM ---

    def skm_totals(self, offices: list[str], start: date, end: date) -> dict[str, tuple[list[int], int]]:
        lo, hi = self.bounds(start, end)
        cols = [func.coalesce(func.sum(getattr(survey_responses.c, f"u{i}")), 0) for i in range(1, ELEMENT_COUNT + 1)]
        with self.engine.connect() as conn:
            rows = conn.execute(select(survey_responses.c.office, func.count(), *cols).where(
                survey_responses.c.office.in_(offices), survey_responses.c.created_at >= lo,
                survey_responses.c.created_at < hi).group_by(survey_responses.c.office)).all()
        return {r[0]: ([int(v) for v in r[2:]], int(r[1])) for r in rows}

    def visit_counts(self, offices: list[str], start: date, end: date) -> dict[str, int]:
        lo, hi = self.bounds(start, end)
        with self.engine.connect() as conn:
            rows = conn.execute(select(visits.c.office, func.count()).where(
                visits.c.office.in_(offices), visits.c.created_at >= lo, visits.c.created_at < hi)
                .group_by(visits.c.office)).all()
        return {r[0]: int(r[1]) for r in rows}

    def profile(self, offices: list[str], start: date, end: date) -> dict[str, dict[str, int]]:
        lo, hi = self.bounds(start, end)
        out: dict[str, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for col in PROFILE:
                c = getattr(survey_responses.c, col)
                rows = conn.execute(select(c, func.count()).where(
                    survey_responses.c.office.in_(offices), survey_responses.c.created_at >= lo,
                    survey_responses.c.created_at < hi).group_by(c).order_by(c)).all()
                out[col] = {r[0]: int(r[1]) for r in rows}
        return out

    def skm(self, offices: list[str], start: date, end: date, unit: str) -> SkmFigures:
        def pooled(by_office: dict[str, tuple[list[int], int]]) -> tuple[IkmResult | None, int]:
            totals, n = [0] * ELEMENT_COUNT, 0
            for t, k in by_office.values():
                totals = [a + b for a, b in zip(totals, t, strict=True)]
                n += k
            return (ikm_from_totals(totals, n) if n else None), n

        result, n = pooled(self.skm_totals(offices, start, end))
        per = []
        for p in split_periods(start, end, unit):
            r, k = pooled(self.skm_totals(offices, p.start, p.end))
            per.append((p, r, k))
        population = sum(self.visit_counts(offices, start, end).values())
        return SkmFigures(result, n, population, required_sample_size(population), per,
                          self.profile(offices, start, end))

    # --- service standards ---

    def service(self, office: str, start: date, end: date, unit: str, now: datetime | None = None) -> ServiceFigures:
        lo, hi = self.bounds(start, end)
        with self.engine.connect() as conn:
            rows = conn.execute(select(visits.c.visit_id, visits.c.created_at).where(
                visits.c.office == office, visits.c.created_at >= lo, visits.c.created_at < hi)
                .order_by(visits.c.created_at)).all()
            by_visit: dict[str, list[VisitEvent]] = {r.visit_id: [] for r in rows}
            ids = list(by_visit)
            for i in range(0, len(ids), 500):
                for e in conn.execute(select(events.c.visit_id, events.c.body).where(events.c.visit_id.in_(ids[i:i + 500]))):
                    ev = _body_event(e.visit_id, json.loads(e.body))
                    if ev is not None:
                        by_visit[e.visit_id].append(ev)
        now = now or datetime.now(UTC)
        measured: dict[str, list[timedelta]] = {s.key: [] for s in SERVICE_STANDARDS}
        fig = ServiceFigures(visits=len(rows))
        periods = split_periods(start, end, unit)
        per = {p.label: [0, 0, 0] for p in periods}
        limit = next(s for s in SERVICE_STANDARDS if s.key == "whole_service").limit
        for r in rows:
            created = _at(r.created_at)
            d = measure_visit(by_visit[r.visit_id], registered_at=created)
            for key in measured:
                if (v := d.get(key)) is not None:
                    measured[key].append(v)
            local = created.astimezone(self.tz).date()
            label = next((p.label for p in periods if p.start <= local <= p.end), None)
            if label:
                per[label][0] += 1
                if d.whole_service is not None:
                    per[label][1] += 1
                    per[label][2] += d.whole_service <= limit
        fig.summary = {k: summarise_stretch(k, v) for k, v in measured.items()}
        # Complaints (WhatsApp and kiosk) are cases of the intel queue with their own working-hours clock.
        from kiosk.central.complaints import complaint_counts

        c = complaint_counts(self.engine, office, _at(lo), _at(hi), now=now, cal=self.calendar, settings=self.settings)
        fig.complaints, fig.complaints_met, fig.complaints_late = c["total"], c["met"], c["late"]
        fig.complaints_open, fig.complaints_overdue = c["open"], c["open_overdue"]
        fig.complaints_mean_working = timedelta(seconds=c["mean_working_s"]) if c["mean_working_s"] is not None else None
        fig.per_period = [(p, *per[p.label]) for p in periods]
        return fig

    # --- inside now ---

    def inside(self, office: str, now: datetime | None = None) -> list[dict]:
        since = utc_text((now or datetime.now(UTC)) - INSIDE_WINDOW)
        with self.engine.connect() as conn:
            rows = conn.execute(select(visits.c.visit_id, visits.c.state, visits.c.created_at, visits.c.record_enc,
                                       visits.c.loker, visits.c.photo_enc.is_not(None).label("has_photo")).where(
                visits.c.office == office, visits.c.state.in_(INSIDE_STATES), visits.c.created_at >= since)
                .order_by(visits.c.created_at)).all()
            ids = [r.visit_id for r in rows]
            went_in: dict[str, datetime] = {}
            accepted: dict[str, datetime] = {}
            for i in range(0, len(ids), 500):
                for e in conn.execute(select(events.c.visit_id, events.c.body).where(events.c.visit_id.in_(ids[i:i + 500]))):
                    b = json.loads(e.body)
                    target = {"inside": went_in, "accepted": accepted}.get(b.get("to_state") or "")
                    if target is not None:
                        at = datetime.fromisoformat(b["at"])
                        target[e.visit_id] = min(target.get(e.visit_id, at), at)
        out = []
        for r in rows:
            rec = json.loads(self.keys.decrypt_text(r.record_enc))
            t_in = went_in.get(r.visit_id) or accepted.get(r.visit_id) or _at(r.created_at)
            out.append({"visit_id": r.visit_id, "state": r.state, "nama": rec.get("nama", ""),
                        "host": rec.get("nama_pejabat", ""), "purpose": rec.get("purpose", ""),
                        "instansi": rec.get("detail", "").split(" - ", 1)[1] if rec.get("tipe_tamu") == "Instansi"
                        and " - " in rec.get("detail", "") else "",
                        "loker": r.loker, "has_photo": bool(r.has_photo), "time_in": t_in.astimezone(self.tz),
                        "recorded_in": r.visit_id in went_in})
        return out


# --- inline SVG charts (no script, no library) ---

def svg_bars(items: list[tuple[str, float | None]], top: float, *, title: str, marks: tuple[tuple[float, str], ...] = (),
             fmt: str = "{:.2f}", width: int = 520, colour: str = "#0B5D1E", chart_id: str = "") -> Markup:
    """Horizontal bars from 0 to `top`, each under its label (readable on a phone too), a value at each bar's end,
    and vertical marks (limits, grade boundaries)."""
    left, right, row_h, pad = 4, 56, 36, 18
    bar_w = width - left - right
    height = pad + row_h * len(items) + 6
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}"'
             f' width="100%" style="max-width:{width}px"{f" id={chart_id!r}" if chart_id else ""}'
             f' aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, (label, value) in enumerate(items):
        y = pad + i * row_h
        text = label if len(label) <= 60 else label[:59] + "…"
        parts.append(f'<text x="{left}" y="{y + 12}" font-size="13">{escape(text)}</text>')
        parts.append(f'<rect x="{left}" y="{y + 16}" width="{bar_w}" height="14" fill="#EEE"/>')
        if value is not None:
            w = max(0.0, min(1.0, value / top if top else 0)) * bar_w
            parts.append(f'<rect class="bar" x="{left}" y="{y + 16}" width="{w:.1f}" height="14" fill="{colour}"'
                         f' data-value="{value:.4f}"/>')
            parts.append(f'<text x="{left + w + 5:.1f}" y="{y + 28}" font-size="12" font-weight="bold">'
                         f'{escape(fmt.format(value))}</text>')
        else:
            parts.append(f'<text x="{left + 5}" y="{y + 28}" font-size="12" fill="#666">—</text>')
    for value, label in marks:
        x = left + bar_w * (value / top if top else 0)
        parts.append(f'<line x1="{x:.1f}" y1="{pad - 2}" x2="{x:.1f}" y2="{height - 4}" stroke="#C9A227" stroke-width="2"'
                     f' stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{x:.1f}" y="{pad - 5}" text-anchor="middle" font-size="11" fill="#8A5A00">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def svg_columns(items: list[tuple[str, float | None]], top: float, *, title: str, low: float = 0.0,
                bands: tuple[tuple[float, str], ...] = (), width: int = 640, chart_id: str = "") -> Markup:
    """Columns over periods (e.g. IKM per month), from `low` to `top`, with horizontal grade bands."""
    height, left, bottom, pad = 220, 40, 30, 12
    plot_w, plot_h = width - left - 10, height - bottom - pad
    n = max(1, len(items))
    col_w = plot_w / n

    def y_of(v: float) -> float:
        return pad + plot_h * (1 - (min(max(v, low), top) - low) / (top - low))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}"'
             f' width="100%" style="max-width:{width}px"{f" id={chart_id!r}" if chart_id else ""}'
             f' aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for value, label in bands:
        y = y_of(value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#C9A227" stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10" fill="#8A5A00">{escape(label)}</text>')
    parts.append(f'<line x1="{left}" y1="{pad + plot_h}" x2="{width - 10}" y2="{pad + plot_h}" stroke="#999"/>')
    for i, (label, value) in enumerate(items):
        x = left + i * col_w
        if value is not None:
            y = y_of(value)
            parts.append(f'<rect class="bar" x="{x + col_w * 0.15:.1f}" y="{y:.1f}" width="{col_w * 0.7:.1f}"'
                         f' height="{pad + plot_h - y:.1f}" fill="#0B5D1E" data-value="{value:.4f}"/>')
            parts.append(f'<text x="{x + col_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="10">{value:.1f}</text>')
        parts.append(f'<text x="{x + col_w / 2:.1f}" y="{height - 12}" text-anchor="middle" font-size="10">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _minutes(td: timedelta | None) -> float | None:
    return None if td is None else round(td.total_seconds() / 60, 1)


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _f(value: Fraction | None, places: int = 2) -> float | None:
    return None if value is None else round(float(value), places)


# --- the pages ---

def mount(app, web) -> None:
    from starlette.concurrency import run_in_threadpool

    from kiosk.central.pdf import PdfDoc

    data = ReportData(web.desk.engine, web.keys, web.tz, web.settings)

    def refused_for(request: Request, user: DeskUser | None, office: str, bare: bool = False) -> Response | None:
        if user is None:
            return Response(status_code=401, headers=web.headers) if bare else \
                RedirectResponse(f"/desk/login?office={office}", status_code=303)
        ok = user.reads(office) and (user.role in SCOPE_ROLES or user.role in REPORT_ROLES)
        if ok:
            return None
        return Response(status_code=403, headers=web.headers) if bare else web.render(request, "forbidden.html", 403, user=user)

    def scope_offices(user: DeskUser) -> list[str] | None:
        """The offices of the cross-office view, or None when the account reads one office."""
        if user.role not in SCOPE_ROLES:
            return None
        if user.scope == ("*",):
            return [o for o in data.offices() if o != user.office]
        return list(user.scope)

    def period_args(request: Request) -> tuple[date, date, str] | None:
        q = request.query_params
        today = datetime.now(web.tz).date()
        try:
            start = date.fromisoformat(q["from"]) if q.get("from") else date(today.year, 1, 1)
            end = date.fromisoformat(q["to"]) if q.get("to") else today
        except ValueError:
            return None
        unit = q.get("unit") or "month"
        if unit not in PERIOD_UNITS or end < start or (end - start).days > MAX_DAYS:
            return None
        return start, end, unit

    def query_text(start: date, end: date, unit: str) -> str:
        return f"from={start.isoformat()}&to={end.isoformat()}&unit={unit}"

    # --- inside now / evacuation ---

    def inside_rows(request: Request, office: str) -> list[dict]:
        rows = data.inside(office)
        for r in rows:
            link = web.photo_link(request, office, r["visit_id"]) if r["has_photo"] else ""
            if link:  # same origin as the page (the CSP allows images from 'self' only)
                parts = urlsplit(link)
                link = f"{parts.path}?{parts.query}"
            r["photo"] = link
            r["time"] = r["time_in"].strftime("%H:%M")
            r["day"] = r["time_in"].strftime("%d-%m")
        return rows

    @app.get("/desk/{office}/inside", include_in_schema=False)
    async def inside_page(request: Request, office: str):
        user, s, refused = await run_in_threadpool(web.current, request, office, LIST_ROLES)
        if refused:
            return refused
        rows = await run_in_threadpool(inside_rows, request, office)
        await run_in_threadpool(web.desk.audit_seen, office, f"user:{user.name}", [r["visit_id"] for r in rows],
                                utc_text(web.day_start()))
        now = datetime.now(web.tz)
        return web.render(request, "inside.html", user=user, office=office, rows=rows, csrf=s["c"],
                          today=now.strftime("%d-%m"), printed=now.strftime("%d-%m-%Y %H:%M"))

    def audit_exported(office: str, user: DeskUser, visit_ids: list[str]) -> None:
        if not visit_ids:
            return
        at = utc_text(datetime.now(UTC))
        with web.desk.engine.begin() as conn:
            conn.execute(insert(desk_audit), [{"office": office, "actor": f"user:{user.name}", "at": at, "visit_id": v,
                                               "action": "exported", "detail": "inside.csv"} for v in visit_ids])

    @app.get("/desk/{office}/inside.csv", include_in_schema=False)
    async def inside_csv(request: Request, office: str):
        user, _s, refused = await run_in_threadpool(web.current, request, office, LIST_ROLES)
        if refused:
            return refused
        rows = await run_in_threadpool(data.inside, office)
        await run_in_threadpool(audit_exported, office, user, [r["visit_id"] for r in rows])
        text = csv_text(["nama", "instansi", "tuan_rumah", "masuk", "status", "loker"],
                        [[r["nama"], r["instansi"], r["host"], r["time_in"].strftime("%Y-%m-%d %H:%M"), r["state"],
                          r["loker"]] for r in rows])
        return _download(text.encode("utf-8"), "text/csv; charset=utf-8", f"dalam-kantor-{office}.csv", web.headers)

    # --- reports ---

    def office_report(office: str, start: date, end: date, unit: str) -> dict[str, Any]:
        return {"skm": data.skm([office], start, end, unit), "service": data.service(office, start, end, unit)}

    def scope_report(offices: list[str], start: date, end: date, unit: str) -> dict[str, Any]:
        totals = data.skm_totals(offices, start, end)
        counts = data.visit_counts(offices, start, end)
        per_office = []
        for o in offices:
            t, n = totals.get(o, ([0] * ELEMENT_COUNT, 0))
            svc = data.service(o, start, end, unit)
            per_office.append({"office": o, "skm": ikm_from_totals(t, n) if n else None, "respondents": n,
                               "visits": counts.get(o, 0), "service": svc})
        return {"offices": per_office, "skm": data.skm(offices, start, end, unit)}

    def charts(lang: str, skm: SkmFigures, svc: ServiceFigures | None) -> dict[str, Markup]:
        i = 1 if lang == "en" else 0
        out: dict[str, Markup] = {}
        if skm.result:
            out["nrr"] = svg_bars([((e.element.name_en if i else e.element.name_id), float(e.nrr)) for e in skm.result.elements],
                                  4.0, title=TEXT["nrr"][i], marks=((3.0, "3"),), chart_id="chart-nrr")
        out["ikm"] = svg_columns([(p.label, _f(r.ikm) if r else None) for p, r, _ in skm.per_period], 100.0, low=25.0,
                                 title=TEXT["ikm"][i], chart_id="chart-ikm",
                                 bands=tuple((float(c.low), c.letter) for c in CATEGORIES[:3]))
        if svc is not None:
            items = []
            for s in SERVICE_STANDARDS:
                summ = svc.summary[s.key]
                items.append((f"{(s.label_en if i else s.label_id)} ≤ {int(s.limit.total_seconds() // 60)} min",
                              _pct(summ.within_limit, summ.measured)))
            if svc.complaints:
                items.append((TEXT["complaints_clock"][i], _pct(svc.complaints_met, svc.complaints)))
            out["service"] = svg_bars(items, 100.0, title=TEXT["service_title"][i], fmt="{:.0f}%", chart_id="chart-service")
        return out

    @app.get("/desk/{office}/reports", include_in_schema=False)
    async def reports_page(request: Request, office: str):
        user, s = await run_in_threadpool(web.who, request)
        refused = refused_for(request, user, office)
        if refused:
            return refused
        period = period_args(request)
        if period is None:
            return web.render(request, "reports.html", 400, user=user, office=office, bad_period=True, scope=None, csrf=s["c"],
                              start="", end="", unit="month", units=PERIOD_UNITS)
        start, end, unit = period
        lang = "en" if request.cookies.get("lang") == "en" else "id"
        scope = scope_offices(user) if office == user.office else None
        if scope is not None:
            rep = await run_in_threadpool(scope_report, scope, start, end, unit)
            i = 1 if lang == "en" else 0
            ch = charts(lang, rep["skm"], None)
            ch["offices"] = svg_bars([(o["office"], _f(o["skm"].ikm) if o["skm"] else None) for o in rep["offices"]], 100.0,
                                     title=TEXT["ikm"][i], chart_id="chart-offices",
                                     marks=tuple((float(c.low), c.letter) for c in CATEGORIES[:3]))
        else:
            rep = await run_in_threadpool(office_report, office, start, end, unit)
            ch = charts(lang, rep["skm"], rep["service"])
        await run_in_threadpool(web.desk.audit, office, f"user:{user.name}", None, "report_viewed", f"{start}..{end}")
        return web.render(request, "reports.html", user=user, office=office, scope=scope, rep=rep, charts=ch, csrf=s["c"],
                          start=start.isoformat(), end=end.isoformat(), unit=unit, units=PERIOD_UNITS,
                          q=query_text(start, end, unit), standards=SERVICE_STANDARDS, elements=ELEMENTS,
                          bad_period=False, minutes=_minutes, pct=_pct, f=_f, profile_keys=PROFILE)

    def report_for_download(request: Request, office: str):
        user, _s = web.who(request)
        refused = refused_for(request, user, office, bare=True)
        if refused:
            return None, None, refused
        period = period_args(request)
        if period is None:
            return None, None, Response("bad period / periode tidak sah", status_code=400, headers=web.headers)
        scope = scope_offices(user) if office == user.office else None
        return user, (period, scope), None

    def skm_rows(offices: list[str], start: date, end: date, unit: str) -> list[list[object]]:
        rows: list[list[object]] = []
        for o in offices:
            for p in [Period(f"{start}..{end}", start, end), *split_periods(start, end, unit)]:
                t, n = data.skm_totals([o], p.start, p.end).get(o, ([0] * ELEMENT_COUNT, 0))
                r = ikm_from_totals(t, n) if n else None
                rows.append([o, p.label, n, *[(_f(e.nrr, 3) if r else None) for e in (r.elements if r else ())],
                             *([None] * ELEMENT_COUNT if r is None else []),
                             r.ikm_rounded if r else None, r.category.letter if r else None,
                             r.category.label_id if r else None])
        return rows

    def skm_csv_text(office: str, period, scope) -> str:
        start, end, unit = period
        offices = scope if scope is not None else [office]
        header = ["kantor", "periode", "responden", *[f"nrr_{e.id}" for e in ELEMENTS], "ikm", "mutu", "mutu_kata"]
        return csv_text(header, skm_rows(offices, start, end, unit))

    def service_csv_text(office: str, period, scope) -> str:
        start, end, unit = period
        offices = scope if scope is not None else [office]
        rows: list[list[object]] = []
        for o in offices:
            svc = data.service(o, start, end, unit)
            for s in SERVICE_STANDARDS:
                m = svc.summary[s.key]
                rows.append([o, s.key, s.label_id, _minutes(s.limit), m.measured, m.within_limit, m.within_target,
                             m.measured - m.within_limit, None, _minutes(m.mean), _minutes(m.median), _minutes(m.longest)])
            rows.append([o, "complaint_answer", "Pengaduan dijawab dalam 3 jam kerja", 180, svc.complaints,
                         svc.complaints_met, None, svc.complaints_late, svc.complaints_open,
                         _minutes(svc.complaints_mean_working), None, None])
        header = ["kantor", "standar", "nama", "batas_menit", "diukur", "memenuhi_batas", "memenuhi_target",
                  "melewati_batas", "belum_dijawab", "rata_menit", "median_menit", "terlama_menit"]
        # Profile answers come from the devices' config: strings a spreadsheet must not run.
        prof = data.profile(offices, start, end)
        rows += [["*", f"profil_{k}", v or "(tidak diisi)", None, n, None, None, None, None, None, None, None]
                 for k in PROFILE for v, n in prof[k].items()]
        return csv_text(header, rows)

    @app.get("/desk/{office}/reports/skm.csv", include_in_schema=False)
    async def skm_csv(request: Request, office: str):
        user, args, refused = await run_in_threadpool(report_for_download, request, office)
        if refused:
            return refused
        text = await run_in_threadpool(skm_csv_text, office, *args)
        return _download(text.encode("utf-8"), "text/csv; charset=utf-8", f"skm-{office}-{args[0][0]}-{args[0][1]}.csv",
                         web.headers)

    @app.get("/desk/{office}/reports/service.csv", include_in_schema=False)
    async def service_csv(request: Request, office: str):
        user, args, refused = await run_in_threadpool(report_for_download, request, office)
        if refused:
            return refused
        text = await run_in_threadpool(service_csv_text, office, *args)
        return _download(text.encode("utf-8"), "text/csv; charset=utf-8",
                         f"standar-pelayanan-{office}-{args[0][0]}-{args[0][1]}.csv", web.headers)

    def pdf_bytes(office: str, period, scope) -> bytes:
        start, end, unit = period
        offices = scope if scope is not None else [office]
        title = f"Laporan SKM/IKM dan standar pelayanan - {office}"
        doc = PdfDoc(title, footer=f"{office} · {start}..{end} · dicetak {datetime.now(web.tz):%Y-%m-%d %H:%M}")
        doc.heading(title, 15)
        doc.para(f"Periode {start.isoformat()} s.d. {end.isoformat()} (per {TEXT[unit][0]}). "
                 + (f"Lintas kantor: {', '.join(offices)} - hanya angka gabungan. " if scope is not None else "")
                 + TEXT["method"][0])
        skm = data.skm(offices, start, end, unit)
        doc.heading("Survei Kepuasan Masyarakat (SKM) / IKM", 12)
        if skm.result:
            r = skm.result
            doc.para(f"IKM {r.ikm_rounded} - mutu {r.category.letter} ({r.category.label_id}); responden {skm.respondents}; "
                     f"populasi (kunjungan) {skm.population}; sampel minimal {skm.required_sample}.")
            doc.table(["Unsur", "Nama", "Jumlah nilai", "NRR", "NRR x 25"],
                      [[e.element.id.upper(), e.element.name_id, str(e.total), f"{float(e.nrr):.3f}",
                        f"{float(e.converted):.2f}"] for e in r.elements],
                      [0.08, 0.5, 0.14, 0.14, 0.14], align="llrrr")
            doc.bars([(e.element.name_id, float(e.nrr)) for e in r.elements], 4.0, marks=(3.0,))
        else:
            doc.para(TEXT["no_answers"][0])
        doc.table(["Periode", "Responden", "IKM", "Mutu"],
                  [[p.label, str(n), str(res.ikm_rounded) if res else "-", res.category.letter if res else "-"]
                   for p, res, n in skm.per_period], [0.4, 0.2, 0.2, 0.2], align="lrrl")
        if scope is not None:
            doc.heading("Per kantor", 12)
            totals = data.skm_totals(offices, start, end)
            counts = data.visit_counts(offices, start, end)
            rows = []
            for o in offices:
                t, n = totals.get(o, ([0] * ELEMENT_COUNT, 0))
                r = ikm_from_totals(t, n) if n else None
                svc = data.service(o, start, end, unit)
                whole = svc.summary["whole_service"]
                rows.append([o, str(counts.get(o, 0)), str(n), str(r.ikm_rounded) if r else "-", r.category.letter if r else "-",
                             f"{_pct(whole.within_limit, whole.measured)}%" if whole.measured else "-",
                             f"{svc.complaints_met}/{svc.complaints}"])
            doc.table(["Kantor", "Kunjungan", "Responden", "IKM", "Mutu", "Layanan <= batas", "Pengaduan tepat"],
                      rows, [0.22, 0.12, 0.12, 0.1, 0.08, 0.18, 0.18], align="lrrrlrr")
        else:
            svc = data.service(office, start, end, unit)
            doc.heading("Standar pelayanan", 12)
            mean = _minutes(svc.complaints_mean_working)
            doc.para(f"Kunjungan {svc.visits}. Pengaduan {svc.complaints}: tepat waktu {svc.complaints_met}, terlambat "
                     f"{svc.complaints_late}, belum selesai {svc.complaints_open} (lewat waktu {svc.complaints_overdue})"
                     + (f", rata-rata {mean} menit kerja sampai dijawab" if mean is not None else "")
                     + " (3 jam kerja, Senin-Jumat 08:00-16:00, tanpa hari libur dan cuti bersama).")
            rows = []
            for s in SERVICE_STANDARDS:
                m = svc.summary[s.key]
                rows.append([s.label_id, f"{_minutes(s.target)} / {_minutes(s.limit)}", str(m.measured),
                             str(m.within_limit), str(m.within_target),
                             "-" if m.median is None else f"{_minutes(m.median)}", "-" if m.longest is None else f"{_minutes(m.longest)}"])
            doc.table(["Standar", "Target / batas (menit)", "Diukur", "<= batas", "<= target", "Median (menit)", "Terlama"],
                      rows, [0.22, 0.18, 0.1, 0.1, 0.1, 0.16, 0.14], align="lrrrrrr")
            doc.bars([(s.label_id + " <= batas", _pct(svc.summary[s.key].within_limit, svc.summary[s.key].measured))
                      for s in SERVICE_STANDARDS], 100.0, unit="%")
        return doc.to_bytes()

    @app.get("/desk/{office}/reports.pdf", include_in_schema=False)
    async def report_pdf(request: Request, office: str):
        user, args, refused = await run_in_threadpool(report_for_download, request, office)
        if refused:
            return refused
        body = await run_in_threadpool(pdf_bytes, office, *args)
        return _download(body, "application/pdf", f"laporan-{office}-{args[0][0]}-{args[0][1]}.pdf", web.headers)


def _download(body: bytes, media_type: str, filename: str, headers: dict) -> Response:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in filename)
    return Response(body, media_type=media_type,
                    headers={**headers, "Content-Disposition": f'attachment; filename="{safe}"'})
