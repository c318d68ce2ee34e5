"""A serial device that can be pulled and plugged back in: a pty pair behind a by-id style symlink.

The driver opens `link` exactly as it opens /dev/serial/by-id/usb-...-if00. `unplug()` closes the pty
(the driver's open port fails as a USB-serial adapter's does) and removes the link; `plug()` opens a new
pty behind the same link. What the device sends is written to `master`.
"""
from __future__ import annotations

import contextlib
import os
import tty


class PluggablePty:
    def __init__(self, link: str | os.PathLike[str]) -> None:
        self.link = os.fspath(link)
        self.master = self.slave = -1
        self.plug()

    def plug(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.master)
        tty.setraw(self.slave)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.link)
        os.symlink(os.ttyname(self.slave), self.link)

    def unplug(self) -> None:
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.link)

    def send(self, data: bytes) -> None:
        os.write(self.master, data)
