"""Run slow work (decode, OCR, print, network) off the Kivy thread and hand the result back on it."""
from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from kivy.clock import Clock

log = logging.getLogger(__name__)
_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kiosk-ui-work")


def run_in_background(
    work: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[BaseException], None] | None = None
) -> Future:
    def finished(fut: Future) -> None:
        exc = fut.exception()
        if exc is not None:
            if on_error is None:
                log.error("background work failed", exc_info=exc)
            else:
                Clock.schedule_once(lambda _dt: on_error(exc), 0)
            return
        result = fut.result()
        Clock.schedule_once(lambda _dt: on_done(result), 0)

    fut = _pool.submit(work)
    fut.add_done_callback(finished)
    return fut
