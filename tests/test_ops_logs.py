"""Logs: JSON lines, rotated by size, and no NIK, name or address in any line, whatever the code path."""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.logs import setup_logging
from tests.fixtures_ops import ADDRESS_A, NAME_A, NIK_A, register_at


@pytest.fixture
def log_file(tmp_path):
    path = tmp_path / "logs" / "kiosk.jsonl"
    setup_logging("DEBUG", str(path), max_bytes=10_000, backups=2)
    yield path
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_kiosk", False):
            h.close()
            root.removeHandler(h)


def _lines(path):
    files = sorted(path.parent.glob(path.name + "*"))
    return [ln for f in files for ln in f.read_text(encoding="utf-8").splitlines()]


def test_log_file_rotates_by_size_and_every_line_is_json(log_file):
    log = logging.getLogger("kiosk.test")
    for i in range(400):
        log.info("tick", extra={"n": i, "visit_id": f"v-{i}"})
    files = sorted(p.name for p in log_file.parent.iterdir())
    assert files == ["kiosk.jsonl", "kiosk.jsonl.1", "kiosk.jsonl.2"]  # backups=2: older ones are dropped
    assert all(p.stat().st_size <= 10_000 for p in log_file.parent.iterdir())
    records = [json.loads(ln) for ln in _lines(log_file)]
    assert {"ts", "level", "logger", "msg"} <= set(records[0])
    assert max(r["n"] for r in records) == 399


def test_no_personal_data_reaches_the_log_through_operations(context, log_file):
    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    register_at(context, now - timedelta(days=40))
    visit = register_at(context, now - timedelta(hours=1))
    context.clock.set(now)
    context.privacy.purge()
    context.privacy.export(NIK_A)
    context.staff.todays_visits()
    context.staff.check_out(visit.id)
    try:
        context.privacy.forget(NIK_A[:-1] + "9")  # unknown person: the error names only the masked NIK
    except Exception as exc:
        logging.getLogger("kiosk.test").warning("forget failed: %s", exc, extra={"nik": NIK_A, "address": ADDRESS_A})
    context.privacy.forget(NIK_A)
    logging.getLogger("kiosk.test").info(f"careless message with {NIK_A}", extra={"nama": NAME_A})
    text = "\n".join(_lines(log_file))
    assert "retention purge" in text and "data subject forgotten" in text
    assert NIK_A not in text
    assert NAME_A not in text and ADDRESS_A not in text
    assert "[redacted]" in text
