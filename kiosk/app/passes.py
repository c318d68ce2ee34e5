"""Gate-pass keys on disk and offline verification against the local store (the `passes` service of the composition root).

The kiosk that prints holds the private key (`privacy.signing_key_file`, mode 0600, never in the
database). Every device that checks passes holds only public keys: one PEM file per key id in
`privacy.verify_keys_dir/<key_id>.pub`. Rotation (`kiosk keys init --rotate`) makes a new private key
and keeps the old public key installed, so passes in circulation stay valid until they expire.
"""
from __future__ import annotations

import logging
import os
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.config import Config
from kiosk.domain.errors import KioskError
from kiosk.domain.gatepass import PassVerdict, verify_pass
from kiosk.domain.tokens import SigningKey, VerifyKey
from kiosk.files import private_dir, write_private
from kiosk.store.passes import PassRepository

if TYPE_CHECKING:
    from kiosk.domain.clock import Clock
    from kiosk.store.db import Database
    from kiosk.store.visits import VisitRepository

log = logging.getLogger(__name__)


class SigningKeyError(KioskError):
    code = "signing_key_error"

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(path=str(path), reason=reason)


def _write_private(path: Path, data: bytes) -> None:
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def install_public_key(cfg: Config, key: VerifyKey) -> Path:
    folder = cfg.path(cfg.privacy.verify_keys_dir)
    private_dir(folder)
    path = folder / f"{key.key_id}.pub"
    write_private(path, key.to_pem())
    return path


def init_keys(cfg: Config, *, rotate: bool = False) -> tuple[SigningKey, Path, Path]:
    """Create the office key pair; with `rotate`, retire the current private key first."""
    path = cfg.path(cfg.privacy.signing_key_file)
    if path.exists():
        if not rotate:
            raise SigningKeyError(path, "already exists (use --rotate to replace it)")
        old = load_signer(cfg)
        install_public_key(cfg, old.public_key)  # passes signed with it stay verifiable
        path.rename(path.with_name(f"{path.name}.{old.key_id}.retired"))
    key = SigningKey.generate()
    _write_private(path, key.to_pem())
    pub = install_public_key(cfg, key.public_key)
    log.info("gate-pass key created", extra={"key_id": key.key_id, "rotated": rotate})
    return key, path, pub


def load_signer(cfg: Config) -> SigningKey:
    path = cfg.path(cfg.privacy.signing_key_file)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyError(path, "missing (run 'kiosk keys init')") from None
    except OSError as exc:
        raise SigningKeyError(path, f"unreadable ({exc.strerror})") from None
    if os.name == "posix" and path.stat().st_mode & 0o077:
        log.warning("signing key readable by others", extra={"path": str(path)})
    try:
        return SigningKey.from_pem(data)
    except ValueError as exc:
        raise SigningKeyError(path, f"not an Ed25519 private key ({exc})") from None


def load_public_keys(cfg: Config) -> dict[str, VerifyKey]:
    """Every installed public key by key id; a file whose name is not its key id is ignored."""
    folder = cfg.path(cfg.privacy.verify_keys_dir)
    keys: dict[str, VerifyKey] = {}
    for path in sorted(folder.glob("*.pub")) if folder.is_dir() else []:
        try:
            key = VerifyKey.from_pem(path.read_bytes())
        except (OSError, ValueError):
            log.warning("unusable public key file", extra={"path": str(path)})
            continue
        if key.key_id != path.stem:
            log.warning("public key file named for another key id", extra={"path": str(path), "key_id": key.key_id})
            continue
        keys[key.key_id] = key
    return keys


class PassService:
    """Verification as a gate device does it: public keys, revocations and visit states from this store."""

    def __init__(self, *, config: Config, clock: Clock, db: Database, visits: VisitRepository) -> None:
        self.config, self.clock, self.db, self.visits = config, clock, db, visits
        self.repo = PassRepository(db)

    @cached_property
    def signer(self) -> SigningKey:
        return load_signer(self.config)

    @cached_property
    def public_keys(self) -> dict[str, VerifyKey]:
        return load_public_keys(self.config)

    def _state(self, pass_id: str) -> str | None:
        visit = self.visits.find_by_pass(pass_id)
        return visit.state.value if visit else None

    def verify(self, token: str, *, at: datetime | None = None) -> PassVerdict:
        return verify_pass(
            token,
            at=at or self.clock.now(),
            office_code=self.config.office.code,
            public_keys=self.public_keys,
            visit_state_lookup=self._state,
            revoked=self.repo.revoked_ids(),
        )
