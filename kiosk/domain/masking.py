"""Masking of personal data for paper, screens after confirmation, and logs (UU PDP)."""
from __future__ import annotations

import re

_NIK_RE = re.compile(r"(?<!\d)\d{16}(?!\d)")


def mask_nik(nik: str) -> str:
    """Keep only the last 4 digits: `************1234`."""
    digits = "".join(ch for ch in nik if ch.isdigit())
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_name(name: str) -> str:
    """First letter of each word, for logs: `Budi Santoso` -> `B*** S******`."""
    return " ".join(w[:1] + "*" * (len(w) - 1) for w in name.split())


def mask_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return digits[:4] + "*" * max(0, len(digits) - 7) + digits[-3:] if len(digits) > 7 else "*" * len(digits)


def scrub_text(text: str) -> str:
    """Replace anything that looks like a NIK in free text (log lines, error messages)."""
    return _NIK_RE.sub(lambda m: mask_nik(m.group(0)), text)
