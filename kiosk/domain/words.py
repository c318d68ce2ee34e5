"""The word catalogues in assets/i18n: every text a person reads, Indonesian (id) and English (en), keyed by name.

`strings.toml` holds the screens' words, `errors.toml` the words of every error, keyed by the error's code.
They are static data shipped with the program and read once, like the region table: code keeps keys and
values, the catalogue keeps sentences.
"""
from __future__ import annotations

import logging
import string
import tomllib
from functools import lru_cache
from pathlib import Path

from kiosk.paths import assets_dir

log = logging.getLogger(__name__)
LANGUAGES = ("id", "en")


def flatten(table: dict, prefix: str = "") -> dict[str, dict[str, str]]:
    """`{section: {name: {id, en}}}` as `{"section.name": {id, en}}`."""
    out: dict[str, dict[str, str]] = {}
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and set(value) <= set(LANGUAGES) and value:
            out[full] = value
        elif isinstance(value, dict):
            out.update(flatten(value, full))
        else:
            raise ValueError(f"catalog entry {full} must be a table with id and en")
    return out


def catalog_path(name: str) -> Path:
    return assets_dir() / "i18n" / f"{name}.toml"


@lru_cache(maxsize=8)
def load(path: Path) -> dict[str, dict[str, str]]:
    with open(path, "rb") as fh:
        return flatten(tomllib.load(fh))


def error_catalog() -> dict[str, dict[str, str]]:
    return load(catalog_path("errors"))


def placeholders(text: str) -> set[str]:
    """The field names a catalogue text fills in (`{door}`, `{seconds:.0f}`, `{path!r}`)."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def error_text(key: str, lang: str, fields: dict[str, object]) -> str:
    """The error's sentence in `lang`, its placeholders filled from the error's fields."""
    entry = error_catalog().get(key)
    if entry is None:
        log.warning("error text missing from the catalogue", extra={"key": key})
        return key
    text = entry.get(lang) or entry["id"]
    try:
        return text.format(**fields)
    except (KeyError, IndexError, ValueError):
        log.warning("error text does not fit its fields", extra={"key": key})
        return text
