"""Reading a keyboard-wedge scanner on a screen: it "types" the code and Enter; no text field needs the focus.

The serial or HID scanner of the config (`devices.scanner`), when there is one, is a long-lived service:
while the screen is shown it subscribes to its codes, which go to the same `on_scan` on the Kivy thread.

The screen listens to the window's key events while it is shown and hands each finished line to
`on_scan`, whatever has the focus: the screens' own text fields are typed on the on-screen keyboard
(`keyboard_mode: "managed"`), so key events from the window are the scanner's. Only a field that takes a
hardware keyboard (`keyboard_mode: "auto"`) and has the focus keeps them.
"""
from __future__ import annotations

import time

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.textinput import TextInput

from kiosk.app.scanning import start_code_scanner

ENTER_KEYS = (13, 271)  # Return, keypad Enter
# A scanner types a whole code in one burst (a few ms a key); keys after a pause longer than this start a new
# code, so that letters typed by hand before a scan (on a hardware keyboard, at the survey desk's comment) are
# not read as the start of the pass.
WEDGE_GAP_S = 1.0


class WedgeScannerMixin:
    _wedge_buffer = ""
    _wedge_last = 0.0  # when the buffer's last key came (the clock below)
    _wedge_clock = staticmethod(time.monotonic)
    _device_scanner = None

    def start_wedge(self, *, device: bool = True) -> None:
        """Listen to the window's keys; with `device`, also to the configured scanner (a screen that reads the
        scanner through the flow already passes False)."""
        self._wedge_buffer = ""
        Window.unbind(on_textinput=self._wedge_char, on_key_down=self._wedge_key)  # never bound twice
        Window.bind(on_textinput=self._wedge_char, on_key_down=self._wedge_key)
        if device and self._device_scanner is None:
            self._device_scanner = start_code_scanner(
                self.services.devices.scanner, lambda text: Clock.schedule_once(lambda _dt: self._device_code(text), 0)
            )

    def stop_wedge(self) -> None:
        Window.unbind(on_textinput=self._wedge_char, on_key_down=self._wedge_key)
        if self._device_scanner is not None:
            self._device_scanner.stop()
            self._device_scanner = None

    def _device_code(self, text: str) -> None:
        if self._device_scanner is not None and text.strip():
            self.on_scan(text.strip())

    def _typing_in_a_field(self) -> bool:
        return any(isinstance(w, TextInput) and w.focus and w.keyboard_mode == "auto" for w in self.walk())

    def _wedge_char(self, _window, text: str) -> None:
        if not self._typing_in_a_field():
            now = self._wedge_clock()
            if now - self._wedge_last > WEDGE_GAP_S:
                self._wedge_buffer = ""
            self._wedge_buffer += text
            self._wedge_last = now

    def _wedge_key(self, _window, key: int, *_args) -> bool:
        if key == 8 and not self._typing_in_a_field():  # Backspace: a person typing on a hardware keyboard
            self._wedge_buffer = self._wedge_buffer[:-1]
            return False
        if key not in ENTER_KEYS or self._typing_in_a_field():
            return False
        token, self._wedge_buffer = self._wedge_buffer.strip(), ""
        if token:
            self.on_scan(token)
            return True
        return False

    def on_scan(self, token: str) -> None:  # pragma: no cover - screens override
        raise NotImplementedError
