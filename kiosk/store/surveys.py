"""Survey responses (SKM): stored one row per respondent, summed per element by SQL for the index."""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime

from kiosk.domain.clock import from_iso, to_iso
from kiosk.domain.survey import ELEMENT_COUNT, SurveyResponse
from kiosk.store.db import Database

_PROFILE = ("age_group", "sex", "education", "occupation")


def _response(r: sqlite3.Row) -> SurveyResponse:
    return SurveyResponse(
        answers=tuple(json.loads(r["answers"])),
        age_group=r["age_group"],
        sex=r["sex"],
        education=r["education"],
        occupation=r["occupation"],
        comment=r["comment"],
        visit_id=r["visit_id"],
        source=r["source"],
        created_at=from_iso(r["created_at"]),
        device_id=r["device_id"],
        id=r["id"],
    )


def _span(start: datetime, end: datetime) -> tuple[str, str]:
    # Stored times are UTC; comparing ISO strings is only right when both sides are UTC too.
    return to_iso(start.astimezone(UTC)), to_iso(end.astimezone(UTC))


class SurveyRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def insert(self, conn: sqlite3.Connection, response: SurveyResponse) -> None:
        """Inside the caller's transaction."""
        self.insert_many(conn, [response])

    def insert_many(self, conn: sqlite3.Connection, responses: Iterable[SurveyResponse]) -> int:
        rows = [
            (
                r.id,
                r.visit_id,
                json.dumps(list(r.answers)),
                r.age_group,
                r.sex,
                r.education,
                r.occupation,
                r.comment,
                r.source,
                to_iso(r.created_at.astimezone(UTC)) if r.created_at else None,
                r.device_id,
            )
            for r in responses
        ]
        conn.executemany(
            "INSERT INTO survey_responses(id, visit_id, answers, age_group, sex, education, occupation, comment,"
            " source, created_at, device_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        return len(rows)

    def add(self, response: SurveyResponse) -> None:
        with self._db.transaction() as conn:
            self.insert(conn, response)

    def totals_between(self, start: datetime, end: datetime) -> tuple[list[int], int]:
        """Per-element sums of the answers and the number of respondents in [start, end)."""
        sums = ", ".join(f"COALESCE(SUM(json_extract(answers, '$[{i}]')), 0)" for i in range(ELEMENT_COUNT))
        row = self._db.conn.execute(
            f"SELECT COUNT(*), {sums} FROM survey_responses WHERE created_at >= ? AND created_at < ?",
            _span(start, end),
        ).fetchone()
        return [int(v) for v in row[1:]], int(row[0])

    def profile_counts(self, start: datetime, end: datetime) -> dict[str, dict[str, int]]:
        """How many respondents gave each profile answer ('' = not given)."""
        out: dict[str, dict[str, int]] = {}
        for col in _PROFILE:
            rows = self._db.conn.execute(
                f"SELECT {col}, COUNT(*) FROM survey_responses WHERE created_at >= ? AND created_at < ?"
                f" GROUP BY {col} ORDER BY {col}",
                _span(start, end),
            ).fetchall()
            out[col] = {r[0]: r[1] for r in rows}
        return out

    def list_between(self, start: datetime, end: datetime) -> list[SurveyResponse]:
        rows = self._db.conn.execute(
            "SELECT * FROM survey_responses WHERE created_at >= ? AND created_at < ? ORDER BY created_at",
            _span(start, end),
        )
        return [_response(r) for r in rows]

    def get(self, response_id: str) -> SurveyResponse | None:
        row = self._db.conn.execute("SELECT * FROM survey_responses WHERE id=?", (response_id,)).fetchone()
        return _response(row) if row else None

    def for_visit(self, visit_id: str) -> list[SurveyResponse]:
        rows = self._db.conn.execute("SELECT * FROM survey_responses WHERE visit_id=? ORDER BY created_at", (visit_id,))
        return [_response(r) for r in rows]

    def count(self) -> int:
        return int(self._db.conn.execute("SELECT COUNT(*) FROM survey_responses").fetchone()[0])
