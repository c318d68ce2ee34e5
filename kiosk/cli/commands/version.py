"""`kiosk version`: the program's version, Python and key library versions."""
from __future__ import annotations

import platform
from importlib import metadata


def register(sub) -> None:
    p = sub.add_parser("version", help="print the version")
    p.set_defaults(func=run)


def run(args) -> int:
    from kiosk import __version__

    libs = []
    for dist in ("kivy", "python-escpos", "pyserial", "opencv-python", "pyzbar", "requests"):
        try:
            libs.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            libs.append(f"{dist} (missing)")
    print(f"kiosk {__version__} (Python {platform.python_version()}; {', '.join(libs)})")
    return 0
