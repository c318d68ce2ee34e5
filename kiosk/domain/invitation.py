"""Pre-registration invitations: a signed QR the office sends a guest ahead of the visit (token kind 2).

Like the gate pass it carries nothing personal, only what lets the kiosk find the pre-registration and
trust it offline: the guest's NIK, name and host stay in the office's records, found by invitation id.
It uses the envelope of `kiosk/domain/tokens.py` (version, kind, key id, Ed25519 signature, base32).
Invitation payload, version 1::

    offset  size  field
    0       6     invitation id  48 random bits (10 Crockford base32 characters, as pass ids)
    6       4     valid_from     Unix seconds, UTC
    10      4     valid_until    Unix seconds, UTC (after valid_from)
    14      2-12  office code    [A-Z0-9-], 3 characters per 2 bytes (as in the gate pass)

`verify_invitation` never raises for bad input: its verdict's `reason` says why (the same words as the
gate pass, plus `not_an_invitation` for a valid token of another kind).
"""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from datetime import UTC, datetime

from kiosk.domain.gatepass import (
    CLOCK_SKEW,
    InvalidGatePass,
    format_pass_id,
    pack_office,
    parse_pass_id,
    unpack_office,
)
from kiosk.domain.tokens import (
    KIND_INVITATION,
    SigningKey,
    TokenError,
    VerifierLookup,
    decode_token,
    encode_token,
)

_FIXED = struct.Struct(">6sII")
REASONS = ("ok", "expired", "not_yet_valid", "other_office", "bad_signature", "unknown_key", "unreadable",
           "not_an_invitation")


@dataclass(frozen=True)
class Invitation:
    invitation_id: str
    office_code: str
    valid_from: datetime
    valid_until: datetime

    def to_payload(self) -> bytes:
        start, end = int(self.valid_from.timestamp()), int(self.valid_until.timestamp())
        if self.valid_from.tzinfo is None or self.valid_until.tzinfo is None:
            raise InvalidGatePass("naive datetime")
        if not 0 <= start < end <= 0xFFFFFFFF:
            raise InvalidGatePass("an invitation ends after it starts")
        return _FIXED.pack(parse_pass_id(self.invitation_id), start, end) + pack_office(self.office_code)

    @classmethod
    def from_payload(cls, payload: bytes) -> Invitation:
        if len(payload) < _FIXED.size + 2:
            raise InvalidGatePass(f"payload of {len(payload)} bytes")
        raw_id, start, end = _FIXED.unpack_from(payload)
        if end <= start:
            raise InvalidGatePass("an invitation ends after it starts")
        return cls(format_pass_id(raw_id), unpack_office(payload[_FIXED.size :]),
                   datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC))


def issue_invitation(signer: SigningKey, *, office_code: str, valid_from: datetime, valid_until: datetime,
                     invitation_id: str | None = None) -> tuple[Invitation, str]:
    """A new invitation (times cut to whole seconds) and its signed token text for the QR."""
    inv = Invitation(invitation_id or format_pass_id(os.urandom(6)), office_code,
                     valid_from.replace(microsecond=0), valid_until.replace(microsecond=0))
    return inv, encode_token(KIND_INVITATION, inv.to_payload(), signer)


@dataclass(frozen=True)
class InvitationVerdict:
    valid: bool
    reason: str
    invitation: Invitation | None = None
    key_id: str | None = None

    def to_dict(self) -> dict:
        inv = self.invitation
        return {
            "valid": self.valid,
            "reason": self.reason,
            "invitation_id": inv.invitation_id if inv else None,
            "office": inv.office_code if inv else None,
            "valid_from": inv.valid_from.isoformat() if inv else None,
            "valid_until": inv.valid_until.isoformat() if inv else None,
        }


def verify_invitation(token: str, *, at: datetime, office_code: str, public_keys: VerifierLookup) -> InvitationVerdict:
    """Offline verdict on a scanned invitation: signature, kind, office, then the time window."""
    try:
        kind, key_id, payload = decode_token(token, public_keys)
    except TokenError as exc:
        return InvitationVerdict(False, exc.reason)
    if kind != KIND_INVITATION:
        return InvitationVerdict(False, "not_an_invitation", key_id=key_id)
    try:
        inv = Invitation.from_payload(payload)
    except InvalidGatePass:
        return InvitationVerdict(False, "unreadable", key_id=key_id)
    if inv.office_code != office_code:
        return InvitationVerdict(False, "other_office", inv, key_id)
    if at < inv.valid_from - CLOCK_SKEW:
        return InvitationVerdict(False, "not_yet_valid", inv, key_id)
    if at >= inv.valid_until:
        return InvitationVerdict(False, "expired", inv, key_id)
    return InvitationVerdict(True, "ok", inv, key_id)
