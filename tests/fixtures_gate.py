"""A stand-in for gatepass.verify_pass (issue 4) that obeys its contract, and helpers to give visits a pass.

Token format of the stand-in only: "T1|<pass_id>|<office>|<expires ISO>|<signature>", signature "good".
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from kiosk.app.gate import GateService
from kiosk.domain.clock import to_iso
from kiosk.domain.visit import VisitState as S
from tests.fixtures_survey import register_visit, walk


@dataclass(frozen=True)
class PassVerdict:
    valid: bool
    reason: str
    pass_id: str = ""
    office: str = ""
    expires_at: datetime | None = None


def stand_in_verifier(office_code: str):
    def verify(token: str, at: datetime) -> PassVerdict:
        parts = token.split("|")
        if len(parts) != 5 or parts[0] != "T1":
            return PassVerdict(False, "unreadable")
        _, pass_id, office, expires, sig = parts
        exp = datetime.fromisoformat(expires)
        if sig != "good":
            return PassVerdict(False, "bad_signature", pass_id, office, exp)
        if office != office_code:
            return PassVerdict(False, "other_office", pass_id, office, exp)
        if at > exp:
            return PassVerdict(False, "expired", pass_id, office, exp)
        return PassVerdict(True, "ok", pass_id, office, exp)

    return verify


def token_for(visit, office: str = "KEJARI-KLK", sig: str = "good", expires: datetime | None = None) -> str:
    return f"T1|{visit.pass_id}|{office}|{to_iso(expires or visit.expires_at)}|{sig}"


def gate_for(ctx) -> GateService:
    """ctx.gate with the stand-in verifier (the real one arrives with issue 4)."""
    ctx.gate._verifier = stand_in_verifier(ctx.config.office.code)
    return ctx.gate


def visit_with_pass(ctx, *states, locker: int | None = None, **kw):
    """A registered visit with a pass id (issue 4 sets it when printing) moved through `states`."""
    visit = register_visit(ctx, **kw)
    with_pass = replace(visit, pass_id=f"P-{visit.id[:8]}", locker_door=locker)
    with ctx.db.transaction() as conn:
        ctx.visits.update(conn, with_pass)
    if states:
        walk(ctx, visit.id, *[(1, s) for s in states])
    return ctx.visits.get(visit.id)


ACCEPTED = (S.WAITING_HOST, S.ACCEPTED)
