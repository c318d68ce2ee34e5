"""When two writers change one visit (the kiosk and the central server): the state every side converges to.

A visit's transitions can be recorded on several devices and at central (the host answers on
WhatsApp while staff decline at the desk, a gate checks the guest out while offline). No transition
is refused for arriving "late": each is kept as an event, and the visit's state is a pure function of
the set of its transition events, so every side that has seen the same events shows the same state.

Precedence (what physically happened wins over what was decided about it):
    checked_out > inside > cancelled | expired > accepted | declined > waiting_host > registered
Within one rank the later event time wins; equal times are broken by the event id, so the answer
never depends on the order in which the events arrived.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from kiosk.domain.visit import VisitState

S = VisitState

RANK: dict[VisitState, int] = {
    S.REGISTERED: 0,
    S.WAITING_HOST: 1,
    S.ACCEPTED: 2,
    S.DECLINED: 2,
    S.CANCELLED: 3,
    S.EXPIRED: 3,
    S.INSIDE: 4,
    S.CHECKED_OUT: 5,
}

StateKey = tuple[int, str, str]


def utc_text(at: datetime) -> str:
    """An aware time as fixed-width UTC text (sorts like the time itself)."""
    if at.tzinfo is None:
        raise ValueError("time without a zone")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def state_key(state: VisitState | str, at: datetime, event_id: str = "") -> StateKey:
    """The precedence of a state reached at a time by an event: the largest key is the visit's state."""
    return RANK[VisitState(state)], utc_text(at), event_id


def wins(candidate: StateKey, current: StateKey) -> bool:
    return candidate > current


def converged_state(initial: VisitState | str, created_at: datetime,
                    transitions: Iterable[tuple[VisitState | str, datetime, str]]) -> VisitState:
    """The state of a visit registered in `initial` at `created_at`, given its (to_state, at, event_id) transitions."""
    best_state, best = VisitState(initial), state_key(initial, created_at)
    for to_state, at, event_id in transitions:
        key = state_key(to_state, at, event_id)
        if wins(key, best):
            best_state, best = VisitState(to_state), key
    return best_state
