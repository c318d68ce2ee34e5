"""The string catalog (assets/i18n/strings.toml): every UI text in Indonesian and English, looked up by key."""
from __future__ import annotations

import logging
import tomllib
from functools import lru_cache
from pathlib import Path

from kiosk.paths import assets_dir

log = logging.getLogger(__name__)
LANGUAGES = ("id", "en")


def _flatten(table: dict, prefix: str = "") -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and set(value) <= set(LANGUAGES) and value:
            out[full] = value
        elif isinstance(value, dict):
            out.update(_flatten(value, full))
        else:
            raise ValueError(f"catalog entry {full} must be a table with id and en")
    return out


@lru_cache(maxsize=4)
def load_catalog(path: Path | None = None) -> dict[str, dict[str, str]]:
    path = path or assets_dir() / "i18n" / "strings.toml"
    with open(path, "rb") as fh:
        return _flatten(tomllib.load(fh))


def tr(key: str, lang: str = "id", **values: object) -> str:
    entry = load_catalog().get(key)
    if entry is None:
        log.warning("missing UI string", extra={"key": key})
        return key
    text = entry.get(lang) or entry.get("id") or key
    return text.format(**values) if values else text
