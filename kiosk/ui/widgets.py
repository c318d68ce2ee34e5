"""Widgets shared by screens (their look is in kv/base.kv)."""
from __future__ import annotations

from kivy.properties import BooleanProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label


class KioskButton(ButtonBehavior, Label):
    filled = BooleanProperty(True)


class KioskRoot(BoxLayout):
    pass
