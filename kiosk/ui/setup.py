"""Kivy set-up that must happen before `kivy.core.window` is imported: environment, window size, fullscreen."""
from __future__ import annotations

import ctypes
import ctypes.util
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


def configure_window(*, width: int, height: int, fullscreen: bool, fit_screen: bool = False) -> None:
    """`fit_screen` (the kiosk itself, not the tests' windows of a chosen size): the window is the X screen's
    size when fullscreen and never larger than the screen otherwise."""
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
    if fit_screen:
        width, height = window_size(width, height, fullscreen, x_screen_size())
    if fullscreen:
        # Also without a window manager (xinit on a Pi, a bare X server), where SDL's "fullscreen" request is
        # not honoured: a borderless window of the screen's size at its corner.
        Config.set("graphics", "borderless", "1")
        Config.set("graphics", "position", "custom")
        Config.set("graphics", "left", "0")
        Config.set("graphics", "top", "0")
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "show_cursor", "0" if fullscreen else "1")


def window_size(width: int, height: int, fullscreen: bool, screen: tuple[int, int] | None) -> tuple[int, int]:
    """The window to make: the whole screen when fullscreen, else the configured size, never larger than the
    screen (a 1280x800 window on an 800x480 panel would hide a third of every screen)."""
    if screen is None:
        return width, height
    sw, sh = screen
    if fullscreen:
        return sw, sh
    return min(width, sw), min(height, sh)


def x_screen_size() -> tuple[int, int] | None:
    """The X screen's size in pixels from libX11 (already loaded by SDL); None without X or libX11."""
    if not os.environ.get("DISPLAY"):
        return None
    try:
        x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    except OSError:
        return None
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultScreen.argtypes = [ctypes.c_void_p]
    x11.XDisplayWidth.argtypes = x11.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(None)
    if not display:
        return None
    try:
        screen = x11.XDefaultScreen(display)
        size = int(x11.XDisplayWidth(display, screen)), int(x11.XDisplayHeight(display, screen))
    finally:
        x11.XCloseDisplay(display)
    return size if size[0] > 0 and size[1] > 0 else None
