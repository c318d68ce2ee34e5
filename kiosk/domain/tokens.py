"""Compact signed tokens for QR codes: a versioned binary envelope, Ed25519, key ids, base32 text.

One codec serves every token the office prints or sends: gate passes (kind 1, `kiosk/domain/gatepass.py`)
and pre-registration invitations (kind 2). The codec knows nothing of what a payload means; it only
guarantees that the bytes came, unchanged, from a holder of the private key named by the key id.

Format, version 1 (all integers big-endian)::

    offset  size  field
    0       1     version        0x01
    1       1     kind           1 = gate pass, 2 = pre-registration invitation, 3 = demo pass (0 and 255 reserved)
    2       4     key id         first 4 bytes of SHA-256(raw 32-byte Ed25519 public key)
    6       n     payload        defined by the kind; its length is implied (total - 70)
    6+n     64    signature      Ed25519 over CONTEXT || bytes[0 : 6+n]

    CONTEXT = b"kejari-kiosk/token/v1\\x00" (not transmitted; domain separation)

Text form: RFC 4648 base32, upper case, no padding. Its 32 symbols (A-Z, 2-7) all belong to the QR
alphanumeric set, so a QR encoder packs 11 bits per 2 characters: 5 payload bits per 5.5 code bits
(91 % efficient). Decoding accepts lower case and ignores spaces and dashes, so a token read aloud or
typed from the paper still works, but insists on the canonical form (unused bits of the last character
zero): exactly one text per token, so no character of a token can change without failing.

Compared with pretix's `pretix_sig1` secrets (the model we learned from: a version byte, payload and
Ed25519 signature, revocation list for offline scanners), this format:

- names the key (4-byte key id), so an office can rotate its signing key while passes signed with the
  old key stay valid wherever the old public key is still installed; pretix holds one key per event;
- signs the header as well as the payload (version, kind, key id cannot be swapped), under a context
  string, so a signature made for one kind or protocol is never valid for another; pretix signs only
  the protobuf payload and leaves the length fields unauthenticated;
- has no length fields at all (the signature has a fixed size), which saves 4 bytes, and rejects a
  token with trailing or missing bytes instead of silently slicing;
- carries a kind byte, so one scanner can tell a gate pass from an invitation without trial parsing;
- uses base32 for QR alphanumeric mode instead of reversed base64 (QR byte mode, 8 bits per 6 bits
  of data): a 96-byte token needs QR version 5 at level M instead of 6-7;
- explains every refusal (`TokenError.reason`) instead of returning None for all failures.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.domain.errors import KioskError

VERSION = 1
KIND_GATE_PASS = 1
KIND_INVITATION = 2
KIND_DEMO_PASS = 3  # `kiosk ticket --demo`: laid out like a gate pass, refused by every gate
KINDS = frozenset({KIND_GATE_PASS, KIND_INVITATION, KIND_DEMO_PASS})

CONTEXT = b"kejari-kiosk/token/v1\x00"
HEADER_LEN = 6
SIGNATURE_LEN = 64
KEY_ID_LEN = 4
MAX_TEXT_LEN = 1024  # far above any real token; refuses megabyte inputs before decoding them


# --- errors -----------------------------------------------------------------------------------


class TokenError(KioskError):
    """A token that cannot be trusted. `reason` is stable: unreadable | unknown_key | bad_signature."""

    code = "token_invalid"
    reason = "unreadable"

    def __init__(self, detail: str) -> None:
        super().__init__(reason=self.reason, detail=detail)
        self.detail = detail


class TokenUnreadable(TokenError):
    code = "token_unreadable"
    reason = "unreadable"


class UnknownKey(TokenError):
    code = "token_unknown_key"
    reason = "unknown_key"

    def __init__(self, key_id: str) -> None:
        super().__init__(detail=f"no public key installed for key id {key_id}")
        self.key_id = key_id


class BadSignature(TokenError):
    code = "token_bad_signature"
    reason = "bad_signature"


# --- keys -------------------------------------------------------------------------------------


def key_id_of(public_raw: bytes) -> str:
    """The key id (8 hex digits) of a raw 32-byte Ed25519 public key."""
    return hashlib.sha256(public_raw).digest()[:KEY_ID_LEN].hex()


@dataclass(frozen=True)
class VerifyKey:
    """A public key that checks signatures; all a security device needs."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != 32:
            raise ValueError("an Ed25519 public key has 32 bytes")

    @property
    def key_id(self) -> str:
        return key_id_of(self.raw)

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def to_pem(self) -> bytes:
        key = Ed25519PublicKey.from_public_bytes(self.raw)
        return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    @classmethod
    def from_pem(cls, data: bytes) -> VerifyKey:
        key = serialization.load_pem_public_key(data)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return cls(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


class SigningKey:
    """The office's private key. Lives in a 0600 file on the kiosk, never in the database."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public_key = VerifyKey(raw)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> SigningKey:
        """A deterministic key from 32 bytes (tests, demos)."""
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def from_pem(cls, data: bytes) -> SigningKey:
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("not an Ed25519 private key")
        return cls(key)

    def to_pem(self) -> bytes:
        return self._private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @property
    def key_id(self) -> str:
        return self.public_key.key_id

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)


VerifierLookup = Mapping[str, VerifyKey] | Callable[[str], "VerifyKey | None"]


def _lookup(verifiers: VerifierLookup, key_id: str) -> VerifyKey | None:
    if isinstance(verifiers, Mapping):
        return verifiers.get(key_id)
    return verifiers(key_id)


# --- text form --------------------------------------------------------------------------------


def to_text(raw: bytes) -> str:
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def from_text(text: str) -> bytes:
    if not isinstance(text, str) or len(text) > MAX_TEXT_LEN:
        raise TokenUnreadable("not a token (too long or not text)")
    cleaned = "".join(ch for ch in text if ch not in " -\t\r\n").upper()
    if not cleaned:
        raise TokenUnreadable("empty")
    if len(cleaned) % 8 in (1, 3, 6):  # lengths base32 never produces
        raise TokenUnreadable("length is not a base32 length")
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        raise TokenUnreadable("characters outside A-Z and 2-7") from None
    # The last character may carry unused bits; base32 decoders ignore them, so without this check
    # several texts would decode to one signed token (a changed last character would still verify).
    if to_text(raw) != cleaned:
        raise TokenUnreadable("not in canonical base32 form")
    return raw


# --- envelope ---------------------------------------------------------------------------------


def encode_token(kind: int, payload: bytes, signer: SigningKey) -> str:
    """Sign `payload` as a token of `kind` and return its text form."""
    if kind not in KINDS:
        raise ValueError(f"unknown token kind {kind}")
    header = bytes([VERSION, kind]) + bytes.fromhex(signer.key_id)
    body = header + payload
    return to_text(body + signer.sign(CONTEXT + body))


class DecodedToken(NamedTuple):
    """What a verified token says; unpacks as `kind, key_id, payload`."""

    kind: int
    key_id: str
    payload: bytes


def decode_token(text: str, verifiers: VerifierLookup) -> DecodedToken:
    """Check the envelope and signature; return kind, key id and the payload bytes.

    Raises `TokenUnreadable`, `UnknownKey` or `BadSignature`. The kind is checked against the known
    kinds but its meaning is left to the caller (`gatepass.verify_pass` insists on kind 1).
    """
    raw = from_text(text)
    if len(raw) < HEADER_LEN + SIGNATURE_LEN:
        raise TokenUnreadable(f"{len(raw)} bytes is shorter than any token")
    version, kind = raw[0], raw[1]
    if version != VERSION:
        raise TokenUnreadable(f"format version {version} is not supported (this kiosk reads {VERSION})")
    if kind not in KINDS:
        raise TokenUnreadable(f"unknown token kind {kind}")
    key_id = raw[2:HEADER_LEN].hex()
    key = _lookup(verifiers, key_id)
    if key is None:
        raise UnknownKey(key_id)
    body, signature = raw[:-SIGNATURE_LEN], raw[-SIGNATURE_LEN:]
    if not key.verify(signature, CONTEXT + body):
        raise BadSignature("the signature does not match (altered, forged or signed with another key)")
    return DecodedToken(kind=kind, key_id=key_id, payload=body[HEADER_LEN:])


def read_unverified(text: str) -> DecodedToken:
    """Split a token WITHOUT checking its signature: only for tokens this kiosk stored itself."""
    raw = from_text(text)
    if len(raw) < HEADER_LEN + SIGNATURE_LEN:
        raise TokenUnreadable(f"{len(raw)} bytes is shorter than any token")
    return DecodedToken(kind=raw[1], key_id=raw[2:HEADER_LEN].hex(), payload=raw[HEADER_LEN:-SIGNATURE_LEN])


def peek_kind(text: str) -> int | None:
    """The kind byte of a token without verifying it (to route a scan); None if not a token."""
    try:
        raw = from_text(text)
    except TokenError:
        return None
    if len(raw) < HEADER_LEN + SIGNATURE_LEN or raw[0] != VERSION or raw[1] not in KINDS:
        return None
    return raw[1]
