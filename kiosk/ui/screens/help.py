"""How to use the kiosk, in words a first-time guest understands."""
from __future__ import annotations

from kiosk.ui.screens.base import KioskScreen


class HelpScreen(KioskScreen):
    pass
