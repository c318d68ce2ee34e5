"""The fingerprint of pyproject.toml's dependency tables that the lock files record in their header.

`tools/lock.sh` writes it when it regenerates the locks; `tests/test_lock.py` recomputes it, so a
dependency changed in pyproject.toml without a relock fails the suite. Only what decides the resolution
counts: requires-python, the dependencies, every optional-dependencies extra and the build requirements
(the project is installed without build isolation, from the lock's setuptools).

    python3 tools/lock_digest.py digest           # the fingerprint of ./pyproject.toml
    python3 tools/lock_digest.py build-requires   # build-system.requires, one per line
"""
from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from pathlib import Path

HEADER = "# pyproject-dependencies-sha256:"
ROOT = Path(__file__).resolve().parent.parent
# Every lock: (file, what it holds). The full one is what ./bootstrap.sh installs; the kiosk one,
# the same versions without the extras, is what systemd/install.sh installs on a kiosk.
LOCKS = ("requirements.lock", "requirements-kiosk.lock")


def dependency_tables(pyproject: Path) -> dict:
    with open(pyproject, "rb") as fh:
        data = tomllib.load(fh)
    project = data.get("project", {})
    return {
        "requires-python": project.get("requires-python", ""),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
        "build-system.requires": data.get("build-system", {}).get("requires", []),
    }


def digest(pyproject: Path = ROOT / "pyproject.toml") -> str:
    canonical = json.dumps(dependency_tables(pyproject), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def recorded_digest(lock: Path) -> str | None:
    """The fingerprint a lock file was made from, or None when its header has none."""
    with open(lock, encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("#"):
                break
            if line.startswith(HEADER):
                return line[len(HEADER):].strip()
    return None


def main(argv: list[str]) -> int:
    pyproject = ROOT / "pyproject.toml"
    if argv == ["digest"]:
        print(digest(pyproject))
    elif argv == ["build-requires"]:
        print("\n".join(dependency_tables(pyproject)["build-system.requires"]))
    else:
        print("usage: lock_digest.py digest | build-requires", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
