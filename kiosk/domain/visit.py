"""The visit lifecycle: states, the legal moves between them, and the event each move leaves behind."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from kiosk.domain.errors import IllegalTransition


class VisitState(StrEnum):
    REGISTERED = "registered"
    WAITING_HOST = "waiting_host"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    INSIDE = "inside"
    CHECKED_OUT = "checked_out"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


S = VisitState

# Who may follow whom. A guest who leaves before the host answers, or after being declined, is
# still checked out (the ID card goes back, the locker is freed), so checked_out is reachable from
# every state in which the guest holds a pass.
TRANSITIONS: dict[VisitState, frozenset[VisitState]] = {
    S.REGISTERED: frozenset({S.WAITING_HOST, S.CANCELLED, S.EXPIRED}),
    S.WAITING_HOST: frozenset({S.ACCEPTED, S.DECLINED, S.CHECKED_OUT, S.CANCELLED, S.EXPIRED}),
    S.ACCEPTED: frozenset({S.INSIDE, S.CHECKED_OUT, S.CANCELLED, S.EXPIRED}),
    S.DECLINED: frozenset({S.CHECKED_OUT, S.EXPIRED}),
    S.INSIDE: frozenset({S.CHECKED_OUT, S.EXPIRED}),
    S.CHECKED_OUT: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
}

TERMINAL = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)
OPEN_STATES = frozenset(VisitState) - TERMINAL


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class VisitEvent:
    """One append-only fact about a visit: a state change or a timed step (kind='step')."""

    visit_id: str
    kind: str  # "transition" | "step" | free-form event names such as "scan", "print"
    at: datetime
    actor: str
    device_id: str
    from_state: VisitState | None = None
    to_state: VisitState | None = None
    data: dict[str, Any] = field(default_factory=dict)
    event_id: str = field(default_factory=new_id)


@dataclass(frozen=True)
class Visit:
    id: str
    office_code: str
    guest_id: int | None
    purpose: str
    host_id: str
    host_name: str
    state: VisitState
    created_at: datetime
    updated_at: datetime
    device_id: str
    expires_at: datetime | None = None
    photo_path: str = ""
    locker_door: int | None = None
    pass_id: str = ""
    flags: tuple[str, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def can_move_to(self, target: VisitState) -> bool:
        return target in TRANSITIONS[self.state]

    def transition(
        self, target: VisitState, *, at: datetime, actor: str, device_id: str, **data: Any
    ) -> tuple[Visit, VisitEvent]:
        """Return the visit in its new state and the event that records the move."""
        target = VisitState(target)
        if not self.can_move_to(target):
            raise IllegalTransition(self.id, self.state.value, target.value)
        event = VisitEvent(
            visit_id=self.id,
            kind="transition",
            at=at,
            actor=actor,
            device_id=device_id,
            from_state=self.state,
            to_state=target,
            data=dict(data),
        )
        return replace(self, state=target, updated_at=at), event


def start_visit(
    *,
    office_code: str,
    guest_id: int | None,
    purpose: str,
    host_id: str,
    host_name: str,
    at: datetime,
    actor: str,
    device_id: str,
    expires_at: datetime | None = None,
    visit_id: str | None = None,
) -> tuple[Visit, VisitEvent]:
    """A new visit in state `registered`, and its first event."""
    visit = Visit(
        id=visit_id or new_id(),
        office_code=office_code,
        guest_id=guest_id,
        purpose=purpose,
        host_id=host_id,
        host_name=host_name,
        state=S.REGISTERED,
        created_at=at,
        updated_at=at,
        device_id=device_id,
        expires_at=expires_at,
    )
    event = VisitEvent(
        visit_id=visit.id,
        kind="transition",
        at=at,
        actor=actor,
        device_id=device_id,
        from_state=None,
        to_state=S.REGISTERED,
    )
    return visit, event
