"""The layout walk (tests/test_ui_layout.py) at 1280x800: a 10.1 inch tablet-size panel."""
from __future__ import annotations

import pytest

from tests.test_ui_layout import check_size

pytestmark = pytest.mark.ui


@pytest.mark.timeout(600)
def test_every_screen_fits_the_10_inch_1280x800_panel():
    check_size("1280x800", "10.1in")
