"""USB HID keyboard-wedge scanner read with python-evdev under an exclusive grab, and its keystroke simulator.

A wedge scanner "types" each code followed by Enter. Typed into Kivy/SDL2 fast scanners lose characters
(kivy issue 6801), so we read the input device ourselves and `grab()` it so scans never reach the UI.
`KeyDecoder` turns key events (US layout, as wedge scanners ship) into lines; it is pure and tested with
recorded events. `ScriptedKeySource` replays keystroke bursts at the same seam as `EvdevKeySource`.
"""
from __future__ import annotations

import contextlib
import select
import string
import time
from collections.abc import Iterable
from dataclasses import dataclass

from kiosk.devices.scan_framing import CodeFramer, Framing
from kiosk.devices.scanner import ScannerUnavailable, ThreadedScanner

# Linux input event codes (linux/input-event-codes.h); fixed by the kernel ABI, same as evdev.ecodes.
EV_KEY = 1
KEY_ENTER, KEY_KPENTER, KEY_TAB, KEY_BACKSPACE, KEY_CAPSLOCK = 28, 96, 15, 14, 58
KEY_LEFTSHIFT, KEY_RIGHTSHIFT = 42, 54
_KEY_DOWN, _KEY_REPEAT = 1, 2

_ROWS = [  # (first keycode, unshifted, shifted) for each run of consecutive keycodes
    (2, "1234567890-=", "!@#$%^&*()_+"),
    (16, "qwertyuiop[]", "QWERTYUIOP{}"),
    (30, "asdfghjkl;'`", 'ASDFGHJKL:"~'),
    (43, "\\zxcvbnm,./", "|ZXCVBNM<>?"),
    (57, " ", " "),
    (71, "789-456+1230.", "789-456+1230."),  # keypad
    (98, "/", "/"),  # keypad slash
    (55, "*", "*"),  # keypad asterisk
]
KEYMAP: dict[int, tuple[str, str]] = {}
for _first, _plain, _shift in _ROWS:
    for _i, (_p, _s) in enumerate(zip(_plain, _shift, strict=True)):
        KEYMAP[_first + _i] = (_p, _s)
KEYMAP[KEY_TAB] = ("\t", "\t")
CHAR_TO_KEY: dict[str, tuple[int, bool]] = {}
for _code, (_p, _s) in sorted(KEYMAP.items(), reverse=True):  # main block wins over the keypad
    CHAR_TO_KEY[_p] = (_code, False)
    CHAR_TO_KEY.setdefault(_s, (_code, True))


@dataclass(frozen=True)
class KeyEvent:
    """The fields of an evdev InputEvent the decoder reads (evdev's own events fit as they are)."""

    type: int
    code: int
    value: int
    time: float | None = None  # seconds, as evdev's InputEvent.timestamp(); None when not recorded


def _event_time(ev) -> float | None:
    stamp = getattr(ev, "timestamp", None)
    if callable(stamp):
        return stamp()
    return getattr(ev, "time", None)


class KeyDecoder:
    """Key events -> completed lines. Shift and Caps Lock handled; other keys and repeats ignored.

    With `inter_char_timeout_s`, a key that comes that long after the previous one (by `now` given to
    feed(), else the events' own time stamps) first ends the code before it, and `expire(now)` ends a
    code whose Enter never came.
    """

    def __init__(self, max_line: int = 8192, inter_char_timeout_s: float | None = None) -> None:
        self._chars: list[str] = []
        self._shift: set[int] = set()
        self._caps = False
        self.max_line = max_line
        self.inter_char_timeout_s = inter_char_timeout_s
        self._last: float | None = None

    def expire(self, now: float) -> list[str]:
        if (self._chars and self.inter_char_timeout_s is not None and self._last is not None
                and now - self._last >= self.inter_char_timeout_s):
            line = "".join(self._chars)
            self._chars.clear()
            return [line]
        return []

    def feed(self, events: Iterable, now: float | None = None) -> list[str]:
        lines = []
        for ev in events:
            if ev.type != EV_KEY:
                continue  # EV_SYN, EV_MSC (scan codes), EV_LED
            # A live device is read as its keys arrive: `now` (one clock for expire()); recordings carry their own.
            at = now if now is not None else _event_time(ev)
            if at is not None:
                lines += self.expire(at)
                self._last = at
            if ev.code in (KEY_LEFTSHIFT, KEY_RIGHTSHIFT):
                (self._shift.add if ev.value else self._shift.discard)(ev.code)
                continue
            if ev.value != _KEY_DOWN:
                continue  # releases; repeats come only from a stuck key, never from a scan
            if ev.code in (KEY_ENTER, KEY_KPENTER):
                if self._chars:
                    lines.append("".join(self._chars))
                self._chars.clear()
            elif ev.code == KEY_CAPSLOCK:
                self._caps = not self._caps
            elif ev.code == KEY_BACKSPACE:
                if self._chars:
                    self._chars.pop()
            elif ev.code in KEYMAP:
                plain, shifted = KEYMAP[ev.code]
                ch = shifted if self._shift else plain
                if self._caps and ch in string.ascii_letters:
                    ch = ch.swapcase()
                if len(self._chars) < self.max_line:
                    self._chars.append(ch)
        return lines


def keystrokes(text: str, *, enter: bool = True) -> list[KeyEvent]:
    """The events a wedge scanner sends to type `text` (what ScriptedKeySource replays); ASCII only."""
    events: list[KeyEvent] = []
    for ch in text:
        if ch not in CHAR_TO_KEY:
            raise ValueError(f"a wedge scanner cannot type {ch!r}")
        code, shift = CHAR_TO_KEY[ch]
        if shift:
            events.append(KeyEvent(EV_KEY, KEY_LEFTSHIFT, 1))
        events += [KeyEvent(EV_KEY, code, 1), KeyEvent(0, 0, 0), KeyEvent(EV_KEY, code, 0), KeyEvent(0, 0, 0)]
        if shift:
            events.append(KeyEvent(EV_KEY, KEY_LEFTSHIFT, 0))
    if enter:
        events += [KeyEvent(EV_KEY, KEY_ENTER, 1), KeyEvent(0, 0, 0), KeyEvent(EV_KEY, KEY_ENTER, 0)]
    return events


class EvdevKeySource:
    """A /dev/input/event* device, grabbed exclusively while open."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._dev = None

    def open(self) -> None:
        try:
            import evdev

            self._dev = evdev.InputDevice(self.path)
            self._dev.grab()
        except (ImportError, OSError) as exc:
            if self._dev is not None:
                self._dev.close()
                self._dev = None
            raise ScannerUnavailable(self.path, f"{type(exc).__name__}: {exc}") from None

    def read(self, timeout: float) -> list:
        ready, _, _ = select.select([self._dev.fd], [], [], timeout)
        if not ready:
            return []
        return list(self._dev.read())  # raises OSError when the device is unplugged -> reconnect

    def close(self) -> None:
        if self._dev is not None:
            with contextlib.suppress(OSError):
                self._dev.ungrab()
            self._dev.close()
            self._dev = None


class ScriptedKeySource:
    """Simulator: replays bursts of key events (from `keystrokes()` or a recording), one burst per read; an empty
    burst is a read that times out with no key pressed (a pause between scans)."""

    def __init__(self, bursts: Iterable[Iterable]) -> None:
        self._bursts = [list(b) for b in bursts]
        self.opened = False

    def open(self) -> None:
        self.opened = True

    def read(self, timeout: float) -> list:
        if self._bursts:
            burst = self._bursts.pop(0)
            if burst:
                return burst
        time.sleep(timeout)
        return []

    def close(self) -> None:
        self.opened = False


class HidScanner(ThreadedScanner):
    source = "hid"

    def __init__(self, keys: EvdevKeySource | ScriptedKeySource, debounce_s: float = 2.0, *,
                 framing: Framing | None = None, **kwargs) -> None:
        super().__init__(debounce_s, **kwargs)
        self.keys = keys
        self.framer = CodeFramer(framing)
        self.decoder = self._decoder()

    def _decoder(self) -> KeyDecoder:
        return KeyDecoder(inter_char_timeout_s=self.framer.framing.inter_char_timeout_s)

    @classmethod
    def for_device(cls, path: str, debounce_s: float = 2.0, *, framing: Framing | None = None) -> HidScanner:
        return cls(EvdevKeySource(path), debounce_s, framing=framing)

    def _open(self) -> None:
        self.decoder = self._decoder()  # a half-typed code from before a reconnect is garbage
        self.keys.open()

    def _poll(self) -> list[tuple[bytes, str]]:
        events = self.keys.read(min(0.1, self.framer.framing.inter_char_timeout_s / 2))
        lines = self.decoder.feed(events, time.monotonic()) if events else self.decoder.expire(time.monotonic())
        out = []
        for line in lines:
            code, symbology = self.framer.strip(line.encode("utf-8"))
            if code:
                out.append((code, symbology or "KEYBOARD"))
        return out

    def _close(self) -> None:
        self.keys.close()
