"""A long-lived device service: owns one peripheral, checks it on its own thread, reconnects with backoff.

Home Assistant's coordinator pattern: one service per peripheral polls the device once for everyone;
screens and app services subscribe to its state and never open the device themselves. A service is
`unknown` until its first check, then `ok`, `degraded` (works, with a problem staff should see: paper
near end, one locker board of two silent) or `offline` (unusable: unplugged, no answer). After a
failed check the next one waits `backoff` seconds, doubling up to `backoff_max_s`; a good check
resets it. Each change of state is logged once with `staff_alert` and handed to `alert(code, data)`.

Subclasses implement `check()`: talk to the device (reopening it if it was lost) and return
`(state, detail)`, or raise. An exception is `offline` with the exception's words as `last_error`.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

OK, DEGRADED, OFFLINE, UNKNOWN = "ok", "degraded", "offline", "unknown"
STATES = (OK, DEGRADED, OFFLINE, UNKNOWN)

# The words staff read on the status screen, Indonesian first.
STATE_WORDS = {
    OK: ("baik", "ok"),
    DEGRADED: ("bermasalah", "degraded"),
    OFFLINE: ("tidak terhubung", "offline"),
    UNKNOWN: ("belum diketahui", "unknown"),
}


@dataclass(frozen=True)
class DeviceState:
    """A snapshot subscribers receive: which device, its state, and why (empty when ok)."""

    device: str
    state: str
    last_error: str = ""
    detail: str = ""
    since: float = 0.0  # time.monotonic() of the change

    def words(self, lang: str = "id") -> str:
        ind, eng = STATE_WORDS[self.state]
        return ind if lang == "id" else eng


Listener = Callable[[DeviceState], None]
Alert = Callable[[str, dict], None]


def error_text(exc: BaseException) -> str:
    """An exception as words staff can act on (a KioskError's English text, else its type and message)."""
    text = getattr(exc, "text_en", None)
    if text:
        return str(text)
    message = str(exc).strip()
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


class DeviceService:
    """Base of every peripheral's service. `start()` begins the background checks; `stop()` ends them."""

    kind = "device"

    def __init__(
        self,
        name: str,
        *,
        alert: Alert | None = None,
        poll_s: float = 5.0,
        backoff_s: float = 0.5,
        backoff_max_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.poll_s = poll_s
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s
        self._alert = alert
        self._clock = clock
        self._state = DeviceState(name, UNKNOWN, since=clock())
        self._listeners: list[Listener] = []
        self._mutex = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.checks = 0

    # --- what subscribers read ---

    @property
    def state(self) -> str:
        return self._state.state

    @property
    def last_error(self) -> str:
        return self._state.last_error

    @property
    def snapshot(self) -> DeviceState:
        return self._state

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(DeviceState)` now and on every change (from the service's thread); returns unsubscribe."""
        with self._mutex:
            self._listeners.append(listener)
        self._call(listener, self._state)

        def unsubscribe() -> None:
            with self._mutex:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    # --- lifecycle ---

    def start(self) -> DeviceService:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=f"device-{self.name}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None
        try:
            self.release()
        except Exception:  # releasing a vanished device may fail in any way; nothing left to do
            log.debug("device release failed", extra={"device": self.name}, exc_info=True)

    def started_checks(self) -> bool:
        return self._thread is not None

    def refresh(self) -> None:
        """Check now instead of at the next poll (after a failed use, or when staff ask)."""
        self._wake.set()

    def check_now(self) -> DeviceState:
        """Run one check on the caller's thread and publish its result (CLI, self-test, tests)."""
        self._check_once()
        return self._state

    # --- for subclasses ---

    def check(self) -> tuple[str, str]:
        raise NotImplementedError

    def release(self) -> None:
        """Close the device (stop)."""

    def report(self, state: str, error: str = "", detail: str = "") -> None:
        """Publish a state learnt while using the device (a print that failed, a board that went silent)."""
        self._publish(state, error, detail)
        if state in (OFFLINE, DEGRADED):
            self.refresh()

    # --- the loop ---

    def _check_once(self) -> str:
        self.checks += 1
        try:
            state, detail = self.check()
            error = detail if state != OK else ""
        except Exception as exc:  # any driver failure is this device being offline, never a crash
            state, detail, error = OFFLINE, "", error_text(exc)
        self._publish(state, error, detail)
        return state

    def _run(self) -> None:
        delay = self.backoff_s
        while not self._stop.is_set():
            state = self._check_once()
            if state == OFFLINE:
                wait, delay = delay, min(delay * 2, self.backoff_max_s)
            else:
                wait, delay = self.poll_s, self.backoff_s
            self._wake.wait(wait)
            self._wake.clear()

    def _publish(self, state: str, error: str, detail: str) -> None:
        with self._mutex:
            old = self._state
            if (old.state, old.last_error, old.detail) == (state, error, detail):
                return
            new = DeviceState(self.name, state, error, detail, self._clock() if state != old.state else old.since)
            self._state = new
            listeners = list(self._listeners)
        if state != old.state:
            level = logging.INFO if state == OK else logging.WARNING
            log.log(
                level,
                "device state changed",
                extra={"device": self.name, "state": state, "was": old.state, "error": error, "staff_alert": state != OK},
            )
            if self._alert is not None and not (old.state == UNKNOWN and state == OK):  # a normal start-up is no news
                self._send_alert(new, old)
        for listener in listeners:
            self._call(listener, new)

    def _send_alert(self, new: DeviceState, old: DeviceState) -> None:
        try:
            self._alert(f"device_{new.state}", {"device": self.name, "state": new.state, "was": old.state, "error": new.last_error})
        except Exception:  # an alert that cannot be queued must not stop the device's checks
            log.exception("device alert failed", extra={"device": self.name})

    def _call(self, listener: Listener, state: DeviceState) -> None:
        try:
            listener(state)
        except Exception:
            log.exception("device listener failed", extra={"device": self.name})


class StaticService(DeviceService):
    """A peripheral switched off in the config: always one state, no thread."""

    def __init__(self, name: str, state: str = UNKNOWN, detail: str = "", **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self._fixed = (state, detail)

    def check(self) -> tuple[str, str]:
        return self._fixed

    def start(self) -> DeviceService:
        self._check_once()
        return self
