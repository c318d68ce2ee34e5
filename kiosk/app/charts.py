"""PNG charts of the survey and service reports, drawn with Pillow (no plotting library needed on a kiosk)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from kiosk.app.service_report import ServiceReport
from kiosk.app.survey import SurveyReport
from kiosk.domain.sla import SERVICE_STANDARDS
from kiosk.domain.survey import CATEGORIES, category_for

_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF", "/usr/share/fonts/dejavu")
GRADE_COLOURS = {"A": (46, 125, 50), "B": (124, 179, 66), "C": (251, 140, 0), "D": (198, 40, 40)}
INK, GRID, MUTED, OK, LATE, BAR = (33, 33, 33), (224, 224, 224), (117, 117, 117), (46, 125, 50), (198, 40, 40), (21, 101, 192)


@lru_cache(maxsize=16)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for d in _FONT_DIRS:
        p = Path(d) / name
        if p.exists():
            return ImageFont.truetype(str(p), size)
    return ImageFont.load_default(size=size)


def fit(d: ImageDraw.ImageDraw, text: str, f, width: int) -> str:
    """Shorten `text` with an ellipsis until it fits `width` pixels."""
    if d.textlength(text, font=f) <= width:
        return text
    while text and d.textlength(text + "…", font=f) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def survey_png(rep: SurveyReport, path: Path | str) -> Path:
    """Per-element NRR as horizontal bars on the 1-4 scale, coloured by grade, with the IKM and its grade."""
    w, h = 1200, 760
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    d.text((40, 24), "Survei Kepuasan Masyarakat (SKM) / satisfaction survey", fill=INK, font=font(30, True))
    d.text((40, 66), f"{rep.start} .. {rep.end}   responden {rep.respondents} / sampel minimal {rep.required_sample}"
           f" (N={rep.population})", fill=MUTED, font=font(20))  # fmt: skip
    r = rep.result
    if r is None:
        d.text((40, 140), "Belum ada jawaban / no responses in this period", fill=INK, font=font(28))
        img.save(path, format="PNG")
        return Path(path)
    left, right, top, row_h = 500, 860, 120, 56
    scale = (right - left) / 3  # 1..4
    for v in (1, 2, 3, 4):
        x = left + (v - 1) * scale
        d.line((x, top, x, top + row_h * 9), fill=GRID, width=2)
        d.text((x - 6, top + row_h * 9 + 6), str(v), fill=MUTED, font=font(18))
    for i, s in enumerate(r.elements):
        y = top + i * row_h
        grade = category_for(s.converted).letter
        d.text((40, y + 14), fit(d, f"{s.element.id.upper()}  {s.element.name_id}", font(19), left - 60), fill=INK, font=font(19))
        x_end = left + (float(s.nrr) - 1) * scale
        d.rectangle((left, y + 10, max(left + 2, x_end), y + row_h - 10), fill=GRADE_COLOURS[grade])
        d.text((x_end + 10, y + 14), f"{float(s.nrr):.2f}", fill=INK, font=font(19, True))
    # the index and its grade, large, on the right
    cat = r.category
    d.rounded_rectangle((960, 130, 1160, 420), radius=18, fill=GRADE_COLOURS[cat.letter])
    d.text((1060, 150), "IKM", fill="white", font=font(30, True), anchor="mt")
    d.text((1060, 200), f"{r.ikm_rounded}", fill="white", font=font(46, True), anchor="mt")
    d.text((1060, 270), cat.letter, fill="white", font=font(80, True), anchor="mt")
    d.text((1060, 370), cat.label_id, fill="white", font=font(24, True), anchor="mt")
    y = 450
    for c in CATEGORIES:
        d.rectangle((960, y, 980, y + 20), fill=GRADE_COLOURS[c.letter])
        d.text((990, y), f"{c.letter} {c.low}-{c.high}", fill=INK, font=font(17))
        y += 30
    d.text((40, h - 92), "NRR = nilai rata-rata per unsur (skala 1-4); warna = mutu unsur (NRR x 25)", fill=MUTED,
           font=font(18))  # fmt: skip
    d.text((40, h - 62), f"IKM = jumlah(NRR x 1/9) x 25, bobot 1/9 eksak (bukan 0,11; dengan 0,11: {rep.shortcut_ikm})",
           fill=INK, font=font(18))  # fmt: skip
    img.save(path, format="PNG")
    return Path(path)


def service_png(rep: ServiceReport, path: Path | str) -> Path:
    """For each stretch (data capture, waiting, whole service): share within the standard's limit, with the
    median against the limit; then complaints answered within 3 working hours."""
    w, h = 1200, 700
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    d.text((40, 24), "Standar pelayanan / service standards", fill=INK, font=font(30, True))
    d.text((40, 66), f"{rep.start} .. {rep.end}   kunjungan / visits: {len(rep.rows)}", fill=MUTED, font=font(20))
    left, right = 430, 1000
    rows = []
    for std, s in zip(SERVICE_STANDARDS, rep.summary, strict=True):
        med = "-" if s.median is None else f"{s.median.total_seconds() / 60:.1f}"
        rows.append((f"{std.label_id}", f"median {med} / batas {std.limit.total_seconds() / 60:.0f} menit",
                     s.within_limit, s.measured - s.within_limit))  # fmt: skip
    rows.append(("Pengaduan <= 3 jam kerja", f"{rep.working_hours} Sen-Jum, tanpa libur", rep.complaints_met, rep.complaints_late))
    y = 140
    for label, sub, good, bad in rows:
        d.text((40, y + 4), label, fill=INK, font=font(22, True))
        d.text((40, y + 36), sub, fill=MUTED, font=font(17))
        total = good + bad
        d.rectangle((left, y, right, y + 56), outline=GRID, width=2)
        if total:
            x = left + (right - left) * good / total
            if good:
                d.rectangle((left, y, x, y + 56), fill=OK)
            if bad:
                d.rectangle((x, y, right, y + 56), fill=LATE)
            d.text((right + 16, y + 14), f"{good}/{total}", fill=INK, font=font(22, True))
        else:
            d.text((left + 16, y + 14), "tidak ada data / no data", fill=MUTED, font=font(20))
        y += 110
    d.rectangle((40, h - 70, 60, h - 50), fill=OK)
    d.text((70, h - 72), "memenuhi standar / within", fill=INK, font=font(18))
    d.rectangle((380, h - 70, 400, h - 50), fill=LATE)
    d.text((410, h - 72), "melebihi / over", fill=INK, font=font(18))
    img.save(path, format="PNG")
    return Path(path)
