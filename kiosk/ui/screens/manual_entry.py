"""Manual entry: the guest types the NIK on a big keypad and the name on the keyboard, checked while typing."""
from __future__ import annotations

import logging

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from kiosk.app.identity import normalize_name
from kiosk.domain.errors import KioskError
from kiosk.ui.screens.base import KioskScreen

log = logging.getLogger(__name__)


class ManualEntryScreen(KioskScreen):
    """Typed NIK and name. On "Next" the result is `self.result` (a GuestIdentity) and `on_identity` fires;
    the flow then goes to the "confirm" screen when the app has one."""

    nik_digits = StringProperty("")
    name_text = StringProperty("")
    can_continue = BooleanProperty(False)
    result = ObjectProperty(None, allownone=True)

    __events__ = ("on_identity",)

    # --- what the guest does ---

    def press_digit(self, digit: str) -> None:
        if len(self.nik_digits) < 16:
            self.nik_digits += digit

    def delete_digit(self) -> None:
        self.nik_digits = self.nik_digits[:-1]

    def clear_digits(self) -> None:
        self.nik_digits = ""

    # A keyboard at the PTSP desk (or a wedge scanner in keyboard mode) may type the NIK digits too.
    def on_enter(self, *_args) -> None:
        from kivy.core.window import Window  # the window exists only once the app runs

        Window.bind(on_key_down=self._on_key_down)

    def on_leave(self, *_args) -> None:
        from kivy.core.window import Window  # the window exists only once the app runs

        Window.unbind(on_key_down=self._on_key_down)

    def _on_key_down(self, _window, key, _scancode, codepoint, _modifiers) -> bool:
        if self.ids.name_input.focus:
            return False
        if codepoint and codepoint.isascii() and codepoint.isdigit():
            self.press_digit(codepoint)
            return True
        if key == 8:  # backspace
            self.delete_digit()
            return True
        return False

    def submit(self) -> None:
        try:
            identity, info = self.services.identity.manual(self.nik_digits, self.name_text)
        except KioskError as exc:
            log.info("manual entry refused", extra={"code": exc.code})
            return
        self.result = identity
        log.info("manual entry accepted", extra={"warnings": ",".join(info.warnings)})
        self.dispatch("on_identity", identity)
        if self.manager.has_screen("confirm"):
            self.app.go("confirm")

    def on_identity(self, identity) -> None:
        pass

    # --- what the screen shows (re-evaluated by the .kv when digits, name or language change) ---

    def on_nik_digits(self, *_args) -> None:
        self._update()

    def on_name_text(self, *_args) -> None:
        self._update()

    def _update(self) -> None:
        ok = len(self.nik_digits) == 16 and self.services.identity.check_typing(self.nik_digits) is None
        self.can_continue = ok and self._name_error() is None

    def _name_error(self) -> KioskError | None:
        try:
            normalize_name(self.name_text)
        except KioskError as exc:
            return exc
        return None

    def nik_grouped(self, digits: str) -> str:
        return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4)) if digits else ""

    def nik_message(self, lang: str, digits: str) -> tuple[str, str]:
        """(text, tone) under the NIK: the error in words, the progress, or the region it names."""
        error = self.services.identity.check_typing(digits)
        if error is not None:
            return error.text(lang), "danger"
        if len(digits) < 16:
            return self.app.tr("manual_entry.nik_progress", lang, typed=len(digits)), "muted"
        info = self.services.identity.parse_nik(digits)
        where = ", ".join(p for p in (info.district, info.regency, info.province) if p)
        if info.warnings:
            return f"{where}. {self.app.tr('manual_entry.unknown_district', lang)}", "warning"
        return where, "ok"

    def name_message(self, lang: str, name: str) -> tuple[str, str]:
        if not name.strip():
            return self.app.tr("manual_entry.name_hint", lang), "muted"
        error = self._name_error()
        return (error.text(lang), "danger") if error else ("", "muted")

    def reset(self) -> None:
        self.nik_digits = ""
        self.name_text = ""
        self.result = None
        if "name_input" in self.ids:
            self.ids.name_input.text = ""
