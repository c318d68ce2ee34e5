"""The outbox worker: delivers queued messages at least once, in order per visit, backing off per message
and per destination, and parking what will never go through so the rest of the backlog flows.

Crash safety: a message is marked sent only after its destination answered; a kill in between makes
the next run send it again, and the destination's idempotency key turns the repeat into a no-op.
Order: `OutboxRepository.due` hands out only the oldest unsent message of each aggregate (visit); a
message parked for staff holds the later messages of its visit behind it (they would describe a visit
the destination does not have right), and `kiosk sync status` lists both.

Failures, and who pays for them:
- the destination is down (no answer, 429, 503): the destination backs off as a whole and no message is
  charged an attempt (a long outage parks nothing);
- the destination answered this message with a transient error (500, 502, 504, 408, ...): this message
  backs off on its own (exponential, with jitter) and is charged an attempt; after `max_attempts` it is
  parked with its last reason, and the other messages keep flowing meanwhile. When several different
  messages fail in a row with nothing delivered in between, the destination itself is failing: it backs
  off as a whole and nobody is charged (so a server answering 500 to everything parks nothing);
- the message cannot go yet (425: what it refers to is not known here yet, e.g. a gate's offline scan of a
  visit not pulled yet): it waits on its own with a delay growing with its age, never charged nor parked;
- the destination refused this message (any other 4xx, including 409 for an idempotency key stored with
  another body): parked at once with the destination's reason, never marked sent.
"""
from __future__ import annotations

import json
import logging
import math
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
from kiosk.sync.errors import DeliveryError, is_transient_status

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

    # Optional: `batch_item(message) -> dict`, the message as an item of the destination's batch request
    # (a handler with it is sent through the worker's batcher; its `send` stays the one-by-one path).


class Batcher(Protocol):
    """Sends many items in one request; answers a result per item ({status, reason?}), in order."""

    destination: str
    max_items: int
    max_bytes: int

    def push_batch(self, items: list[dict]) -> list[dict]: ...


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
        max_attempts: int = 8,
        batcher: Batcher | None = None,
        on_cycle: Callable[[], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.clock, self.db, self.outbox = clock, db, outbox
        self.handlers = handlers
        self.base_s, self.max_s, self.batch, self.poll_s = base_s, max_s, batch, poll_s
        self.max_attempts = max_attempts
        self.batcher = batcher
        self._defect = ""
        self.on_cycle = on_cycle
        self.rng = rng or random.Random()
        self._state = WorkerState.IDLE
        self._last_error = ""
        self._blocked: dict[str, datetime] = {}  # destination -> not before
        self._failures: dict[str, int] = {}  # consecutive destination-wide failures per destination
        self._failing: dict[str, set[int]] = {}  # messages failed per destination since its last delivery
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
        self._defect = ""
        due = self.outbox.due(now, self.batch, topics)
        if self.batcher is not None:
            batched = [m for m in due if callable(getattr(self.handlers[m.topic], "batch_item", None))]
            if batched:
                self._send_batches(batched, blocked, result)
                ids = {m.id for m in batched}
                due = [m for m in due if m.id not in ids]
        for message in due:
            self._send_one(message, blocked, result)
        if self._defect:
            self._set(WorkerState.ERROR, self._defect)
        elif not blocked:
            self._set(WorkerState.IDLE, self._last_error if result.retried else ("" if result.sent else None))
        else:
            self._set(WorkerState.BACKING_OFF)
        return result

    def _send_one(self, message: OutboxMessage, blocked: set[str], result: DrainResult) -> None:
        handler = self.handlers[message.topic]
        if handler.destination in blocked:
            return
        self._set(WorkerState.SENDING)
        try:
            also = handler.send(message)
        except DeliveryError as exc:
            self._failed(message, handler, exc, blocked, result)
            return
        except Exception as exc:  # a defect of ours: keep the message, say so, try again later (or park it)
            log.exception("outbox handler failed", extra={"topic": message.topic, "msg_id": message.id})
            reason = f"{type(exc).__name__}: {exc}"[:300]
            if message.attempts + 1 >= self.max_attempts:
                self._park(message, handler, f"gave up after {message.attempts + 1} attempts: {reason}")
                result.parked += 1
            else:
                self._retry_later(message, handler.destination, reason)
                result.retried += 1
            self._defect = reason
            return
        self.outbox.mark_sent(message.id, self.clock.now(), also)
        self._delivered(handler.destination)
        result.sent += 1

    def _delivered(self, destination: str) -> None:
        self._failures.pop(destination, None)
        self._blocked.pop(destination, None)
        self._failing.pop(destination, None)

    def _failed(self, message: OutboxMessage, handler: Handler, exc: DeliveryError, blocked: set[str],
                result: DrainResult, *, destination_ok: bool = False) -> None:
        """One message's failure, by the rules in this module's docstring. `destination_ok`: the destination
        delivered other messages in the same request, so this failure is the message's own."""
        if not exc.transient:
            self._park(message, handler, exc.reason)
            result.parked += 1
        elif exc.not_yet:
            self._retry_later(message, handler.destination, exc.reason, charge=False)
            result.retried += 1
        elif not destination_ok and self._destination_failing(handler.destination, message, exc):
            self._block(message, handler.destination, exc.reason)
            blocked.add(handler.destination)
            result.retried += 1
        elif message.attempts + 1 >= self.max_attempts:
            self._park(message, handler, f"gave up after {message.attempts + 1} attempts: {exc.reason}")
            result.parked += 1
        else:
            self._retry_later(message, handler.destination, exc.reason)
            result.retried += 1

    def _send_batches(self, messages: list[OutboxMessage], blocked: set[str], result: DrainResult) -> None:
        """Many messages per request (the batch endpoint answers per item, with the status a single push would
        have had). A request failing as a whole for a reason other than the destination being down is sent
        again one message at a time in the same pass, so one bad item cannot hold its neighbours."""
        destination = self.batcher.destination
        ready: list[tuple[OutboxMessage, dict]] = []
        for message in messages:
            handler = self.handlers[message.topic]
            try:
                ready.append((message, handler.batch_item(message)))
            except DeliveryError as exc:
                self._failed(message, handler, exc, blocked, result)
        for chunk in _chunks(ready, self.batcher.max_items, self.batcher.max_bytes):
            if destination in blocked:
                return
            if len(chunk) == 1:  # a batch of one is a single push
                self._send_one(chunk[0][0], blocked, result)
                continue
            self._set(WorkerState.SENDING)
            try:
                answers = self.batcher.push_batch([item for _, item in chunk])
                if len(answers) != len(chunk):
                    raise DeliveryError(destination, "batch answer does not match the request", transient=True, status=502)
            except DeliveryError as exc:
                if exc.destination_down:
                    self._failed(chunk[0][0], self.handlers[chunk[0][0].topic], exc, blocked, result)
                    return
                for message, _ in chunk:
                    self._send_one(message, blocked, result)
                continue
            sent = [m.id for (m, _), a in zip(chunk, answers, strict=True) if a.get("status") in (200, 201)]
            if sent:
                self.outbox.mark_sent_many(sent, self.clock.now())
                self._delivered(destination)
                result.sent += len(sent)
            for (message, _), answer in zip(chunk, answers, strict=True):
                status = int(answer.get("status") or 0)
                if status in (200, 201):
                    continue
                exc = DeliveryError(destination, f"HTTP {status}: {answer.get('reason') or 'refused'}",
                                    transient=is_transient_status(status), status=status)
                self._failed(message, self.handlers[message.topic], exc, blocked, result, destination_ok=bool(sent))

    def _destination_failing(self, destination: str, message: OutboxMessage, exc: DeliveryError) -> bool:
        """Whether this transient failure is the destination's rather than the message's: it said so (no
        answer, 429, 503), or this is the third different message in a row it failed with nothing delivered."""
        if exc.destination_down:
            return True
        failing = self._failing.setdefault(destination, set())
        failing.add(message.id)
        return len(failing) >= 3

    def _park(self, message: OutboxMessage, handler: Handler, reason: str) -> None:
        self.outbox.park(message.id, reason, also=_bind(handler.parked, message, reason))
        log.warning("outbox message parked", extra={"topic": message.topic, "msg_id": message.id, "reason": reason})

    def _next_at(self, failures: int) -> tuple[datetime, timedelta]:
        delay = timedelta(seconds=backoff_delay(failures, self.base_s, self.max_s, self.rng))
        next_at = self.clock.now() + delay
        return next_at.replace(microsecond=next_at.microsecond // 1000 * 1000), delay  # as stored (ms)

    def _retry_later(self, message: OutboxMessage, destination: str, reason: str, *, charge: bool = True) -> None:
        """This message waits (charged an attempt, unless it merely cannot go yet); the destination stays open."""
        if charge:
            next_at, delay = self._next_at(message.attempts)
            self.outbox.reschedule(message.id, next_at, reason)
        else:
            age_s = max(0.0, (self.clock.now() - message.created_at).total_seconds())
            next_at, delay = self._next_at(int(math.log2(1 + age_s / self.base_s)))
            self.outbox.note_error(message.id, next_at, reason)
        self._last_error = f"{destination}: {reason}"
        log.info("outbox message deferred", extra={"topic": message.topic, "msg_id": message.id, "attempts": message.attempts + 1,
                                                  "delay_s": round(delay.total_seconds(), 2), "reason": reason})

    def _block(self, message: OutboxMessage, destination: str, reason: str) -> None:
        """The destination waits as a whole; no message is charged an attempt."""
        failures = self._failures.get(destination, 0)
        self._failures[destination] = failures + 1
        next_at, delay = self._next_at(failures)
        self.outbox.note_error(message.id, next_at, reason)
        self._blocked[destination] = next_at
        self._set(WorkerState.BACKING_OFF, f"{destination}: {reason}")
        log.info("outbox destination backing off", extra={"topic": message.topic, "destination": destination,
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
        if self._state != WorkerState.STOPPED:  # stopped before its loop ran (e.g. SIGTERM at start-up)
            self._set(WorkerState.STOPPED)

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


def _chunks(ready: list, max_items: int, max_bytes: int):
    """Consecutive runs of at most max_items items and about max_bytes of JSON (an item larger than that alone)."""
    chunk: list = []
    size = 0
    for entry in ready:
        n = len(json.dumps(entry[1], separators=(",", ":")))
        if chunk and (len(chunk) >= max_items or size + n > max_bytes):
            yield chunk
            chunk, size = [], 0
        chunk.append(entry)
        size += n
    if chunk:
        yield chunk


def _bind(fn, message: OutboxMessage, reason: str) -> Callable[[sqlite3.Connection], None]:
    return lambda conn: fn(conn, message, reason)
