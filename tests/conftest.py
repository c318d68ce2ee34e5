"""Shared test set-up: Kivy runs headless with a private home; every test gets its own data directory."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("KIOSK_TEST_ARTIFACTS", ROOT / "test-artifacts"))

# Kivy reads these when first imported; set them before any test module imports it.
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kiosk-kivy-home-"))
if not os.environ.get("DISPLAY"):
    # Without Xvfb (the README's test command provides it) SDL can still render offscreen.
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Hypothesis' per-example deadline (200 ms) is a timed assertion: on a loaded machine it fails a correct
# property. The properties are checked without it; speed is measured in bench/.
from hypothesis import settings  # noqa: E402

settings.register_profile("kiosk", deadline=None)
settings.load_profile("kiosk")


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def make_config(tmp_path):
    """A validated Config whose data, keys and logs live in this test's temporary directory."""
    from kiosk.config import load_config, parse_config

    def make(overrides: dict | None = None, base: str | None = "config/simulate.toml"):
        import copy
        import tomllib

        data: dict = {}
        if base:
            with open(ROOT / base, "rb") as fh:
                data = tomllib.load(fh)
        data = copy.deepcopy(data)
        for section, values in (overrides or {}).items():
            if isinstance(values, dict):
                target = data.setdefault(section, {})
                for key, value in values.items():
                    if isinstance(value, dict) and isinstance(target.get(key), dict):
                        target[key].update(value)
                    else:
                        target[key] = value
            else:
                data[section] = values
        data.setdefault("kiosk", {})["data_dir"] = str(tmp_path / "data")
        privacy = data.setdefault("privacy", {})
        privacy.setdefault("key_file", str(tmp_path / "keys" / "data.key"))
        privacy.setdefault("signing_key_file", str(tmp_path / "keys" / "pass_signing.key"))
        privacy.setdefault("verify_keys_dir", str(tmp_path / "keys" / "verify"))
        return parse_config(data, base_dir=ROOT)

    make.load = load_config  # type: ignore[attr-defined]
    return make


@pytest.fixture
def context(make_config):
    """An AppContext on a fresh database, with a clock the test controls."""
    from datetime import UTC, datetime

    from kiosk.app.context import AppContext
    from kiosk.domain.clock import FixedClock

    ctx = AppContext(make_config(), clock=FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC)))
    yield ctx
    ctx.close()


from tests.fixtures_pg import pg_url, postgres_server  # noqa: E402,F401  (the central tests' PostgreSQL)
