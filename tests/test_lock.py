"""The lock files: made from this pyproject.toml, every package pinned with its hashes (no network)."""
from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("lock_digest", ROOT / "tools" / "lock_digest.py")
lock_digest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lock_digest)

REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(lock: Path) -> dict[tuple[str, str], list[str]]:
    """(name, version, marker) -> the hashes of each requirement in a lock file."""
    pins: dict[tuple[str, str], list[str]] = {}
    text = lock.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        m = REQUIREMENT.match(line)
        if m:
            marker = line.split(";", 1)[1].split("--hash")[0].strip() if ";" in line else ""
            pins[(_norm(m.group(1)), m.group(2), marker)] = re.findall(r"--hash=sha256:([0-9a-f]{64})", line)
    return pins


def _declared_names(pyproject: Path) -> set[str]:
    tables = lock_digest.dependency_tables(pyproject)
    reqs = list(tables["dependencies"]) + list(tables["build-system.requires"])
    for extra in tables["optional-dependencies"].values():
        reqs += extra
    with open(pyproject, "rb") as fh:
        own = _norm(tomllib.load(fh)["project"]["name"])
    names = {_norm(re.match(r"[A-Za-z0-9._-]+", r.strip()).group(0)) for r in reqs}
    return names - {own}  # an extra may pull in another extra of the project itself


@pytest.mark.parametrize("lock", lock_digest.LOCKS)
def test_the_lock_was_made_from_this_pyproject(lock):
    recorded = lock_digest.recorded_digest(ROOT / lock)
    assert recorded == lock_digest.digest(ROOT / "pyproject.toml"), (
        f"pyproject.toml's dependencies changed since {lock} was made: run tools/lock.sh and commit the locks"
    )


@pytest.mark.parametrize("lock", lock_digest.LOCKS)
def test_every_package_in_the_lock_is_pinned_with_hashes(lock):
    text = (ROOT / lock).read_text(encoding="utf-8")
    pins = _pins(ROOT / lock)
    assert pins
    for (name, version, _marker), hashes in pins.items():
        assert hashes, f"{name}=={version} has no hash in {lock}"
    # Nothing unpinned slipped in: every requirement line is name==version.
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            assert REQUIREMENT.match(line), line


def test_the_full_lock_holds_every_dependency_of_every_extra():
    names = {name for name, _v, _m in _pins(ROOT / "requirements.lock")}
    missing = _declared_names(ROOT / "pyproject.toml") - names
    assert not missing, f"not in requirements.lock: {sorted(missing)}; run tools/lock.sh"
    assert {"opencv-python", "pytest", "ruff", "setuptools"} <= names


def test_the_kiosk_lock_has_the_same_versions_without_the_extras():
    full = set(_pins(ROOT / "requirements.lock"))
    kiosk = set(_pins(ROOT / "requirements-kiosk.lock"))
    assert kiosk <= full
    kiosk_names = {name for name, _v, _m in kiosk}
    assert "pytest" not in kiosk_names and "kivy" in kiosk_names


def test_opencv_is_locked_to_4x_which_bundles_the_face_cascade():
    versions = {v for name, v, _m in _pins(ROOT / "requirements.lock") if name == "opencv-python"}
    assert versions and all(v.startswith("4.") for v in versions), versions


def test_the_fingerprint_follows_dependencies_and_extras_only(tmp_path):
    original = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    base = lock_digest.digest(ROOT / "pyproject.toml")

    def digest_of(text: str) -> str:
        path = tmp_path / "pyproject.toml"
        path.write_text(text, encoding="utf-8")
        return lock_digest.digest(path)

    assert digest_of(original.replace('description = "', 'description = "Changed: ')) == base
    assert "[project.optional-dependencies]\n" in original
    new_extra = original.replace("[project.optional-dependencies]\n", '[project.optional-dependencies]\nnew = ["attrs>=23"]\n')
    assert digest_of(new_extra) != base
    assert digest_of(original.replace('"pyserial>=3.5"', '"pyserial>=3.6"')) != base


def test_bootstrap_installs_the_lock_with_hashes_and_reinstalls_when_it_changes():
    script = (ROOT / "bootstrap.sh").read_text(encoding="utf-8")
    assert "LOCK=requirements.lock" in script
    assert '--require-hashes -r "$LOCK"' in script
    assert '--no-deps --no-build-isolation -e .' in script
    assert 'want=$(cat pyproject.toml "$LOCK" | sha256sum' in script
