"""Where the kiosk finds its shipped assets (checkout or installed)."""
from __future__ import annotations

import os
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def assets_dir() -> Path:
    env = os.environ.get("KIOSK_ASSETS")
    if env:
        return Path(env)
    return _ROOT / "assets"
