"""The base of every kiosk screen: access to the app and its services, and a hook to forget unfinished work."""
from __future__ import annotations

from kivy.app import App
from kivy.uix.screenmanager import Screen


class KioskScreen(Screen):
    @property
    def app(self):
        return App.get_running_app()

    @property
    def services(self):
        """The composition root (kiosk.app.context.AppContext): screens call its services and nothing else."""
        return self.app.services

    def reset(self) -> None:
        """Forget anything unfinished (called on idle timeout and when the flow goes home)."""
