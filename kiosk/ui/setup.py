"""Kivy set-up that must happen before `kivy.core.window` is imported: environment, window size, fullscreen."""
from __future__ import annotations

import os
import tempfile


def prepare_environment() -> None:
    """Environment Kivy reads at import time: our own argv, logs through Python logging, a private home."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    if "KIVY_HOME" not in os.environ:
        home = os.path.join(tempfile.gettempdir(), f"kiosk-kivy-{os.getuid()}")
        os.makedirs(home, exist_ok=True)
        os.environ["KIVY_HOME"] = home
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        # No X/Wayland: on a Raspberry Pi console SDL2 uses KMS/DRM by itself; nothing to set.
        pass


def configure_window(*, width: int, height: int, fullscreen: bool) -> None:
    prepare_environment()
    # After prepare_environment: Kivy reads its environment on import.
    from kivy.config import Config

    # Lockdown (see KioskApp too): Escape never ends the app; a right or middle click is a plain touch, not
    # multitouch emulation leaving red dots; no Kivy module (inspector, keybinding, monitor, screen ...) from
    # a config.ini in KIVY_HOME; and nothing changed at run time is written back to that file.
    Config.set("kivy", "exit_on_escape", "0")
    # A hardware keyboard (or a scanner typing like one) only: Kivy's own grey on-screen keyboard never
    # appears; every screen with a text field brings kiosk.ui.keyboard.OnScreenKeyboard.
    Config.set("kivy", "keyboard_mode", "system")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    if Config.has_section("modules"):
        for name in Config.options("modules"):
            Config.remove_option("modules", name)
    Config.write = lambda *args, **kwargs: False
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "show_cursor", "0" if fullscreen else "1")
