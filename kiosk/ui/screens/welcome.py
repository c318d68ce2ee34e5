"""Welcome screens of the three roles: what a guest, a guard or a survey respondent sees first."""
from __future__ import annotations

from kiosk.ui.screens.base import KioskScreen


class GuestWelcomeScreen(KioskScreen):
    def start_registration(self) -> None:
        # The registration flow's first screen, when the role has one: the data notice, before any capture.
        self.app.go("consent") if self.manager.has_screen("consent") else self.app.go("help")


class SecurityWelcomeScreen(KioskScreen):
    pass


class SurveyWelcomeScreen(KioskScreen):
    def start_survey(self) -> None:
        if self.manager.has_screen("survey"):
            self.app.go("survey")
