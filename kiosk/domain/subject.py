"""The keyed hash by which a data subject is named to the central server without their NIK (UU PDP erasure).

HMAC-SHA256 of the NIK's digits under the office's subject key (which central derives from its own key and
hands to each device with its credential); hex. A kiosk sends it to erase a person at central; central
stores it with each visit. Without the key, the hash of a NIK cannot be guessed from the NIK.
"""
from __future__ import annotations

import hashlib
import hmac


def subject_hash(subject_key: bytes, nik: str) -> str:
    return hmac.new(subject_key, nik.strip().encode(), hashlib.sha256).hexdigest()
