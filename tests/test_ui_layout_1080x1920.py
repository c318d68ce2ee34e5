"""The layout walk (tests/test_ui_layout.py) at 1080x1920: the 21.5 inch portrait floor kiosk."""
from __future__ import annotations

import pytest

from tests.test_ui_layout import check_size

pytestmark = pytest.mark.ui


@pytest.mark.timeout(600)
def test_every_screen_fits_the_21_inch_1080x1920_portrait_panel():
    check_size("1080x1920", "21.5in")
