"""The survey desk: record SKM answers (from the kiosk or paper forms) and report the IKM for a period."""
from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kiosk.domain.errors import KioskError
from kiosk.domain.survey import (
    ELEMENT_IDS,
    SEXES,
    IkmResult,
    SurveyResponse,
    ikm_from_totals,
    ikm_rounded_weight,
    required_sample_size,
)
from kiosk.store.surveys import SurveyRepository

if TYPE_CHECKING:
    from kiosk.config import Config
    from kiosk.domain.clock import Clock
    from kiosk.store.db import Database
    from kiosk.store.visits import VisitRepository

log = logging.getLogger(__name__)

# Paper forms and spreadsheets name the profile columns in either language.
PROFILE_COLUMNS = {
    "age_group": ("age_group", "age", "umur", "usia"),
    "sex": ("sex", "jenis_kelamin", "jk", "gender"),
    "education": ("education", "pendidikan"),
    "occupation": ("occupation", "pekerjaan"),
    "comment": ("comment", "saran", "komentar"),
    "date": ("date", "tanggal"),
}


MAX_IMPORT_BYTES = 32 << 20
SURVEY_TOPIC = "survey.response"  # kiosk.sync.service.SURVEY_TOPIC: pushed to the central server


class InvalidProfile(KioskError):
    code = "invalid_survey_profile"

    def __init__(self, item: str, value: str, allowed: list[str]) -> None:
        options = ", ".join(allowed)
        super().__init__(item=item, value=value, options=options)


class SurveyImportFailed(KioskError):
    code = "survey_import_failed"

    def __init__(self, path: str, problems: list[tuple[int, str]]) -> None:
        # The rows' own problems are technical details (cell names and values), given as they are.
        super().__init__(
            path=path, bad_rows=len(problems),
            rows_id="; ".join(f"baris {n}: {t}" for n, t in problems[:5]),
            rows_en="; ".join(f"line {n}: {t}" for n, t in problems[:5]),
            more=f" (+{len(problems) - 5})" if len(problems) > 5 else "",
        )
        self.problems = problems


def period_bounds(tz: str, start: date, end: date) -> tuple[datetime, datetime]:
    """Dates from..to inclusive, in the office's time zone, as a half-open [start, end) in UTC."""
    zone = ZoneInfo(tz)
    lo = datetime.combine(start, time.min, zone)
    hi = datetime.combine(end + timedelta(days=1), time.min, zone)
    return lo.astimezone(UTC), hi.astimezone(UTC)


def age_group_for(age: int, groups: list[str]) -> str | None:
    """Map an age in years to one of the configured groups ('<20', '20-29', '>=60')."""
    for g in groups:
        text = g.replace(" ", "")
        if m := re.fullmatch(r"(\d+)-(\d+)", text):
            if int(m[1]) <= age <= int(m[2]):
                return g
        elif m := re.fullmatch(r"(<|<=|>|>=)(\d+)", text):
            bound = int(m[2])
            if {"<": age < bound, "<=": age <= bound, ">": age > bound, ">=": age >= bound}[m[1]]:
                return g
    return None


@dataclass(frozen=True)
class SurveyReport:
    start: date
    end: date
    result: IkmResult | None  # None when nobody answered
    respondents: int
    population: int
    population_source: str  # "config" (survey.yearly_population) or "visits" (visits in the period)
    required_sample: int
    profile: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def shortcut_ikm(self) -> Decimal | None:
        return ikm_rounded_weight(self.result) if self.result else None

    @property
    def sample_met(self) -> bool:
        return self.respondents >= self.required_sample


class SurveyService:
    def __init__(self, *, config: Config, clock: Clock, db: Database, visits: VisitRepository) -> None:
        self.config, self.clock, self.db, self.visits = config, clock, db, visits
        self.repo = SurveyRepository(db)

    # --- recording ---

    def check_profile(self, age_group: str = "", sex: str = "", education: str = "", occupation: str = "") -> None:
        opts = self.config.survey
        for item, value, allowed in (
            ("age_group", age_group, opts.age_groups),
            ("sex", sex, [s[0] for s in SEXES]),
            ("education", education, opts.education),
            ("occupation", occupation, opts.occupation),
        ):
            if value and value not in allowed:
                raise InvalidProfile(item, value, list(allowed))

    def record(
        self,
        answers: dict[str, int] | tuple[int, ...],
        *,
        visit_id: str | None = None,
        age_group: str = "",
        sex: str = "",
        education: str = "",
        occupation: str = "",
        comment: str = "",
    ) -> SurveyResponse:
        """One respondent from the kiosk; linked to the visit when the pass was scanned, else anonymous."""
        self.check_profile(age_group, sex, education, occupation)
        if visit_id is not None:
            self.visits.get(visit_id)  # NotFound rather than a dangling link
        profile = dict(
            age_group=age_group,
            sex=sex,
            education=education,
            occupation=occupation,
            comment=comment.strip()[:1000],
            visit_id=visit_id,
            source="kiosk",
            created_at=self.clock.now(),
            device_id=self.config.kiosk.device_id,
        )
        if isinstance(answers, dict):
            response = SurveyResponse.from_mapping(answers, **profile)
        else:
            response = SurveyResponse(tuple(answers), **profile)
        with self.db.transaction() as conn:
            self._insert(conn, [response])
        log.info("survey recorded", extra={"linked": visit_id is not None})
        return response

    def _insert(self, conn, responses: list[SurveyResponse]) -> int:
        """Store the answers and queue each for the central server in the same transaction (the outbox payload
        names the response only; its answers are read when it is sent)."""
        n = self.repo.insert_many(conn, responses)
        now = self.clock.now()
        for r in responses:
            self.visits.outbox.enqueue(conn, key=f"survey:{r.id}", topic=SURVEY_TOPIC, aggregate_id=r.id,
                                       payload={"response_id": r.id}, at=now)
        return n

    # --- paper forms ---

    def parse_csv(self, text: str) -> tuple[list[SurveyResponse], list[tuple[int, str]]]:
        """Every row checked; returns the responses and the problems as (line number, reason)."""
        try:
            dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(io.StringIO(text), dialect)
        header = next(reader, None)
        if not header:
            return [], [(1, "empty file / file kosong")]
        names = [h.strip().lower() for h in header]
        missing = [e for e in ELEMENT_IDS if e not in names]
        if missing:
            return [], [(1, f"missing columns {', '.join(missing)}")]
        index = {e: names.index(e) for e in ELEMENT_IDS}
        for key, aliases in PROFILE_COLUMNS.items():
            for alias in aliases:
                if alias in names:
                    index[key] = names.index(alias)
                    break
        tz = ZoneInfo(self.config.office.timezone)
        now = self.clock.now()
        good: list[SurveyResponse] = []
        bad: list[tuple[int, str]] = []
        for row in reader:
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            try:
                good.append(self._row(row, index, tz, now))
            except KioskError as exc:
                bad.append((line, exc.text_en))
            except (ValueError, IndexError) as exc:
                bad.append((line, str(exc) or type(exc).__name__))
        return good, bad

    def _row(self, row: list[str], index: dict[str, int], tz: ZoneInfo, now: datetime) -> SurveyResponse:
        def cell(key: str) -> str:
            i = index.get(key)
            return row[i].strip() if i is not None and i < len(row) else ""

        answers = []
        for e in ELEMENT_IDS:
            raw = cell(e)
            if not raw.isdigit() or not 1 <= int(raw) <= 4:
                raise ValueError(f"{e} = {raw!r}: expected 1, 2, 3 or 4")
            answers.append(int(raw))
        age = cell("age_group")
        if age.isdigit():
            age = age_group_for(int(age), self.config.survey.age_groups) or age
        sex = cell("sex").upper()[:1] if cell("sex") else ""
        self.check_profile(age, sex, cell("education"), cell("occupation"))
        day = cell("date")
        if day:
            try:
                created = datetime.combine(date.fromisoformat(day), time(12), tz)
            except ValueError:
                raise ValueError(f"date = {day!r}: expected YYYY-MM-DD") from None
        else:
            created = now
        return SurveyResponse(
            tuple(answers),
            age_group=age,
            sex=sex,
            education=cell("education"),
            occupation=cell("occupation"),
            comment=cell("comment")[:1000],
            source="paper",
            created_at=created,
            device_id=self.config.kiosk.device_id,
        )

    def import_csv(self, path: Path | str) -> int:
        """All rows or none: any bad row stops the import and every bad row is reported by line."""
        from kiosk.files import UnusableFile, read_bounded

        p = Path(path)
        try:
            # Bounded: a year of paper forms is well under a megabyte; /dev/zero or a FIFO is refused.
            text = read_bounded(p, MAX_IMPORT_BYTES, "CSV").decode("utf-8-sig")
        except (OSError, UnicodeDecodeError, UnusableFile) as exc:
            raise SurveyImportFailed(str(p), [(0, f"cannot read the file ({type(exc).__name__})")]) from None
        good, bad = self.parse_csv(text)
        if bad:
            raise SurveyImportFailed(p.name, bad)
        if not good:
            raise SurveyImportFailed(p.name, [(2, "no rows / tidak ada baris")])
        with self.db.transaction() as conn:
            n = self._insert(conn, good)
        log.info("survey forms imported", extra={"rows": n})
        return n

    # --- report ---

    def report(self, start: date, end: date) -> SurveyReport:
        cfg = self.config
        lo, hi = period_bounds(cfg.office.timezone, start, end)
        totals, n = self.repo.totals_between(lo, hi)
        if cfg.survey.yearly_population > 0:
            population, source = cfg.survey.yearly_population, "config"
        else:
            population, source = len(self.visits.list_between(lo, hi)), "visits"
        return SurveyReport(
            start=start,
            end=end,
            result=ikm_from_totals(totals, n) if n else None,
            respondents=n,
            population=population,
            population_source=source,
            required_sample=required_sample_size(population),
            profile=self.repo.profile_counts(lo, hi),
        )
