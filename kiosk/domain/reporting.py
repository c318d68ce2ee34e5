"""Pure pieces of the reports: spreadsheet-safe CSV cells and the periods a report is split into.

CSV cells: a spreadsheet runs a cell that starts with = + - @ (or a TAB or CR, which some strip before
looking) as a formula; `=HYPERLINK(...)` in a guest's name would run on the officer's machine (OWASP "CSV
injection"). Such text cells are written with a leading apostrophe, which spreadsheets show as text.
Numbers stay numbers.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
PERIOD_UNITS = ("month", "quarter", "year")


def csv_cell(value: object) -> str:
    """One cell's text: numbers as they are, text starting with a formula character prefixed with '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, Fraction):
        return str(round(float(value), 4))
    text = str(value)
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV document (UTF-8 with a byte-order mark, so spreadsheets read the accents; CRLF lines)."""
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([csv_cell(h) for h in header])
    for row in rows:
        w.writerow([csv_cell(v) for v in row])
    return out.getvalue()


@dataclass(frozen=True)
class Period:
    label: str
    start: date  # inclusive
    end: date  # inclusive


def _month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def split_periods(start: date, end: date, unit: str = "month") -> list[Period]:
    """The calendar months, quarters or years that [start, end] touches, clipped to it, in order."""
    if unit not in PERIOD_UNITS:
        raise ValueError(f"unit must be one of {PERIOD_UNITS}")
    if end < start:
        return []
    out: list[Period] = []
    cur = start
    while cur <= end:
        if unit == "month":
            last, label = _month_end(cur), f"{cur.year}-{cur.month:02d}"
        elif unit == "quarter":
            q = (cur.month - 1) // 3
            last, label = _month_end(date(cur.year, q * 3 + 3, 1)), f"{cur.year}-T{q + 1}"
        else:
            last, label = date(cur.year, 12, 31), str(cur.year)
        out.append(Period(label, cur, min(last, end)))
        cur = last + timedelta(days=1)
    return out
