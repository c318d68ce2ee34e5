"""Why a delivery failed, and whether trying again can help (the worker retries or parks on this)."""
from __future__ import annotations

from kiosk.domain.errors import KioskError

# HTTP answers that mean "not now" rather than "never": timeout, too early, too many requests. A 409 is
# "never": the same idempotency key was stored with another body, so the message is parked, never marked sent.
TRANSIENT_4XX = frozenset({408, 425, 429})
# Answers about the destination as a whole (overloaded, unavailable) rather than about one message.
DESTINATION_DOWN = frozenset({429, 503})


def is_transient_status(status: int) -> bool:
    return status >= 500 or status in TRANSIENT_4XX or status < 400


class DeliveryError(KioskError):
    """A message did not reach its destination. `transient` failures are retried with backoff; the
    others are parked with `reason` for staff to see."""

    code = "delivery_failed"

    def __init__(self, target: str, reason: str, *, transient: bool, status: int | None = None,
                 maybe_delivered: bool = False) -> None:
        super().__init__(target=target, reason=reason, status=status or 0, transient=transient)
        self.target = target
        self.reason = reason
        self.transient = transient
        self.status = status
        # No answer came, but the request may have been received and acted on (read timeout, reset mid-answer).
        self.maybe_delivered = maybe_delivered

    @property
    def not_yet(self) -> bool:
        """What the message refers to is not known yet (425 Too Early): it waits on its own, never parked."""
        return self.transient and self.status == 425

    @property
    def destination_down(self) -> bool:
        """No answer at all, or an answer about the whole destination: not this message's fault."""
        return self.transient and (self.status is None or self.status in DESTINATION_DOWN)

    @property
    def text_key(self) -> str:
        return f"{self.code}.{'transient' if self.transient else 'rejected'}"


class SyncNotConfigured(KioskError):
    code = "sync_not_configured"

    def __init__(self, what: str) -> None:
        super().__init__(what=what)
