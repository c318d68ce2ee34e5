"""Every screen of the three roles at the panel sizes kiosks use: nothing cut, overlapped or too small.

Each size runs in a process of its own (tests/layout_walk.py: Kivy makes one window per process, at the
size given), walks the guest flow, the gate, the survey and the staff menu in Indonesian, English, large
text and high contrast, checks what is drawn (tests/layout_check.py) and saves a screenshot of each
state under test-artifacts/layout/<size>/.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ARTIFACTS, ROOT

pytestmark = pytest.mark.ui

# (window, panel): the official 7" Raspberry Pi display, a 7" 1024x600, a 10.1" tablet-size panel,
# a 21.5" landscape HD kiosk and a 21.5" portrait floor kiosk (the smallest panel sold at that
# resolution: a bigger one only makes everything larger).
SIZES = [("800x480", "7in"), ("1024x600", "7in"), ("1280x800", "10.1in"), ("1920x1080", "21.5in"),
         ("1080x1920", "21.5in")]


@pytest.mark.slow
@pytest.mark.timeout(1200)
@pytest.mark.skipif(not os.environ.get("KIOSK_LAYOUT"), reason="layout walk: KIOSK_LAYOUT=1 (minutes per size)")
@pytest.mark.parametrize(("size", "panel"), SIZES, ids=[s for s, _ in SIZES])
def test_every_screen_fits_the_panel_with_targets_and_text_of_physical_size(size, panel):
    out = ARTIFACTS / "layout"
    env = dict(os.environ)
    run = subprocess.run([sys.executable, "-m", "tests.layout_walk", size, panel, str(out)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=1100)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert len(result["screens"]) > 50  # the walk reached every role's screens
    assert (out / size / "confirm.png").stat().st_size > 5_000
    assert result["problems"] == [], "\n".join(result["problems"][:80])
