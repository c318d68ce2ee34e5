"""The layout walk (tests/test_ui_layout.py) at 1920x1080: the 21.5 inch landscape HD kiosk (the smallest panel sold at that resolution)."""
from __future__ import annotations

import pytest

from tests.test_ui_layout import check_size

pytestmark = pytest.mark.ui


@pytest.mark.timeout(600)
def test_every_screen_fits_the_21_inch_1920x1080_landscape_panel():
    check_size("1920x1080", "21.5in")
