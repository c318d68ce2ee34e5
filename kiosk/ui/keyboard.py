"""The on-screen keyboard: big keys that type into the text field the guest last touched.

Text fields use `keyboard_mode: "managed"` so Kivy's own docked keyboard never pops up over this one.
"""
from __future__ import annotations

from kivy.app import App
from kivy.properties import ObjectProperty, OptionProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.ui.i18n import tr

LAYOUTS = {
    "numeric": ["123", "456", "789", "<0>"],
    "alpha": ["1234567890", "QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM.,'", "<_@/"],
    "phone": ["123", "456", "789", "+0<"],
}
# Special keys: < backspace, > clear, _ space.
LABELS = {"<": "keyboard.backspace", ">": "keyboard.clear", "_": "keyboard.space"}


class KeyButton(ButtonBehavior, Label):
    """One key (its look is in kv/flow_common.kv)."""

    key = ObjectProperty("")


class OnScreenKeyboard(BoxLayout):
    target = ObjectProperty(None, allownone=True)
    layout = OptionProperty("alpha", options=list(LAYOUTS))

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.orientation = "vertical"
        self.spacing = 6
        self.bind(layout=self._build)
        app = App.get_running_app()
        if app is not None and hasattr(app, "lang"):
            app.bind(lang=self._build)
        self._build()

    def _build(self, *_args) -> None:
        self.clear_widgets()
        app = App.get_running_app()
        lang = getattr(app, "lang", "id")
        for row in LAYOUTS[self.layout]:
            line = BoxLayout(spacing=6)
            for key in row:
                button = KeyButton(key=key, text=tr(LABELS[key], lang) if key in LABELS else key)
                if key in "_<":
                    button.size_hint_x = 4 if key == "_" else 2
                button.bind(on_release=self._press)
                line.add_widget(button)
            self.add_widget(line)

    def keys(self) -> dict[str, KeyButton]:
        return {b.key: b for line in self.children for b in line.children}

    def _press(self, button: KeyButton) -> None:
        field = self.target
        if field is None:
            return
        app = App.get_running_app()
        if app is not None and hasattr(app, "idle"):
            app.idle.poke()
        if button.key == "<":
            field.do_backspace()
        elif button.key == ">":
            field.text = ""
        else:
            field.insert_text(" " if button.key == "_" else button.key)
        field.focus = True
