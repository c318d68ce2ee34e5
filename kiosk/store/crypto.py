"""Encryption at rest for personal fields (NIK, address): AES-256-GCM with a key file outside the database."""
from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.domain.errors import KioskError

_VERSION = b"\x01"


class KeyFileError(KioskError):
    code = "key_file_error"

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(path=str(path), reason=reason)


def load_or_create_key(path: Path) -> bytes:
    """32 random bytes, created on first use with mode 0600. Losing it makes the stored NIKs unreadable."""
    if path.exists():
        key = path.read_bytes()
        if len(key) != 32:
            raise KeyFileError(path, f"expected 32 bytes, found {len(key)}")
        return key
    from kiosk.files import private_dir

    private_dir(path.parent)
    key = os.urandom(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
        fh.flush()
        os.fsync(fh.fileno())
    return key


class FieldCipher:
    """Encrypts one field value; `lookup_hash` gives a keyed hash to find a guest by NIK without decrypting."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(hashlib.sha256(b"kiosk-field-enc" + key).digest())
        self._mac_key = hashlib.sha256(b"kiosk-field-mac" + key).digest()

    @classmethod
    def from_key_file(cls, path: Path) -> FieldCipher:
        return cls(load_or_create_key(path))

    def encrypt(self, plaintext: str, context: str = "") -> bytes:
        nonce = os.urandom(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode())

    def decrypt(self, blob: bytes, context: str = "") -> str:
        if not blob or blob[:1] != _VERSION:
            raise ValueError("unknown ciphertext version")
        return self._aead.decrypt(blob[1:13], blob[13:], context.encode()).decode("utf-8")

    def lookup_hash(self, value: str) -> str:
        return hmac.new(self._mac_key, value.encode("utf-8"), hashlib.sha256).hexdigest()
