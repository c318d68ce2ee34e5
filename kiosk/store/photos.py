"""Guest photos at rest (UU PDP: a face is personal data): one AES-256-GCM file per visit under the data folder.

A file is `KPH1` + nonce + ciphertext, bound to its visit id (a file copied onto another visit's name does not
open). The key is derived from the same key file as the field encryption, under its own label. Files written
before photos were encrypted (plain JPEG) still open, so an upgraded kiosk shows and prints its older photos
until the retention purge deletes them.
"""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.files import private_dir, write_private

log = logging.getLogger(__name__)

PHOTO_DIR = "photos"
SUFFIX = ".enc"
MAGIC = b"KPH1"
MAX_PHOTO_BYTES = 8 * 1024 * 1024  # a portrait JPEG is ~30-80 KB; anything this big is not ours


class PhotoFiles:
    """Save, read and locate the guest photos of one kiosk (`data_dir/photos/<visit id>.enc`)."""

    def __init__(self, data_dir: Path, key: bytes) -> None:
        self.data_dir = Path(data_dir)
        self._aead = AESGCM(hashlib.sha256(b"kiosk-photo-enc" + key).digest())

    def save(self, visit_id: str, jpeg: bytes) -> str:
        """Encrypt and write the photo (atomically: a crash leaves the old file or none); returns the path
        relative to the data folder, as the visit stores it."""
        rel = f"{PHOTO_DIR}/{visit_id}{SUFFIX}"
        path = self.data_dir / rel
        private_dir(path.parent)  # 0600 files in a 0700 folder whatever the umask
        nonce = os.urandom(12)
        blob = MAGIC + nonce + self._aead.encrypt(nonce, jpeg, visit_id.encode())
        tmp = path.with_name(path.name + ".tmp")
        write_private(tmp, blob)
        tmp.replace(path)
        return rel

    def path(self, ref: str) -> Path | None:
        """The file a visit's photo reference names, only inside the data folder (None for a URL or outside)."""
        if not ref or "://" in ref:
            return None
        p = Path(ref)
        p = (p if p.is_absolute() else self.data_dir / p).resolve()
        return p if p.is_relative_to(self.data_dir.resolve()) else None

    def read(self, ref: str) -> bytes | None:
        """The JPEG bytes of a visit's photo; None when there is none (purged, never taken, a link, unreadable)."""
        path = self.path(ref)
        if path is None:
            return None
        try:
            if path.stat().st_size > MAX_PHOTO_BYTES:
                log.warning("photo file too large", extra={"photo": path.name})
                return None
            blob = path.read_bytes()
        except OSError:
            return None
        if blob[:2] == b"\xff\xd8":  # written before photos were encrypted
            return blob
        if blob[:4] != MAGIC or len(blob) < 4 + 12 + 16:
            log.warning("photo file not recognised", extra={"photo": path.name})
            return None
        visit_id = path.name.split(".", 1)[0]
        try:
            return self._aead.decrypt(blob[4:16], blob[16:], visit_id.encode())
        except InvalidTag:
            log.warning("photo file does not open with this kiosk's key", extra={"photo": path.name})
            return None
