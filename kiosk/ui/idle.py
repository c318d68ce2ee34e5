"""Idle timeout: any touch or key restarts the countdown; when it runs out the app goes back to its welcome screen."""
from __future__ import annotations

import time
from collections.abc import Callable

from kivy.clock import Clock
from kivy.core.window import Window


class IdleWatcher:
    def __init__(self, timeout_s: float, on_idle: Callable[[], None], clock: Callable[[], float] = time.monotonic):
        self.timeout_s = timeout_s
        self._on_idle = on_idle
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
        self._last = self._clock()

    def poke(self) -> None:
        self._last = self._clock()

    def idle_for(self) -> float:
        return self._clock() - self._last

    def _check(self, _dt: float) -> None:
        if self.idle_for() >= self.timeout_s:
            self._last = self._clock()
            self._on_idle()
