"""Files the kiosk creates or reads on behalf of a person: private modes whatever the umask, bounded reads.

Everything the kiosk writes that can hold personal data or secrets (database and its WAL/SHM, photos, logs,
exports, keys) is created 0600 in folders made 0700, set explicitly rather than left to the umask, and an
existing file is brought back to 0600. Inputs named on the command line are read only when they are regular
files and only up to a limit, so a FIFO, a terminal or /dev/zero gives one clear error instead of a hang or
an exhausted memory.
"""
from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from kiosk.domain.errors import KioskError

FILE_MODE = 0o600
DIR_MODE = 0o700


class UnusableFile(KioskError):
    code = "unusable_file"

    def __init__(self, path: Path | str, reason: str, *, what: str = "", max_bytes: int = 0) -> None:
        # reason: symlink | not_regular | folder | special | too_large
        super().__init__(path=str(path), reason=reason, what=what, max_bytes=max_bytes)
        self.reason = reason

    @property
    def text_key(self) -> str:
        return f"{self.code}.{self.reason}"


def private_dir(path: Path | str) -> Path:
    """Create `path` (and missing parents) mode 0700; a folder that exists keeps its mode unless we made it."""
    p = Path(path)
    missing = []
    cur = p
    while not cur.exists():
        missing.append(cur)
        if cur.parent == cur:
            break
        cur = cur.parent
    p.mkdir(parents=True, exist_ok=True)
    for made in missing:
        with contextlib.suppress(OSError):
            os.chmod(made, DIR_MODE)
    return p


def _open_private_fd(p: Path, flags: int) -> int:
    """`p` opened with `flags` without following a symlink or blocking on a FIFO; refuses anything that is
    not a regular file and brings the file to 0600 (O_CREAT's mode only applies to a new file)."""
    try:
        fd = os.open(p, flags | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, FILE_MODE)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a symlink planted where our file belongs
            raise UnusableFile(p, "symlink") from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnusableFile(p, "not_regular")
        os.fchmod(fd, FILE_MODE)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def make_private(path: Path | str) -> None:
    """Bring an existing file to 0600 (it may have been created by a library with the umask's mode)."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, FILE_MODE)


def touch_private(path: Path | str) -> None:
    """Create an empty file 0600 if missing, and make an existing one 0600 (not following a symlink)."""
    p = Path(path)
    private_dir(p.parent)
    os.close(_open_private_fd(p, os.O_WRONLY | os.O_CREAT))


def open_private_write(path: Path | str, *, binary: bool = False):
    """Open `path` for writing with mode 0600: refuses a symlink or anything that is not a regular file, and an
    existing file is truncated AND brought to 0600 (O_TRUNC alone keeps its old mode)."""
    p = Path(path)
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISLNK(st.st_mode):
        raise UnusableFile(p, "symlink")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise UnusableFile(p, "not_regular")
    fd = _open_private_fd(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    return os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": ""}))


def write_private(path: Path | str, data: bytes) -> None:
    with open_private_write(path, binary=True) as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def read_bounded(path: Path | str, max_bytes: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most `max_bytes`. A FIFO, device, folder or a file too large is one
    clear error (opened non-blocking, so a FIFO without a writer cannot hang the command)."""
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except IsADirectoryError:
        raise UnusableFile(p, "folder", what=what) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnusableFile(p, "special", what=what)
        if st.st_size > max_bytes:
            raise UnusableFile(p, "too_large", max_bytes=max_bytes)
        os.set_blocking(fd, True)
        chunks = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:  # it grew while we read
                raise UnusableFile(p, "too_large", max_bytes=max_bytes)
        return b"".join(chunks)
    finally:
        os.close(fd)
