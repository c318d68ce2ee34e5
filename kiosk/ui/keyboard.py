"""The on-screen keyboard: big keys that type into the text field the guest last touched.

Text fields use `keyboard_mode: "managed"` so Kivy's own docked keyboard never pops up over this one, and
`kiosk.ui.setup` sets Kivy's keyboard mode to "system" (a hardware keyboard only: never Kivy's own).
"""
from __future__ import annotations

from kivy.app import App
from kivy.properties import NumericProperty, ObjectProperty, OptionProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.ui.i18n import tr
from kiosk.ui.widgets import discard_children

LAYOUTS = {
    "numeric": ["123", "456", "789", "<0>"],
    "alpha": ["1234567890", "QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM.,'", "<_@/"],
    # Names and sections: four rows, for a small panel.
    "letters": ["QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM.'", "<_"],
    "phone": ["123", "456", "789", "+0<"],
    # The code printed under a pass's QR (Crockford base32 and a dash).
    "code": ["1234567890", "QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM<>"],
}
# Special keys: < backspace, > clear, _ space.
LABELS = {"<": "keyboard.backspace", ">": "keyboard.clear", "_": "keyboard.space"}
# Widths of the special keys, in ordinary keys: room for their words ("Hapus", "Kosongkan") at 5 mm capitals
# on the narrowest keyboard (a 7" 800x480 panel: the numeric keypad in half the screen, the code keyboard
# across it).
WIDTHS = {"_": 4, "<": 2, ">": 2}
LAYOUT_WIDTHS = {"numeric": {"<": 2, ">": 3}, "code": {"<": 1.7, ">": 2.8}}


class KeyButton(ButtonBehavior, Label):
    """One key (its look is in kv/flow_common.kv)."""

    key = ObjectProperty("")


class OnScreenKeyboard(BoxLayout):
    """Rows of keys; `natural_height` is the height at which every key is `app.theme.key` high."""

    target = ObjectProperty(None, allownone=True)
    layout = OptionProperty("alpha", options=list(LAYOUTS))
    natural_height = NumericProperty(0)
    widest_row = NumericProperty(1)  # keys in the longest row (a space key counts for its width)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.orientation = "vertical"
        self.bind(layout=self._build)
        app = App.get_running_app()
        if app is not None and hasattr(app, "lang"):
            # A new language relabels the word keys and a new theme re-spaces the rows; the keys themselves
            # stay (rebuilding every keyboard of every screen made each toggle take seconds on a small board).
            app.bind(lang=self._relabel, theme=self._respace)
        self._build()

    def _gap(self) -> int:
        theme = getattr(App.get_running_app(), "theme", None)
        return max(2, round(theme.mm * (0.8 if theme.compact else 1.2))) if theme is not None else 6

    def _respace(self, *_args) -> None:
        gap = self._gap()
        self.spacing = gap
        for line in self.children:
            line.spacing = gap
        theme = getattr(App.get_running_app(), "theme", None)
        rows = len(LAYOUTS[self.layout])
        if theme is not None:
            self.natural_height = rows * theme.key + (rows - 1) * gap

    def _relabel(self, *_args) -> None:
        lang = getattr(App.get_running_app(), "lang", "id")
        for key, button in self.keys().items():
            if key in LABELS:
                button.text = tr(LABELS[key], lang)

    def _build(self, *_args) -> None:
        discard_children(self)
        lang = getattr(App.get_running_app(), "lang", "id")
        rows = LAYOUTS[self.layout]
        widths = {**WIDTHS, **LAYOUT_WIDTHS.get(self.layout, {})}
        self.widest_row = max(sum(widths.get(k, 1) for k in r) for r in rows)
        for row in rows:
            line = BoxLayout()
            for key in row:
                button = KeyButton(key=key, text=tr(LABELS[key], lang) if key in LABELS else key)
                button.size_hint_x = widths.get(key, 1)
                button.bind(on_release=self._press)
                line.add_widget(button)
            self.add_widget(line)
        self._respace()

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
