"""Gate passes for the gate tests: real signed tokens (kiosk.domain.gatepass) with a fixed test key.

`token_for(visit)` signs the visit's pass with the office's test key; `gate_for(ctx)` installs that
key's public half on the device, so `ctx.gate` runs the real verifier.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from kiosk.app.gate import GateService
from kiosk.app.passes import install_public_key
from kiosk.domain.gatepass import issue, new_pass_id
from kiosk.domain.tokens import SigningKey
from kiosk.domain.visit import VisitState as S
from tests.fixtures_survey import register_visit, walk

OFFICE_KEY = SigningKey.from_seed(bytes(range(32)))
ROGUE_KEY = SigningKey.from_seed(bytes(range(32, 64)))  # a forger's key: not installed anywhere


def token_for(visit, *, office: str = "KEJARI-KLK", forged: bool = False, expires: datetime | None = None) -> str:
    issued = visit.created_at
    _, token = issue(
        ROGUE_KEY if forged else OFFICE_KEY,
        office_code=office,
        issued_at=issued,
        expires_at=expires or visit.expires_at or issued + timedelta(hours=8),
        pass_id=visit.pass_id,
    )
    return token


def gate_for(ctx) -> GateService:
    """ctx.gate with the office's public key installed on this device."""
    install_public_key(ctx.config, OFFICE_KEY.public_key)
    ctx.passes.__dict__.pop("public_keys", None)  # re-read the key folder
    return ctx.gate


def visit_with_pass(ctx, *states, locker: int | None = None, **kw):
    """A registered visit with a pass id (printing the pass sets it) moved through `states`."""
    visit = register_visit(ctx, **kw)
    with_pass = replace(visit, pass_id=new_pass_id(), locker_door=locker)
    with ctx.db.transaction() as conn:
        ctx.visits.update(conn, with_pass)
    if states:
        walk(ctx, visit.id, *[(1, s) for s in states])
    return ctx.visits.get(visit.id)


ACCEPTED = (S.WAITING_HOST, S.ACCEPTED)
