"""`kiosk nik`: one JSON object for a valid NIK, one stderr line and exit 2 for an invalid one."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ["nik", "province_code", "province", "regency_code", "regency", "district_code", "district",
          "birth_date", "sex", "serial"]


def test_valid_nik_prints_the_issue_fields_as_one_json_object(capsys):
    assert main(["nik", "3201015708050123", "--today", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    data = json.loads(out)
    assert list(data)[: len(FIELDS)] == FIELDS
    assert data["birth_date"] == "2005-08-17" and data["sex"] == "female" and data["district"] == "Cibinong"
    assert data["warnings"] == []


def test_unknown_district_is_reported_as_a_warning(capsys):
    assert main(["nik", "3201991708850123"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["district"] == "" and data["warnings"] == ["unknown_district"]


@pytest.mark.parametrize(("nik", "words"), [
    ("9901011708850123", "province"),
    ("3201013104900001", "birth date"),
    ("3201011708850000", "serial"),
    ("12345", "length"),
])
def test_invalid_nik_prints_one_line_naming_the_part_and_exits_2(capsys, nik, words):
    assert main(["nik", nik]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and words in captured.err and "NIK salah" in captured.err


def test_the_real_command_exits_2_without_a_traceback():
    proc = subprocess.run([sys.executable, "-m", "kiosk", "nik", "3201013203900001"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()] and "Traceback" not in proc.stderr
