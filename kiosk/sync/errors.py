"""Why a delivery failed, and whether trying again can help (the worker retries or parks on this)."""
from __future__ import annotations

from kiosk.domain.errors import KioskError

# HTTP answers that mean "not now" rather than "never": timeout, conflict, too many requests.
TRANSIENT_4XX = frozenset({408, 409, 425, 429})


def is_transient_status(status: int) -> bool:
    return status >= 500 or status in TRANSIENT_4XX or status < 400


class DeliveryError(KioskError):
    """A message did not reach its destination. `transient` failures are retried with backoff; the
    others are parked with `reason` for staff to see."""

    code = "delivery_failed"

    def __init__(self, target: str, reason: str, *, transient: bool, status: int | None = None) -> None:
        super().__init__(target=target, reason=reason, status=status or 0, transient=transient)
        self.target = target
        self.reason = reason
        self.transient = transient
        self.status = status

    @property
    def text_key(self) -> str:
        return f"{self.code}.{'transient' if self.transient else 'rejected'}"


class SyncNotConfigured(KioskError):
    code = "sync_not_configured"

    def __init__(self, what: str) -> None:
        super().__init__(what=what)
