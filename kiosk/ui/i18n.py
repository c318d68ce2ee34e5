"""The screens' words (assets/i18n/strings.toml): every UI text in Indonesian and English, looked up by key.

The same catalogue mechanism as the errors' words (kiosk.domain.words, assets/i18n/errors.toml).
"""
from __future__ import annotations

import logging
from pathlib import Path

from kiosk.domain.words import LANGUAGES, catalog_path, load

log = logging.getLogger(__name__)
__all__ = ["LANGUAGES", "load_catalog", "tr"]


def load_catalog(path: Path | None = None) -> dict[str, dict[str, str]]:
    return load(path or catalog_path("strings"))


def tr(key: str, lang: str = "id", **values: object) -> str:
    entry = load_catalog().get(key)
    if entry is None:
        log.warning("missing UI string", extra={"key": key})
        return key
    text = entry.get(lang) or entry.get("id") or key
    return text.format(**values) if values else text
