"""The layout walk (tests/test_ui_layout.py) at 1024x600: the 7 inch 1024x600 panel."""
from __future__ import annotations

import pytest

from tests.test_ui_layout import check_size

pytestmark = pytest.mark.ui


@pytest.mark.timeout(600)
def test_every_screen_fits_the_7_inch_1024x600_panel():
    check_size("1024x600", "7in")
