"""Builds assets/regions/regions.csv from cahyadsn/wilayah SQL dumps (MIT): provinces, regencies, districts.

Usage: python tools/regions_from_wilayah.py OUT.csv CURRENT.sql [ARCHIVE.sql ...]

The first dump is the current decree and wins on names. Codes found only in the older dumps (archives,
newest first) are kept with the year of the last dump that had them, because a NIK never changes: a
person registered in Merauke before the 2022 Papua split still carries 91.01 (now 93.01). Villages
(4th level) are dropped; a NIK does not encode them.
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

# One `('code','name')` tuple; names may use '' or \' inside single quotes and "" inside double quotes.
_ROW = re.compile(
    r"""\(\s*(['"])(\d{2}(?:\.\d{2}){0,2})\1\s*,\s*(?:'((?:[^'\\]|''|\\.)*)'|"((?:[^"\\]|""|\\.)*)")\s*\)"""
)
_YEAR = re.compile(r"(\d{4})\.sql$")


def _unquote(text: str) -> str:
    return text.replace("''", "'").replace('""', '"').replace("\\'", "'").replace('\\"', '"')


def _tidy(code: str, name: str) -> str:
    """Old dumps write provinces and regencies in capitals with `KAB.`; match the current style."""
    name = " ".join(name.split())
    if code.count(".") == 2 or not name.isupper():
        return name
    if name.startswith("KAB. "):
        return "Kabupaten " + name[5:].title()
    if name.startswith("KOTA "):
        return "Kota " + name[5:].title()
    return name.title()


def read_dump(path: Path) -> dict[str, str]:
    rows: dict[str, str] = {}
    for m in _ROW.finditer(path.read_text(encoding="utf-8", errors="replace")):
        code = m.group(2)
        rows.setdefault(code, _tidy(code, _unquote(m.group(3) if m.group(3) is not None else m.group(4))))
    return rows


def main(argv: list[str]) -> int:
    out, current, *archives = (Path(a) for a in argv)
    regions = {code: (name, "") for code, name in read_dump(current).items()}
    for path in sorted(archives, key=lambda p: p.name, reverse=True):
        year = _YEAR.search(path.name).group(1)
        for code, name in read_dump(path).items():
            regions.setdefault(code, (name, year))
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name", "retired_after"])
        for code in sorted(regions):
            w.writerow([code, *regions[code]])
    retired = sum(1 for _, y in regions.values() if y)
    print(f"{out}: {len(regions)} codes, {retired} retired", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
