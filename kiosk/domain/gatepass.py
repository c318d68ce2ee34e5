"""The gate pass ("tanda pengenal tamu"): what it carries, how it is issued, and the gate's offline verdict.

A pass carries nothing personal: pass id, office code, issue and expiry time, locker door. It is a
token of kind 1 in the envelope of `kiosk/domain/tokens.py`. Gate-pass payload, version 1::

    offset  size  field
    0       6     pass id        48 random bits (shown as 10 Crockford base32 characters, XXXXX-XXXXX)
    6       4     issued_at      Unix seconds, UTC
    10      2     validity       minutes after issued_at (expires_at = issued_at + validity)
    12      2     locker door    0 = no locker
    14      2-12  office code    [A-Z0-9-] packed 3 characters per 2 bytes (base 40, 0 pads the end)

QR version 6 at level M holds 154 alphanumeric characters = 96 token bytes; the envelope takes 70
(header 6, signature 64), the fixed fields 14, which leaves 12 bytes = 18 office-code characters.
That is why `office.code` is limited to 18 characters in the config; a 10-character code such as
KEJARI-KLK gives a 148-character token, still version 6 (both tested).

`verify_pass` needs no network: the signature, the key id, the office, the time window, the
revocation list pulled to the device, and, where the device has the visit, its state.
"""
from __future__ import annotations

import os
import re
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kiosk.domain.errors import KioskError
from kiosk.domain.tokens import (
    KIND_DEMO_PASS,
    KIND_GATE_PASS,
    SigningKey,
    TokenError,
    VerifierLookup,
    decode_token,
    encode_token,
    peek_kind,
)

PASS_ID_BYTES = 6
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CROCKFORD_IN = {ch: i for i, ch in enumerate(_CROCKFORD)} | {"O": 0, "I": 1, "L": 1}
_OFFICE_RE = re.compile(r"^[A-Z0-9-]{3,18}$")
_OFFICE_ALPHABET = "\x000123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-"  # index 0 pads the last group
_FIXED = struct.Struct(">6sIHH")
MAX_VALIDITY_MINUTES = 0xFFFF
# The gate device's clock may run behind the kiosk's; a pass this fresh is not "not yet valid".
CLOCK_SKEW = timedelta(minutes=2)

REASONS = (
    "ok",
    "expired",
    "not_yet_valid",
    "bad_signature",
    "unknown_key",
    "other_office",
    "unreadable",
    "declined",
    "checked_out",
    "revoked",
    "cancelled",
    "demo",
)
# Visit states that make a pass worthless at the gate, and the reason each gives.
_STATE_REASONS = {"declined": "declined", "checked_out": "checked_out", "cancelled": "cancelled", "expired": "expired"}


class InvalidGatePass(KioskError):
    code = "invalid_gate_pass"

    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail)


def new_pass_id() -> str:
    return format_pass_id(os.urandom(PASS_ID_BYTES))


def format_pass_id(raw: bytes) -> str:
    """6 bytes -> 10 Crockford base32 characters (no I, L, O, U: nothing to misread on paper)."""
    n = int.from_bytes(raw, "big") << 2  # 48 bits padded to 50
    return "".join(_CROCKFORD[(n >> (5 * i)) & 31] for i in reversed(range(10)))


def parse_pass_id(text: str) -> bytes:
    cleaned = text.replace("-", "").upper()
    if len(cleaned) != 10 or any(ch not in _CROCKFORD_IN for ch in cleaned):
        raise InvalidGatePass(f"pass id {text!r} is not 10 base32 characters")
    n = 0
    for ch in cleaned:
        n = (n << 5) | _CROCKFORD_IN[ch]
    if n & 3:
        raise InvalidGatePass(f"pass id {text!r} has stray bits")
    return (n >> 2).to_bytes(PASS_ID_BYTES, "big")


def display_pass_id(pass_id: str) -> str:
    return f"{pass_id[:5]}-{pass_id[5:]}"


def pack_office(code: str) -> bytes:
    if not _OFFICE_RE.match(code):
        raise InvalidGatePass(f"office code {code!r} is not 3-18 characters of A-Z, 0-9 and '-'")
    padded = code + "\x00" * (-len(code) % 3)
    out = bytearray()
    for i in range(0, len(padded), 3):
        a, b, c = (_OFFICE_ALPHABET.index(ch) for ch in padded[i : i + 3])
        out += (a * 1600 + b * 40 + c).to_bytes(2, "big")
    return bytes(out)


def unpack_office(data: bytes) -> str:
    if len(data) % 2 or not 2 <= len(data) <= 12:
        raise InvalidGatePass("office code length")
    chars = []
    for i in range(0, len(data), 2):
        n = int.from_bytes(data[i : i + 2], "big")
        if n >= 64000:
            raise InvalidGatePass("office code out of range")
        chars += [_OFFICE_ALPHABET[n // 1600], _OFFICE_ALPHABET[n // 40 % 40], _OFFICE_ALPHABET[n % 40]]
    code = "".join(chars).rstrip("\x00")
    if not _OFFICE_RE.match(code):
        raise InvalidGatePass("office code malformed")
    return code


def _unix(dt: datetime) -> int:
    if dt.tzinfo is None:
        raise InvalidGatePass("naive datetime")
    return int(dt.timestamp())


@dataclass(frozen=True)
class GatePass:
    pass_id: str
    office_code: str
    issued_at: datetime
    expires_at: datetime
    locker_door: int | None = None

    def to_payload(self) -> bytes:
        if self.locker_door is not None and not 1 <= self.locker_door <= 0xFFFF:
            raise InvalidGatePass(f"locker door {self.locker_door} out of range")
        seconds = _unix(self.expires_at) - _unix(self.issued_at)
        if seconds <= 0 or seconds % 60 or seconds // 60 > MAX_VALIDITY_MINUTES:
            raise InvalidGatePass("validity must be 1 to 65535 whole minutes")
        fixed = _FIXED.pack(parse_pass_id(self.pass_id), _unix(self.issued_at), seconds // 60, self.locker_door or 0)
        return fixed + pack_office(self.office_code)

    @classmethod
    def from_payload(cls, payload: bytes) -> GatePass:
        if len(payload) < _FIXED.size + 2:
            raise InvalidGatePass(f"payload of {len(payload)} bytes")
        raw_id, issued, minutes, door = _FIXED.unpack_from(payload)
        if minutes == 0:
            raise InvalidGatePass("zero validity")
        issued_at = datetime.fromtimestamp(issued, UTC)
        return cls(
            pass_id=format_pass_id(raw_id),
            office_code=unpack_office(payload[_FIXED.size :]),
            issued_at=issued_at,
            expires_at=issued_at + timedelta(minutes=minutes),
            locker_door=door or None,
        )


def issue(
    signer: SigningKey,
    *,
    office_code: str,
    issued_at: datetime,
    expires_at: datetime,
    locker_door: int | None = None,
    pass_id: str | None = None,
    kind: int = KIND_GATE_PASS,
) -> tuple[GatePass, str]:
    """A new pass (or the same pass id again, for a reprint) and its signed token text.

    The token carries whole seconds and a validity in whole minutes, so the issue time is cut to the
    second and the expiry rounded DOWN to a whole minute after it (never later than asked); the
    returned GatePass equals what a verifier will read.
    """
    start = issued_at.replace(microsecond=0)
    minutes = int((expires_at - start).total_seconds() // 60)
    gp = GatePass(
        pass_id=pass_id or new_pass_id(),
        office_code=office_code,
        issued_at=start,
        expires_at=start + timedelta(minutes=minutes),
        locker_door=locker_door,
    )
    if kind not in (KIND_GATE_PASS, KIND_DEMO_PASS):
        raise InvalidGatePass(f"token kind {kind} is not a pass")
    return gp, encode_token(kind, gp.to_payload(), signer)


# The demo pass's key: public on purpose (anyone may print a demo), never installed on a gate, so even a gate
# that does not know the demo kind refuses it (unknown key).
DEMO_SIGNING_SEED = b"kejari-kiosk demo pass; no gate!"


def demo_signer() -> SigningKey:
    return SigningKey.from_seed(DEMO_SIGNING_SEED)


@dataclass(frozen=True)
class PassVerdict:
    valid: bool
    reason: str
    pass_id: str | None = None
    office: str | None = None
    expires_at: datetime | None = None
    key_id: str | None = None
    gate_pass: GatePass | None = None

    def to_dict(self) -> dict:
        return {
            "valid": self.valid,
            "reason": self.reason,
            "pass_id": self.pass_id,
            "office": self.office,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        }


StateLookup = Callable[[str], "str | None"] | Mapping[str, str]


def _state_of(lookup: StateLookup | None, pass_id: str) -> str | None:
    if lookup is None:
        return None
    state = lookup.get(pass_id) if isinstance(lookup, Mapping) else lookup(pass_id)
    return None if state is None else str(getattr(state, "value", state))


def verify_pass(
    token: str,
    *,
    at: datetime,
    office_code: str,
    public_keys: VerifierLookup,
    visit_state_lookup: StateLookup | None = None,
    revoked: frozenset[str] | set[str] = frozenset(),
) -> PassVerdict:
    """The gate's verdict on a scanned token. Never raises for bad input: the reason says why.

    Order: readability, key, signature (nothing from an unsigned token is trusted or reported),
    office, revocation, visit state (declined / checked out / cancelled / expired), then the
    time window.
    """
    if peek_kind(token) == KIND_DEMO_PASS:
        return PassVerdict(False, "demo")
    try:
        kind, key_id, payload = decode_token(token, public_keys)
    except TokenError as exc:
        return PassVerdict(False, exc.reason)
    if kind != KIND_GATE_PASS:
        return PassVerdict(False, "unreadable", key_id=key_id)
    try:
        gp = GatePass.from_payload(payload)
    except InvalidGatePass:
        return PassVerdict(False, "unreadable", key_id=key_id)

    def verdict(valid: bool, reason: str) -> PassVerdict:
        return PassVerdict(valid, reason, gp.pass_id, gp.office_code, gp.expires_at, key_id, gp)

    if gp.office_code != office_code:
        return verdict(False, "other_office")
    if gp.pass_id in revoked:
        return verdict(False, "revoked")
    state_reason = _STATE_REASONS.get(_state_of(visit_state_lookup, gp.pass_id) or "")
    if state_reason:
        return verdict(False, state_reason)
    if at < gp.issued_at - CLOCK_SKEW:
        return verdict(False, "not_yet_valid")
    if at >= gp.expires_at:
        return verdict(False, "expired")
    return verdict(True, "ok")
