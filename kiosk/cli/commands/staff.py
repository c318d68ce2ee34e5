"""`kiosk staff pin-hash`: the argon2 hash of a staff PIN (read from stdin) for `ui.staff_pin_hash`."""
from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser("staff", help="staff screen tools")
    ssub = p.add_subparsers(dest="staff_command", metavar="ACTION")
    ssub.required = True
    h = ssub.add_parser("pin-hash", help="read a PIN (4-12 digits) from stdin, print its hash for ui.staff_pin_hash")
    h.set_defaults(func=pin_hash)


def pin_hash(args) -> int:
    from kiosk.app.staff import hash_pin

    if sys.stdin.isatty():
        import getpass

        pin = getpass.getpass("PIN: ")
    else:
        pin = sys.stdin.readline()
    print(hash_pin(pin.strip()))
    return 0
