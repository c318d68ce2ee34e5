"""Every error speaks from the catalogue: assets/i18n/errors.toml has its Indonesian and English words, and
every {placeholder} in them is a field the error provides."""
from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from functools import cache
from pathlib import Path

import pytest

import kiosk
from kiosk.domain.errors import IllegalTransition, KioskError, NotFound
from kiosk.domain.words import catalog_path, error_catalog, load, placeholders


def _modules():
    # kiosk.ui is left out: importing it opens Kivy's window. It defines no errors (checked below). Alembic's
    # migration scripts run only under Alembic, and __main__ runs the CLI.
    for info in pkgutil.walk_packages(kiosk.__path__, "kiosk."):
        if not info.name.startswith(("kiosk.ui", "kiosk.central.migrations")) and info.name != "kiosk.__main__":
            yield importlib.import_module(info.name)


def _errors() -> list[type[KioskError]]:
    list(_modules())
    found, todo = [], [KioskError]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("kiosk."):
                found.append(sub)
            todo.append(sub)
    return sorted(set(found), key=lambda c: (c.__module__, c.__qualname__))


ERRORS = _errors()


@cache
def _tree(path: str) -> ast.Module:
    return ast.parse(Path(path).read_text())


def _class_node(cls: type) -> ast.ClassDef:
    tree = _tree(inspect.getsourcefile(cls))
    return next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == cls.__name__)


def _super_init_calls(cls: type) -> list[ast.Call]:
    init = next((b for b in _class_node(cls).body if isinstance(b, ast.FunctionDef) and b.name == "__init__"), None)
    if init is None:
        return []
    return [c for c in ast.walk(init) if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
            and c.func.attr == "__init__" and isinstance(c.func.value, ast.Call)
            and getattr(c.func.value.func, "id", "") == "super"]


def _fields(cls: type) -> set[str]:
    """The field names the error and its parents pass up to KioskError."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass is KioskError or not issubclass(klass, KioskError):
            return names
        calls = _super_init_calls(klass)
        if not calls:
            continue
        init = next(b for b in _class_node(klass).body if isinstance(b, ast.FunctionDef) and b.name == "__init__")
        for call in calls:
            names |= {k.arg for k in call.keywords if k.arg}
            if any(k.arg is None for k in call.keywords):  # **fields built in the method: dict literal and update()
                for node in ast.walk(init):
                    if isinstance(node, ast.Dict):
                        names |= {k.value for k in node.keys if isinstance(k, ast.Constant)}
                    if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "update":
                        names |= {k.arg for k in node.keywords if k.arg}
    return names


def _is_abstract(cls: type) -> bool:
    """A base that only groups errors: it has subclasses, no constructor of its own, and nothing raises it."""
    if not cls.__subclasses__() or "__init__" in cls.__dict__:
        return False
    for path in Path(kiosk.__file__).parent.rglob("*.py"):
        for node in ast.walk(_tree(str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == cls.__name__:
                return False
    return True


def _keys(cls: type) -> list[str]:
    """The catalogue entries the error may speak from: its code, or code.<variant> when text_key varies."""
    if cls.text_key is KioskError.text_key:
        return [cls.code]
    return sorted(k for k in error_catalog() if k.startswith(f"{cls.code}."))


def test_the_error_catalogue_is_well_formed():
    raw = load(catalog_path("errors"))
    assert raw, "assets/i18n/errors.toml is empty"
    for key, entry in raw.items():
        assert set(entry) == {"id", "en"} and all(v.strip() for v in entry.values()), key


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_error_has_both_texts_and_only_its_own_fields(cls):
    if _is_abstract(cls):
        return
    keys = _keys(cls)
    assert keys, f"{cls.__name__}: no entry '{cls.code}' (or '{cls.code}.<variant>') in assets/i18n/errors.toml"
    fields = _fields(cls)
    for key in keys:
        entry = error_catalog().get(key)
        assert entry is not None, f"{cls.__name__}: '{key}' missing from assets/i18n/errors.toml"
        for lang in ("id", "en"):
            unknown = placeholders(entry[lang]) - fields
            assert not unknown, f"{key} ({lang}) uses {sorted(unknown)}, not fields of {cls.__name__} ({sorted(fields)})"


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_no_error_writes_its_words_by_hand(cls):
    for call in _super_init_calls(cls):
        literal = [a for a in call.args if isinstance(a, (ast.Constant, ast.JoinedStr)) and not isinstance(getattr(a, "value", None), (int, float))]
        assert not literal, f"{cls.__name__}: texts belong in assets/i18n/errors.toml under '{cls.code}'"


def test_every_catalogue_entry_belongs_to_an_error():
    known = {cls.code for cls in ERRORS} | {KioskError.code}
    orphans = [k for k in error_catalog() if k.split(".")[0] not in known]
    assert not orphans, f"entries for no error: {orphans}"


def test_the_ui_defines_no_errors_of_its_own():
    for path in Path(kiosk.__file__).parent.joinpath("ui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                assert not any(getattr(b, "id", "").endswith(("Error", "KioskError")) for b in node.bases), (path, node.name)


def test_an_error_is_a_code_and_fields_worded_from_the_catalogue():
    exc = IllegalTransition("v1", "registered", "inside")
    assert exc.code == "illegal_transition"
    assert exc.fields == {"visit_id": "v1", "current": "registered", "requested": "inside"}
    assert exc.text_id == "Kunjungan v1 tidak dapat berubah dari 'registered' ke 'inside'"
    assert exc.text_en == "Visit v1 cannot move from 'registered' to 'inside'"
    assert exc.message() == f"{exc.text_id} / {exc.text_en}"
    assert NotFound("Host", "x").text("en") == "Host 'x' not found"
