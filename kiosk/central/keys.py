"""The central server's secret: one key file outside the database, from which every key is derived.

- field encryption (AES-256-GCM) of personal data at rest: the visit record, the photo, the feed;
- the photo-link signature (a short-lived URL a host opens from WhatsApp without a token);
- each office's subject key: the keyed hash of a NIK (HMAC-SHA256) by which a data subject is erased;
- each office's invitation signing key (Ed25519, the token format of kiosk/domain/tokens.py): the desk's
  pre-registration QRs; the kiosks learn its public key with the invitations they pull.
Losing the file makes the stored personal data unreadable: back it up apart from the database.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.domain.errors import KioskError
from kiosk.domain.subject import subject_hash

PREFIX = b"v1:"


class CentralKeyError(KioskError):
    code = "central_key"

    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail)


def ensure_key_file(path: str | Path) -> Path:
    """Create the key file (0600) when it does not exist yet; never overwrite one."""
    p = Path(path)
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
    return p


class CentralKeys:
    def __init__(self, master: bytes) -> None:
        if len(master) < 32:
            raise CentralKeyError("the central key must be at least 32 bytes")
        self._master = master
        self._aead = AESGCM(self._derive(b"field-encryption"))
        self.photo_link_key = self._derive(b"photo-link")
        self.host_link_key = self._derive(b"host-link")  # the host's signed answer page (web desk)
        self.desk_session_key = self._derive(b"desk-session")  # the web desk's signed session cookie

    @classmethod
    def from_file(cls, path: str | Path) -> CentralKeys:
        try:
            text = Path(path).read_text().strip()
            return cls(bytes.fromhex(text))
        except OSError as exc:
            raise CentralKeyError(f"key file {path} cannot be read ({exc.strerror})") from None
        except ValueError:
            raise CentralKeyError(f"key file {path} is not 64 hex digits") from None

    def _derive(self, label: bytes) -> bytes:
        return hmac.new(self._master, b"kejari-central:" + label, hashlib.sha256).digest()

    def subject_key(self, office: str) -> bytes:
        """The office's key for keyed NIK hashes; every device of the office gets it with its credential."""
        return self._derive(b"subject:" + office.encode())

    def invitation_signer(self, office: str):
        """The office's Ed25519 key for invitation tokens (kind 2), derived: the same on every worker."""
        from kiosk.domain.tokens import SigningKey

        return SigningKey.from_seed(self._derive(b"invitation-signing:" + office.encode()))

    def subject_hash(self, office: str, nik: str) -> str:
        return subject_hash(self.subject_key(office), nik)

    def encrypt(self, data: bytes) -> bytes:
        nonce = os.urandom(12)
        return PREFIX + nonce + self._aead.encrypt(nonce, data, None)

    def decrypt(self, blob: bytes) -> bytes:
        if not blob.startswith(PREFIX):
            raise CentralKeyError("not an encrypted value")
        body = blob[len(PREFIX):]
        return self._aead.decrypt(body[:12], body[12:], None)

    def encrypt_text(self, text: str) -> str:
        return base64.b64encode(self.encrypt(text.encode())).decode()

    def decrypt_text(self, value: str) -> str:
        return self.decrypt(base64.b64decode(value)).decode()

