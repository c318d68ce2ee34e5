"""Widgets shared by screens (their look is in kv/base.kv)."""
from __future__ import annotations

from kivy.properties import BooleanProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label


class KioskButton(ButtonBehavior, Label):
    filled = BooleanProperty(True)


class LongPressLabel(Label):
    """A label that fires `on_long_press` when a finger stays on it for `hold_s` seconds (a discreet gesture)."""

    hold_s = 2.0

    def __init__(self, **kwargs) -> None:
        self.register_event_type("on_long_press")
        super().__init__(**kwargs)
        self._pending = None

    def on_touch_down(self, touch):
        if self.collide_point(*touch.pos):
            from kivy.clock import Clock

            self._cancel()
            self._pending = Clock.schedule_once(lambda _dt: self.dispatch("on_long_press"), self.hold_s)
            touch.ud["long_press_owner"] = self
        return super().on_touch_down(touch)

    def on_touch_up(self, touch):
        if touch.ud.get("long_press_owner") is self:
            self._cancel()
        return super().on_touch_up(touch)

    def _cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def on_long_press(self) -> None:
        pass


class KioskRoot(BoxLayout):
    pass


def jpeg_texture(jpeg: bytes):
    """A JPEG (a guest's photo, kept in memory only) as a Kivy texture."""
    from io import BytesIO

    from kivy.core.image import Image as CoreImage

    return CoreImage(BytesIO(jpeg), ext="jpg").texture


def discard_children(box) -> None:
    """Remove `box`'s children for good, first unbinding their kv rules. A discarded widget's rules stay bound
    to the app's properties (theme, language) until the garbage collector frees it; a theme toggle in between
    ran a rule on a half-freed widget ("ReferenceError: weakly-referenced object no longer exists"), now and
    then, the way a GC pass fell."""
    from kivy.lang import Builder

    for child in list(box.children):
        for widget in child.walk(restrict=True):
            Builder.unbind_widget(widget.uid)
    box.clear_widgets()
