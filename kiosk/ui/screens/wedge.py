"""Reading a keyboard-wedge scanner on a screen: it "types" the code and Enter; no text field needs the focus.

A focused text field would pop up the on-screen keyboard over the verdict, so the screen listens to the
window's key events while it is shown, and hands each finished line to `on_scan`. While the user types
in one of the screen's own text fields, the listener stays out of the way.
"""
from __future__ import annotations

from kivy.core.window import Window
from kivy.uix.textinput import TextInput

ENTER_KEYS = (13, 271)  # Return, keypad Enter


class WedgeScannerMixin:
    _wedge_buffer = ""

    def start_wedge(self) -> None:
        self._wedge_buffer = ""
        Window.bind(on_textinput=self._wedge_char, on_key_down=self._wedge_key)

    def stop_wedge(self) -> None:
        Window.unbind(on_textinput=self._wedge_char, on_key_down=self._wedge_key)

    def _typing_in_a_field(self) -> bool:
        return any(isinstance(w, TextInput) and w.focus for w in self.walk())

    def _wedge_char(self, _window, text: str) -> None:
        if not self._typing_in_a_field():
            self._wedge_buffer += text

    def _wedge_key(self, _window, key: int, *_args) -> bool:
        if key not in ENTER_KEYS or self._typing_in_a_field():
            return False
        token, self._wedge_buffer = self._wedge_buffer.strip(), ""
        if token:
            self.on_scan(token)
            return True
        return False

    def on_scan(self, token: str) -> None:  # pragma: no cover - screens override
        raise NotImplementedError
