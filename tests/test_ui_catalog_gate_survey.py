"""Every gate.* and survey.* string the security and survey screens use is in the catalog, in both languages."""
from __future__ import annotations

import re
from pathlib import Path

from kiosk.app.gate import GateVerdict
from kiosk.ui.i18n import load_catalog

UI = Path(__file__).resolve().parent.parent / "kiosk" / "ui"


def test_every_gate_and_survey_key_used_by_the_screens_exists_in_indonesian_and_english():
    catalog = load_catalog()
    used = set()
    for f in [UI / "kv" / "security.kv", UI / "kv" / "survey.kv", UI / "screens" / "security.py", UI / "screens" / "survey.py"]:
        used |= set(re.findall(r"""["']((?:gate|survey)\.[a-z_A-Z]+)["']""", f.read_text(encoding="utf-8")))
    used |= {f"gate.{v.value}" for v in GateVerdict} | {"survey.sex_L", "survey.sex_P"}
    assert len(used) > 20
    missing = sorted(k for k in used if k not in catalog or not catalog[k].get("id") or not catalog[k].get("en"))
    assert missing == []
