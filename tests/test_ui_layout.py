"""Every screen of the three roles at the panel sizes kiosks use: nothing cut, overlapped or too small.

One test file per size (tests/test_ui_layout_*.py), so that pytest-xdist (`--dist loadfile`) walks the
sizes side by side. Each size runs in a process of its own (tests/layout_walk.py: Kivy makes one window per
process, at the size given), walks the guest flow, the gate, the survey and the staff menu in Indonesian and
in English with large text in high contrast, checks what is laid out (tests/layout_check.py) and saves a
screenshot of each state under test-artifacts/layout/<size>/. This file holds the shared assertions and the
smallest panel, the official 7" Raspberry Pi display.
"""
from __future__ import annotations

import pytest

from tests.conftest import ARTIFACTS, ROOT
from tests.layout_walk import run_size

pytestmark = pytest.mark.ui


def check_size(size: str, panel: str) -> None:
    out = ARTIFACTS / "layout"
    result = run_size(size, panel, out, ROOT)
    assert len(result["screens"]) > 60  # the walk reached every role's screens
    assert (out / size / "confirm.png").stat().st_size > 5_000
    assert result["problems"] == [], f"{len(result['problems'])} problems:\n" + "\n".join(result["problems"][:80])


@pytest.mark.timeout(600)
def test_every_screen_fits_the_7_inch_800x480_panel():
    check_size("800x480", "7in")
