"""Structured logs: one JSON object per line, NIK-like numbers scrubbed, rotation when writing to a file."""
from __future__ import annotations

import json
import logging
import logging.handlers
import sys
from datetime import UTC, datetime
from pathlib import Path

from kiosk.domain.masking import scrub_text
from kiosk.files import private_dir

_STD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# Extra fields that must never reach a log, whatever a caller passes.
_FORBIDDEN = {"nik", "address", "alamat", "photo", "name", "nama", "phone", "no_hp"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": scrub_text(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key in _STD_ATTRS or key.startswith("_"):
                continue
            out[key] = "[redacted]" if key.lower() in _FORBIDDEN else _safe(value)
        if record.exc_info:
            out["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else ""
            out["exc"] = scrub_text(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False, default=str)


def _safe(value: object) -> object:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return scrub_text(str(value))


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time of the record (it may be replaced after set-up)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every log file (the current one and each after a rotation) is 0600 whatever the umask: logs are masked,
    but they still say who came when."""

    def _open(self):
        import os
        import stat

        from kiosk.files import FILE_MODE

        # Non-blocking open: a FIFO without a reader is an error, not a hang of every command.
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC | os.O_NONBLOCK
        fd = os.open(self.baseFilename, flags, FILE_MODE)
        if stat.S_ISREG(os.fstat(fd).st_mode):  # never chmod a device such as /dev/null
            os.fchmod(fd, FILE_MODE)
        os.set_blocking(fd, True)
        return os.fdopen(fd, self.mode if "a" in self.mode else "a", encoding=self.encoding, errors=self.errors)


def setup_logging(level: str = "INFO", file: str = "", max_bytes: int = 5_000_000, backups: int = 5) -> None:
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_kiosk", False):
            root.removeHandler(h)
    if file:
        private_dir(Path(file).parent)
        handler: logging.Handler = _PrivateRotatingFileHandler(
            file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
        )
    else:
        handler = _StderrHandler()
    handler.setFormatter(JsonFormatter())
    handler._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
