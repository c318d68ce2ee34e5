"""`kiosk staff pin-hash` (the argon2 hash of a staff PIN for `ui.staff_pin_hash`) and `kiosk staff pin-reset`."""
from __future__ import annotations

import os
import sys

from kiosk.cli.common import add_config_option, context_from_args
from kiosk.domain.errors import KioskError


class PinEntryFailed(KioskError):
    code = "pin_entry_failed"

    def __init__(self, reason: str) -> None:  # pins_differ | not_root
        super().__init__(reason=reason)
        self.reason = reason

    @property
    def text_key(self) -> str:
        return f"{self.code}.{self.reason}"


def register(sub) -> None:
    p = sub.add_parser("staff", help="staff screen tools")
    ssub = p.add_subparsers(dest="staff_command", metavar="ACTION")
    ssub.required = True
    h = ssub.add_parser("pin-hash", help="ask for a PIN (4-12 digits) twice without echo and print its hash for "
                        "ui.staff_pin_hash; reads one line from stdin only when stdin is not a terminal")
    h.set_defaults(func=pin_hash)
    r = ssub.add_parser("pin-reset", help="root only: forget wrong staff PINs and lift the lock-out")
    add_config_option(r)
    r.set_defaults(func=pin_reset)


def pin_hash(args) -> int:
    from kiosk.app.staff import hash_pin

    if sys.stdin.isatty():
        import getpass

        pin = getpass.getpass("PIN: ")
        again = getpass.getpass("PIN (ulangi / again): ")
        if pin != again:
            raise PinEntryFailed("pins_differ")
    else:
        pin = sys.stdin.readline(64)  # a script's pipe or file: one line, never the whole of /dev/zero
    print(hash_pin(pin.strip()))
    return 0


def pin_reset(args) -> int:
    if os.geteuid() != 0:
        raise PinEntryFailed("not_root")
    ctx = context_from_args(args)
    try:
        lifted = ctx.staff.ops.reset_pin_state()
    finally:
        ctx.close()
    print("kunci PIN petugas dibuka / staff PIN lock-out lifted" if lifted else "tidak ada PIN salah / no wrong PINs")
    return 0
