"""Survey and service reports as text: a table for people, JSON and CSV for spreadsheets and the central office."""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

from kiosk.app.service_report import ServiceReport, met_flag
from kiosk.app.survey import SurveyReport
from kiosk.domain.clock import to_iso
from kiosk.domain.sla import SERVICE_STANDARDS
from kiosk.domain.survey import ELEMENTS, category_for

METHOD_NOTE_ID = "IKM = jumlah(NRR x 1/9) x 25, bobot 1/9 eksak (bukan 0,11)"
METHOD_NOTE_EN = "IKM = sum(NRR x 1/9) x 25, weight exactly 1/9 (not 0.11)"


def _num(x, places: int = 3) -> float:
    return round(float(x), places)


def survey_dict(rep: SurveyReport) -> dict[str, Any]:
    r = rep.result
    return {
        "period": {"from": rep.start.isoformat(), "to": rep.end.isoformat()},
        "method": METHOD_NOTE_EN,
        "respondents": rep.respondents,
        "population": rep.population,
        "population_source": rep.population_source,
        "required_sample": rep.required_sample,
        "sample_met": rep.sample_met,
        "ikm": str(r.ikm_rounded) if r else None,
        "ikm_exact": _num(r.ikm, 6) if r else None,
        "ikm_with_0_11_weight": str(rep.shortcut_ikm) if r else None,
        "category": {"letter": r.category.letter, "label_id": r.category.label_id, "label_en": r.category.label_en}
        if r
        else None,
        "elements": [
            {
                "id": s.element.id,
                "name_id": s.element.name_id,
                "name_en": s.element.name_en,
                "nrr": _num(s.nrr),
                "converted": _num(s.converted, 2),
            }
            for s in r.elements
        ]
        if r
        else [],
        "profile": rep.profile,
    }


def survey_table(rep: SurveyReport) -> str:
    r = rep.result
    lines = [f"Survei Kepuasan Masyarakat / satisfaction survey  {rep.start} .. {rep.end}"]
    need = "cukup / enough" if rep.sample_met else "KURANG / too few"
    src = "config survey.yearly_population" if rep.population_source == "config" else "kunjungan / visits in period"
    lines.append(
        f"Responden / respondents: {rep.respondents}   sampel minimal / required sample: {rep.required_sample}"
        f" (N={rep.population}, {src}; Krejcie-Morgan)  -> {need}"
    )
    if r is None:
        lines.append("Belum ada jawaban / no responses in this period")
        return "\n".join(lines) + "\n"
    lines.append("")
    width = max(len(e.name_id) for e in ELEMENTS)
    lines.append(f"{'unsur':<5} {'nama / name':<{width}}  {'NRR':>6}  {'x25':>6}  mutu")
    for s in r.elements:
        cat = category_for(s.converted)
        lines.append(f"{s.element.id:<5} {s.element.name_id:<{width}}  {float(s.nrr):>6.3f}  {float(s.converted):>6.2f}  {cat.letter}")
    lines.append("")
    lines.append(f"IKM: {r.ikm_rounded}  mutu / grade: {r.category.letter} {r.category.label_id} / {r.category.label_en}")
    lines.append(f"Metode / method: {METHOD_NOTE_ID} / {METHOD_NOTE_EN}")
    lines.append(f"(dengan bobot 0,11 / with the 0.11 shortcut it would read {rep.shortcut_ikm})")
    return "\n".join(lines) + "\n"


def survey_csv(rep: SurveyReport) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["element", "name_id", "name_en", "nrr", "converted"])
    if rep.result:
        for s in rep.result.elements:
            w.writerow([s.element.id, s.element.name_id, s.element.name_en, f"{float(s.nrr):.3f}", f"{float(s.converted):.2f}"])
        cat = rep.result.category
        w.writerow(["IKM", cat.label_id, cat.label_en, "", str(rep.result.ikm_rounded)])
        w.writerow(["category", cat.letter, "", "", ""])
    w.writerow(["respondents", "", "", "", rep.respondents])
    w.writerow(["required_sample", "", "", "", rep.required_sample])
    w.writerow(["method", METHOD_NOTE_ID, METHOD_NOTE_EN, "", ""])
    return buf.getvalue()


def _minutes(td: timedelta | None) -> float | None:
    return None if td is None else round(td.total_seconds() / 60, 1)


def _fmt_min(td: timedelta | None) -> str:
    return "-" if td is None else f"{td.total_seconds() / 60:.1f}"


def _flag(ok: bool | None) -> str:
    return "-" if ok is None else ("ya" if ok else "TIDAK")


def service_dict(rep: ServiceReport) -> dict[str, Any]:
    return {
        "period": {"from": rep.start.isoformat(), "to": rep.end.isoformat()},
        "standards": [
            {"key": s.key, "label_id": s.label_id, "label_en": s.label_en, "target_min": _minutes(s.target),
             "limit_min": _minutes(s.limit), "source": s.source}
            for s in SERVICE_STANDARDS
        ],
        "summary": [
            {"key": s.key, "measured": s.measured, "within_limit": s.within_limit, "within_target": s.within_target,
             "mean_min": _minutes(s.mean), "median_min": _minutes(s.median), "longest_min": _minutes(s.longest)}
            for s in rep.summary
        ],
        "complaints": {"count": rep.complaints, "met": rep.complaints_met, "late": rep.complaints_late,
                       "open": rep.complaints_open, "rule": "3 working hours, 08:00-16:00 Mon-Fri, no holidays/cuti bersama"},
        "visits": [
            {
                "visit_id": r.visit_id,
                "created_at": to_iso(r.created_at),
                "purpose": r.purpose,
                "host": r.host_name,
                "state": r.state,
                **{f"{s.key}_min": _minutes(r.durations.get(s.key)) for s in SERVICE_STANDARDS},
                **{f"{s.key}_met": met_flag(s.key, r.durations.get(s.key)) for s in SERVICE_STANDARDS},
                "complaint_deadline": to_iso(r.complaint.deadline) if r.complaint else None,
                "complaint_met": r.complaint.met if r.complaint else None,
            }
            for r in rep.rows
        ],
    }  # fmt: skip


def service_table(rep: ServiceReport, tz) -> str:
    lines = [f"Standar pelayanan / service standards  {rep.start} .. {rep.end}", ""]
    head = ["waktu", "keperluan", "tujuan", "ambil data", "menunggu", "layanan", "aduan 3 jam", "id"]
    table = []
    for r in rep.rows:
        cells = [r.created_at.astimezone(tz).strftime("%m-%d %H:%M"), r.purpose, r.host_name[:24]]
        for s in SERVICE_STANDARDS:
            v = r.durations.get(s.key)
            cells.append(f"{_fmt_min(v)}{'' if met_flag(s.key, v) in (None, True) else '!'}")
        cells.append(_flag(r.complaint.met) if r.complaint else "")
        cells.append(r.visit_id[:8])
        table.append(cells)
    if table:
        widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(head)]
        lines.append("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
        lines += ["  ".join(c.ljust(w) for c, w in zip(t, widths, strict=True)) for t in table]
        lines.append("(menit / minutes; '!' = melebihi batas standar / over the standard's limit)")
    else:
        lines.append("Tidak ada kunjungan / no visits in this period")
    lines.append("")
    for std, s in zip(SERVICE_STANDARDS, rep.summary, strict=True):
        lines.append(
            f"{std.label_id} / {std.label_en}: standar {_fmt_min(std.target)}-{_fmt_min(std.limit)} min;"
            f" diukur {s.measured}, dalam batas {s.within_limit}, dalam target {s.within_target};"
            f" rata-rata {_fmt_min(s.mean)}, median {_fmt_min(s.median)}, terlama {_fmt_min(s.longest)}"
        )
    lines.append(
        f"Pengaduan / complaints: {rep.complaints}; dijawab <= 3 jam kerja / answered within 3 working hours:"
        f" {rep.complaints_met}; terlambat / late: {rep.complaints_late}; masih berjalan / still open: {rep.complaints_open}"
    )
    return "\n".join(lines) + "\n"


def service_csv(rep: ServiceReport) -> str:
    data = service_dict(rep)["visits"]
    buf = io.StringIO()
    fields = ["visit_id", "created_at", "purpose", "host", "state"]
    fields += [f"{s.key}_min" for s in SERVICE_STANDARDS] + [f"{s.key}_met" for s in SERVICE_STANDARDS]
    fields += ["complaint_deadline", "complaint_met"]
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for row in data:
        w.writerow({k: "" if v is None else v for k, v in row.items()})
    return buf.getvalue()


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
