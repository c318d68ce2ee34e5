"""The outbox worker: delivers queued messages at least once, in order per visit, backing off when a destination is down.

Crash safety: a message is marked sent only after its destination answered; a kill in between makes
the next run send it again, and the destination's idempotency key turns the repeat into a no-op.
Order: `OutboxRepository.due` hands out only the oldest pending message of each aggregate (visit).
"""
from __future__ import annotations

import json
import logging
import os
import random
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from kiosk.store.outbox import OutboxMessage, OutboxRepository
from kiosk.store.sync import SyncStateRepository
from kiosk.sync.errors import DeliveryError

if TYPE_CHECKING:
    from kiosk.domain.clock import Clock
    from kiosk.store.db import Database

log = logging.getLogger(__name__)


class WorkerState(StrEnum):
    IDLE = "idle"
    SENDING = "sending"
    BACKING_OFF = "backing_off"
    ERROR = "error"
    STOPPED = "stopped"


class Handler(Protocol):
    """Delivers one topic. `send` raises DeliveryError; it may return a writer run in the transaction
    that marks the message sent (what the destination told us, e.g. a provider's message id)."""

    destination: str

    def send(self, message: OutboxMessage) -> Callable[[sqlite3.Connection], None] | None: ...

    def parked(self, conn: sqlite3.Connection, message: OutboxMessage, reason: str) -> None: ...


@dataclass
class DrainResult:
    sent: int = 0
    retried: int = 0
    parked: int = 0


def backoff_delay(failures: int, base_s: float, max_s: float, rng: random.Random) -> float:
    """Exponential backoff with 'equal jitter': between half and all of min(max, base * 2^failures),
    so kiosks that lost the network together do not all come back in the same second."""
    ceiling = min(max_s, base_s * 2 ** min(failures, 32))
    return rng.uniform(ceiling / 2, ceiling)


class OutboxWorker:
    def __init__(
        self,
        *,
        clock: Clock,
        db: Database,
        outbox: OutboxRepository,
        handlers: dict[str, Handler],
        base_s: float = 1.0,
        max_s: float = 300.0,
        batch: int = 100,
        poll_s: float = 1.0,
        on_cycle: Callable[[], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.clock, self.db, self.outbox = clock, db, outbox
        self.handlers = handlers
        self.base_s, self.max_s, self.batch, self.poll_s = base_s, max_s, batch, poll_s
        self.on_cycle = on_cycle
        self.rng = rng or random.Random()
        self._state = WorkerState.IDLE
        self._last_error = ""
        self._blocked: dict[str, datetime] = {}  # destination -> not before
        self._failures: dict[str, int] = {}  # consecutive transient failures per destination
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._state_repo = SyncStateRepository(db)

    # --- state, for the staff screen and `kiosk sync status` ---

    @property
    def state(self) -> WorkerState:
        return self._state

    @property
    def last_error(self) -> str:
        return self._last_error

    def _set(self, state: WorkerState, error: str | None = None) -> None:
        if error is not None:
            self._last_error = error
        if state == self._state and error is None:
            return
        self._state = state
        try:
            record = {"state": state.value, "last_error": self._last_error, "pid": os.getpid()}
            self._state_repo.set("worker", json.dumps(record), self.clock.now())
        except sqlite3.Error:  # the state record is a courtesy; never let it stop delivery
            log.warning("worker state not recorded")

    # --- one pass over what is due ---

    def drain_once(self) -> DrainResult:
        with self._lock:
            return self._drain()

    def _drain(self) -> DrainResult:
        result = DrainResult()
        now = self.clock.now()
        blocked = {d for d, until in self._blocked.items() if until > now}
        topics = [t for t, h in self.handlers.items() if h.destination not in blocked]
        for message in self.outbox.due(now, self.batch, topics):
            handler = self.handlers[message.topic]
            if handler.destination in blocked:
                continue
            self._set(WorkerState.SENDING)
            try:
                also = handler.send(message)
            except DeliveryError as exc:
                if exc.transient:
                    self._retry_later(message, handler.destination, exc.reason)
                    blocked.add(handler.destination)
                    result.retried += 1
                else:
                    self.outbox.park(message.id, exc.reason, also=_bind(handler.parked, message, exc.reason))
                    log.warning("outbox message parked", extra={"topic": message.topic, "msg_id": message.id, "reason": exc.reason})
                    result.parked += 1
                continue
            except Exception as exc:  # a defect of ours: keep the message, say so, try again later
                log.exception("outbox handler failed", extra={"topic": message.topic, "msg_id": message.id})
                self._retry_later(message, handler.destination, f"{type(exc).__name__}: {exc}"[:300])
                blocked.add(handler.destination)
                self._set(WorkerState.ERROR)
                result.retried += 1
                continue
            self.outbox.mark_sent(message.id, self.clock.now(), also)
            self._failures.pop(handler.destination, None)
            self._blocked.pop(handler.destination, None)
            result.sent += 1
        if not blocked:
            self._set(WorkerState.IDLE, "" if result.sent else None)
        elif self._state == WorkerState.SENDING:
            self._set(WorkerState.BACKING_OFF)
        return result

    def _retry_later(self, message: OutboxMessage, destination: str, reason: str) -> None:
        failures = max(message.attempts, self._failures.get(destination, 0))
        self._failures[destination] = failures + 1
        delay = timedelta(seconds=backoff_delay(failures, self.base_s, self.max_s, self.rng))
        next_at = self.clock.now() + delay
        next_at = next_at.replace(microsecond=next_at.microsecond // 1000 * 1000)  # as stored (ms)
        self.outbox.reschedule(message.id, next_at, reason)
        self._blocked[destination] = next_at
        self._set(WorkerState.BACKING_OFF, f"{destination}: {reason}")
        log.info("outbox delivery deferred", extra={"topic": message.topic, "destination": destination,
                                                   "delay_s": round(delay.total_seconds(), 2), "reason": reason})

    # --- the thread ---

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self.run_forever, name="outbox-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """Try again now (e.g. the network came back, or staff pressed 'send now')."""
        self._blocked.clear()

    def run_forever(self) -> None:
        try:
            while not self._stop.is_set():
                sent = 0
                try:
                    sent = self.drain_once().sent
                    if self.on_cycle is not None:
                        self.on_cycle()
                except Exception as exc:  # the database or a defect: say so, keep the thread alive
                    log.exception("outbox worker cycle failed")
                    self._set(WorkerState.ERROR, f"{type(exc).__name__}: {exc}"[:300])
                if not sent:
                    self._stop.wait(self.poll_s)
        finally:
            self._set(WorkerState.STOPPED)
            self.db.close()  # this thread's connection


def _bind(fn, message: OutboxMessage, reason: str) -> Callable[[sqlite3.Connection], None]:
    return lambda conn: fn(conn, message, reason)
