"""`kiosk sync status` and `kiosk sync retry`: what the office IT person reads and does about parked messages."""
from __future__ import annotations

import json
from datetime import UTC, datetime

from kiosk.cli import main
from tests.fixtures_lockers import write_config


def _outbox_with_two_parked(cfg_path):
    from kiosk.app.context import AppContext
    from kiosk.config import load_config

    ctx = AppContext(load_config(cfg_path))
    try:
        outbox = ctx.visits.outbox
        at = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
        with ctx.db.transaction() as conn:
            for n in range(3):
                outbox.enqueue(conn, key=f"visit:v{n}:registered", topic="visit.registered",
                               aggregate_id=f"v{n}", payload={"n": n}, at=at)
        ids = [r[0] for r in ctx.db.conn.execute("SELECT id FROM outbox ORDER BY id")]
        outbox.park(ids[0], "422 office code unknown")
        outbox.park(ids[1], "400 bad payload")
        return ids
    finally:
        ctx.close()


def test_status_counts_the_outbox_and_names_each_parked_message_with_its_reason(tmp_path, capsys):
    cfg = write_config(tmp_path)
    ids = _outbox_with_two_parked(cfg)
    assert main(["sync", "status", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "outbox: 1 pending, 0 sent, 2 parked" in out
    assert f"parked #{ids[0]} visit.registered v0: 422 office code unknown" in out
    assert main(["sync", "status", "--json", "--config", str(cfg)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["parked"] == 2 and {m["id"] for m in data["parked"]} == set(ids[:2])


def test_retry_queues_one_parked_message_or_all_of_them(tmp_path, capsys):
    cfg = write_config(tmp_path)
    ids = _outbox_with_two_parked(cfg)
    assert main(["sync", "retry", "--id", str(ids[1]), "--config", str(cfg)]) == 0
    assert capsys.readouterr().out.strip() == "1 message(s) queued again"
    assert main(["sync", "status", "--json", "--config", str(cfg)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["counts"]["pending"], data["counts"]["parked"]) == (2, 1)
    assert main(["sync", "retry", "--config", str(cfg)]) == 0
    assert capsys.readouterr().out.strip() == "1 message(s) queued again"
    assert main(["sync", "status", "--json", "--config", str(cfg)]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["parked"] == 0


def test_status_names_the_messages_held_behind_a_parked_message_of_the_same_visit(tmp_path, capsys):
    from kiosk.app.context import AppContext
    from kiosk.config import load_config

    cfg = write_config(tmp_path)
    ids = _outbox_with_two_parked(cfg)
    ctx = AppContext(load_config(cfg))
    try:
        with ctx.db.transaction() as conn:  # a later message of the visit whose registration is parked
            ctx.visits.outbox.enqueue(conn, key="visit:v0:event:1", topic="visit.event", aggregate_id="v0",
                                      payload={"n": 9}, at=datetime(2026, 11, 23, 1, 31, tzinfo=UTC))
        held_id = ctx.db.conn.execute("SELECT MAX(id) FROM outbox").fetchone()[0]
        due = ctx.visits.outbox.due(datetime(2026, 11, 24, tzinfo=UTC))
        assert [m.aggregate_id for m in due] == ["v2"]  # v0's event does not overtake its parked registration
    finally:
        ctx.close()
    assert main(["sync", "status", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert f"held #{held_id} visit.event v0: waits behind a parked message of the visit" in out
    assert main(["sync", "status", "--json", "--config", str(cfg)]) == 0
    assert [m["id"] for m in json.loads(capsys.readouterr().out)["held"]] == [held_id]
    assert main(["sync", "retry", "--id", str(ids[0]), "--config", str(cfg)]) == 0
    capsys.readouterr()
    assert main(["sync", "status", "--json", "--config", str(cfg)]) == 0
    assert json.loads(capsys.readouterr().out)["held"] == []
