"""The systemd watchdog fed from the Kivy main loop: a frozen UI stops the heartbeats and gets restarted.

The heartbeat is a Kivy `Clock` callback on purpose (never a thread): it only runs while the event loop
turns, so a UI blocked by a hung driver call or a deadlock misses its beats and systemd restarts the unit
after `WatchdogSec=`.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping

from kivy.clock import Clock

from kiosk.systemd import SystemdNotifier, watchdog_interval_s

log = logging.getLogger(__name__)


class UiWatchdog:
    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.notifier = SystemdNotifier(env)
        timeout = watchdog_interval_s(env)
        # Beat at a third of the timeout: two beats may be late before systemd acts.
        self.interval_s = timeout / 3 if timeout else None
        self.beats = 0
        self._event = None

    def start(self, status: str = "") -> None:
        """READY=1 once the first frame is drawn, then WATCHDOG=1 every interval from the Clock."""
        if not self.notifier.enabled:
            return
        Clock.schedule_once(lambda _dt: self._ready(status), 0)
        if self.interval_s:
            self._event = Clock.schedule_interval(self._beat, self.interval_s)

    def _ready(self, status: str) -> None:
        self.notifier.ready(status)
        log.info("systemd notified ready", extra={"watchdog_s": round(self.interval_s * 3, 3) if self.interval_s else 0})

    def _beat(self, _dt: float) -> None:
        if self.notifier.ping():
            self.beats += 1

    def stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self.notifier.stopping()
        self.notifier.close()
