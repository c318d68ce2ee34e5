"""Kemendagri region codes (province, regency/city, district) as the NIK uses them, read once from assets/regions.

The table is `assets/regions/regions.csv` (code in dotted form, name, `retired_after`), converted from
cahyadsn/wilayah by tools/regions_from_wilayah.py; see assets/regions/README.md for source and licence.
A retired code (for example 91.01 Merauke, now 93.01 after the 2022 Papua split) stays valid: a NIK
keeps the code of the region where it was first issued.
"""
from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import NamedTuple

from kiosk.paths import assets_dir


class Region(NamedTuple):  # a NamedTuple: 8,500 of them build several times faster than frozen dataclasses
    code: str  # dotted: "11", "11.01", "11.01.01"
    name: str
    retired_after: str = ""  # year of the last decree listing a retired code; "" while current

    @property
    def retired(self) -> bool:
        return bool(self.retired_after)


_lock = threading.Lock()
_table: dict[str, Region] | None = None


def _default_path() -> Path:
    return assets_dir() / "regions" / "regions.csv"


def _load(path: Path) -> dict[str, Region]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh)
        if next(rows, None) != ["code", "name", "retired_after"]:
            raise ValueError(f"{path}: not a region table (header code,name,retired_after)")
        return {code: Region(code, name, retired) for code, name, retired in rows}


def table() -> dict[str, Region]:
    """All codes, loaded on first use (about 8,500 rows) and shared by every thread."""
    global _table
    if _table is None:
        with _lock:
            if _table is None:
                _table = _load(_default_path())
    return _table


def lookup(code: str) -> Region | None:
    """A region by dotted code (`"32"`, `"32.01"`, `"32.01.01"`), or None when the code is unknown."""
    return table().get(code)


def provinces() -> list[Region]:
    return [r for c, r in table().items() if len(c) == 2]


def regencies(province_code: str) -> list[Region]:
    prefix = province_code + "."
    return [r for c, r in table().items() if len(c) == 5 and c.startswith(prefix)]


def districts(regency_code: str) -> list[Region]:
    prefix = regency_code + "."
    return [r for c, r in table().items() if len(c) == 8 and c.startswith(prefix)]
