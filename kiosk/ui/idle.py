"""Idle timeout: any touch or key restarts the countdown; when it runs out the app goes back to its welcome screen."""
from __future__ import annotations

import time
from collections.abc import Callable

from kivy.clock import Clock
from kivy.core.window import Window


class IdleWatcher:
    """`on_warn(seconds_left)` is called every half second during the last `warn_s` seconds, `on_active()` when
    someone touches the screen after a warning, `on_idle()` when the time is up."""

    def __init__(self, timeout_s: float, on_idle: Callable[[], None], clock: Callable[[], float] = time.monotonic,
                 warn_s: float = 0, on_warn: Callable[[float], None] | None = None,
                 on_active: Callable[[], None] | None = None):
        self.timeout_s = timeout_s
        self.warn_s = min(warn_s, timeout_s / 2)
        self._on_idle = on_idle
        self._on_warn = on_warn
        self._on_active = on_active
        self._warned = False
        self._clock = clock
        self._last = clock()
        self._event = None

    def start(self) -> None:
        Window.bind(on_touch_down=self._activity, on_key_down=self._activity, on_textinput=self._activity)
        self._event = Clock.schedule_interval(self._check, 0.5)

    def stop(self) -> None:
        Window.unbind(on_touch_down=self._activity, on_key_down=self._activity, on_textinput=self._activity)
        if self._event is not None:
            self._event.cancel()

    def _activity(self, *args) -> None:
        self.poke()

    def poke(self) -> None:
        self._last = self._clock()
        if self._warned:
            self._warned = False
            if self._on_active is not None:
                self._on_active()

    def idle_for(self) -> float:
        return self._clock() - self._last

    def _check(self, _dt: float) -> None:
        idle = self.idle_for()
        if idle >= self.timeout_s:
            self._last = self._clock()
            self._warned = False
            self._on_idle()
        elif self._on_warn is not None and self.warn_s and idle >= self.timeout_s - self.warn_s:
            self._warned = True
            self._on_warn(self.timeout_s - idle)
