"""Benchmark: IKM over 100,000 survey responses (SQL sums and pure Python) and report generation, with the
0.11-weight shortcut many offices use as the peer, showing how far its figure drifts from the exact 1/9."""
from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from kiosk.app.context import AppContext
from kiosk.config import Config, KioskConfig, PrivacyConfig
from kiosk.domain.clock import FixedClock
from kiosk.domain.survey import SurveyResponse, category_for, compute_ikm, ikm_rounded_weight

N = 100_000


def _responses(n: int, rng: random.Random, start: datetime) -> list[SurveyResponse]:
    # Mostly satisfied visitors with one weaker element (complaint handling), like real reports.
    weights = [(0.02, 0.08, 0.55, 0.35)] * 7 + [(0.05, 0.15, 0.55, 0.25), (0.02, 0.06, 0.5, 0.42)]
    out = []
    for i in range(n):
        answers = tuple(rng.choices((1, 2, 3, 4), w)[0] for w in weights)
        out.append(SurveyResponse(answers, created_at=start + timedelta(seconds=30 * i), source="paper"))
    return out


def _timed(fn, repeat: int = 3):
    best, value = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    return best, value


def main(argv: list[str] | None = None) -> None:
    """`python -m bench.survey [N]`: N responses (default 100,000)."""
    n = int(argv[0]) if argv else N
    rng = random.Random(14_2017)
    start = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    responses = _responses(n, rng, start)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Config(
            kiosk=KioskConfig(data_dir=str(Path(tmp) / "data"), device_id="bench"),
            privacy=PrivacyConfig(key_file=str(Path(tmp) / "data.key")),
        )
        ctx = AppContext(cfg, clock=FixedClock(start))
        t0 = time.perf_counter()
        with ctx.db.transaction() as conn:
            ctx.surveys.repo.insert_many(conn, responses)
        insert_s = time.perf_counter() - t0
        last = (start + timedelta(seconds=30 * n, days=1)).date()  # the office day may be ahead of UTC
        sql_s, rep = _timed(lambda: ctx.surveys.report(date(2026, 1, 1), last))
        py_s, result = _timed(lambda: compute_ikm(responses))
        from kiosk.app import charts, report_render

        table_s, _ = _timed(lambda: report_render.survey_table(rep))
        png_s, _ = _timed(lambda: charts.survey_png(rep, Path(tmp) / "ikm.png"))
        ctx.close()
    assert result.ikm == rep.result.ikm
    print(f"survey responses: {n}")
    print(f"  insert (one transaction):           {insert_s * 1000:8.1f} ms")
    print(f"  IKM via SQL sums + exact fractions: {sql_s * 1000:8.1f} ms  (report incl. profile counts)")
    print(f"  IKM in pure Python over the rows:   {py_s * 1000:8.1f} ms")
    print(f"  table rendering:                    {table_s * 1000:8.1f} ms")
    print(f"  PNG chart (Pillow):                 {png_s * 1000:8.1f} ms")
    shortcut = ikm_rounded_weight(result)
    print(f"  IKM exact 1/9: {result.ikm_rounded} ({result.category.letter});"
          f" peer 0.11 shortcut: {shortcut} ({category_for(shortcut).letter});"
          f" difference {result.ikm_rounded - shortcut}")  # fmt: skip
    # Where the shortcut changes the grade: every answer set whose exact IKM is A but whose shortcut is B.
    flips = 0
    for _ in range(20_000):
        r = compute_ikm([tuple(rng.choices((3, 4), (0.45, 0.55))[0] for _ in range(9)) for _ in range(5)])
        if category_for(r.ikm).letter != category_for(ikm_rounded_weight(r)).letter:
            flips += 1
    print(f"  random 5-respondent samples whose grade the 0.11 shortcut changes: {flips} of 20000")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
