"""The public-service satisfaction survey (SKM) of Permen PANRB No. 14/2017 and its index (IKM), computed exactly.

SKM = Survei Kepuasan Masyarakat (the survey); IKM = Indeks Kepuasan Masyarakat (its index, 25-100).
The regulation weighs each of its 9 elements 1/9. Many spreadsheets round that weight to 0.11, which
shifts the index (for all-4 answers they get 99.00 instead of 100.00); we keep 1/9 exact by using
fractions, and only round the final index to 2 decimals before grading it, as the regulation's table does.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from kiosk.domain.errors import KioskError

ELEMENT_COUNT = 9
WEIGHT = Fraction(1, ELEMENT_COUNT)  # exact; the 0.11 of many copies is a rounding, not the rule
SCALE = 25  # converts the weighted mean (1..4) to the index (25..100)


@dataclass(frozen=True)
class SurveyElement:
    """One element (unsur) of the SKM with the regulation's question and its four answers, 1 (worst) to 4."""

    id: str
    name_id: str
    name_en: str
    question_id: str
    question_en: str
    labels_id: tuple[str, str, str, str]
    labels_en: tuple[str, str, str, str]

    def label(self, value: int, lang: str = "id") -> str:
        return (self.labels_id if lang == "id" else self.labels_en)[value - 1]


# The element order is the regulation's list of elements (u1..u9). Its sample questionnaire asks about
# facilities before complaint handling; we keep the element order so u8/u9 mean the same in every report.
ELEMENTS: tuple[SurveyElement, ...] = (
    SurveyElement(
        "u1", "Persyaratan", "Requirements",
        "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
        "How well do the service requirements fit the kind of service?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
        ("Not suitable", "Less suitable", "Suitable", "Very suitable"),
    ),
    SurveyElement(
        "u2", "Sistem, mekanisme dan prosedur", "System, mechanism and procedure",
        "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
        "How easy is the service procedure of this unit?",
        ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
        ("Not easy", "Less easy", "Easy", "Very easy"),
    ),
    SurveyElement(
        "u3", "Waktu penyelesaian", "Completion time",
        "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
        "How fast was the service delivered?",
        ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
        ("Not fast", "Less fast", "Fast", "Very fast"),
    ),
    SurveyElement(
        "u4", "Biaya/tarif", "Cost/fee",
        "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
        "How reasonable was the cost/fee of the service?",
        ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
        ("Very expensive", "Rather expensive", "Cheap", "Free"),
    ),
    SurveyElement(
        "u5", "Produk spesifikasi jenis pelayanan", "Service product specification",
        "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar"
        " pelayanan dengan hasil yang diberikan?",
        "How well does the result match the product stated in the service standard?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
        ("Not suitable", "Less suitable", "Suitable", "Very suitable"),
    ),
    SurveyElement(
        "u6", "Kompetensi pelaksana", "Staff competence",
        "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
        "How competent/capable were the staff?",
        ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
        ("Not competent", "Less competent", "Competent", "Very competent"),
    ),
    SurveyElement(
        "u7", "Perilaku pelaksana", "Staff behaviour",
        "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
        "How polite and friendly were the staff?",
        ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"),
        ("Not polite and friendly", "Less polite and friendly", "Polite and friendly", "Very polite and friendly"),
    ),
    SurveyElement(
        "u8", "Penanganan pengaduan, saran dan masukan", "Handling of complaints, suggestions and input",
        "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
        "How are complaints of service users handled?",
        ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"),
        ("None", "Exists but does not work", "Works, not fully", "Well managed"),
    ),
    SurveyElement(
        "u9", "Sarana dan prasarana", "Facilities and infrastructure",
        "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
        "How good are the facilities and infrastructure?",
        ("Buruk", "Cukup", "Baik", "Sangat baik"),
        ("Poor", "Fair", "Good", "Very good"),
    ),
)  # fmt: skip

ELEMENT_IDS: tuple[str, ...] = tuple(e.id for e in ELEMENTS)
SEXES: tuple[tuple[str, str, str], ...] = (("L", "Laki-laki", "Male"), ("P", "Perempuan", "Female"))


class InvalidSurveyAnswer(KioskError):
    code = "invalid_survey_answer"

    def __init__(self, element: str, value: object) -> None:
        super().__init__(element=element, value=value)
        self.element = element


class IncompleteSurvey(KioskError):
    code = "incomplete_survey"

    def __init__(self, count: int) -> None:
        super().__init__(count=count)


def new_response_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class SurveyResponse:
    """One respondent's answers u1..u9 (1-4) and the profile the regulation asks for (all optional)."""

    answers: tuple[int, ...]
    age_group: str = ""
    sex: str = ""
    education: str = ""
    occupation: str = ""
    comment: str = ""
    visit_id: str | None = None
    source: str = "kiosk"  # kiosk | paper
    created_at: datetime | None = None
    device_id: str = ""
    id: str = field(default_factory=new_response_id)

    def __post_init__(self) -> None:
        if len(self.answers) != ELEMENT_COUNT:
            raise IncompleteSurvey(len(self.answers))
        for element, value in zip(ELEMENT_IDS, self.answers, strict=True):
            if type(value) is not int or not 1 <= value <= 4:
                raise InvalidSurveyAnswer(element, value)

    @classmethod
    def from_mapping(cls, answers: dict[str, int], **profile) -> SurveyResponse:
        missing = [e for e in ELEMENT_IDS if e not in answers]
        if missing:
            raise IncompleteSurvey(ELEMENT_COUNT - len(missing))
        return cls(tuple(answers[e] for e in ELEMENT_IDS), **profile)


@dataclass(frozen=True)
class Category:
    """A grade of the regulation's table: its letter, quality words and index interval (inclusive)."""

    letter: str
    label_id: str
    label_en: str
    low: Decimal
    high: Decimal


# Permen PANRB 14/2017, table of perception values: the interval of the converted index (IKM).
CATEGORIES: tuple[Category, ...] = (
    Category("A", "Sangat Baik", "Very good", Decimal("88.31"), Decimal("100.00")),
    Category("B", "Baik", "Good", Decimal("76.61"), Decimal("88.30")),
    Category("C", "Kurang Baik", "Fair", Decimal("65.00"), Decimal("76.60")),
    Category("D", "Tidak Baik", "Poor", Decimal("25.00"), Decimal("64.99")),
)


def round2(value: Fraction | Decimal | float) -> Decimal:
    """Round half up to 2 decimals, from the exact value (no binary float on the way)."""
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(str(value)) if isinstance(value, float) else value
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def category_for(ikm: Fraction | Decimal | float) -> Category:
    """The grade of an index; the regulation's intervals are read after rounding to 2 decimals."""
    r = round2(ikm)
    for cat in CATEGORIES:
        if r >= cat.low:
            return cat
    return CATEGORIES[-1]  # below 25 cannot come from answers 1-4; grade it as the worst


@dataclass(frozen=True)
class ElementScore:
    element: SurveyElement
    total: int
    nrr: Fraction  # nilai rata-rata: the mean answer, exact

    @property
    def converted(self) -> Fraction:
        """The element's mean on the 25-100 scale, graded with the same table."""
        return self.nrr * SCALE


@dataclass(frozen=True)
class IkmResult:
    respondents: int
    elements: tuple[ElementScore, ...]
    ikm: Fraction  # exact
    method: str = "IKM = sum(NRR x 1/9) x 25, weight 1/9 exact (not 0.11)"

    @property
    def ikm_rounded(self) -> Decimal:
        return round2(self.ikm)

    @property
    def category(self) -> Category:
        return category_for(self.ikm)

    @property
    def nrr(self) -> tuple[Fraction, ...]:
        return tuple(e.nrr for e in self.elements)


class NoResponses(KioskError):
    code = "no_survey_responses"

    def __init__(self) -> None:
        super().__init__()


def ikm_from_totals(totals: Sequence[int], respondents: int) -> IkmResult:
    """IKM from the per-element sums of answers and the number of respondents (what a SQL SUM gives)."""
    if respondents <= 0:
        raise NoResponses()
    if len(totals) != ELEMENT_COUNT:
        raise IncompleteSurvey(len(totals))
    scores = tuple(
        ElementScore(e, int(t), Fraction(int(t), respondents)) for e, t in zip(ELEMENTS, totals, strict=True)
    )
    ikm = sum((s.nrr * WEIGHT for s in scores), Fraction(0)) * SCALE
    return IkmResult(respondents, scores, ikm)


def compute_ikm(responses: Iterable[SurveyResponse | Sequence[int]]) -> IkmResult:
    totals = [0] * ELEMENT_COUNT
    n = 0
    for r in responses:
        answers = r.answers if isinstance(r, SurveyResponse) else r
        for i, v in enumerate(answers):
            totals[i] += v
        n += 1
    return ikm_from_totals(totals, n)


def ikm_rounded_weight(result: IkmResult, weight: Decimal = Decimal("0.11")) -> Decimal:
    """The widespread shortcut: NRR rounded to 2 decimals times 0.11, summed, times 25. Only for comparison."""
    weighted = sum((round2(s.nrr) * weight for s in result.elements), Decimal(0))
    return (weighted * SCALE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def required_sample_size(population: int) -> int:
    """Krejcie-Morgan, as the regulation's sample table: chi-square 3.841, P = 0.5, error 5%, nearest integer."""
    if population < 0:
        raise ValueError("population must be >= 0")
    if population == 0:
        return 0
    chi2, p, d2 = Fraction("3.841"), Fraction(1, 2), Fraction(5, 100) ** 2
    s = chi2 * population * p * (1 - p) / (d2 * (population - 1) + chi2 * p * (1 - p))
    return int((s * 2 + 1) // 2)  # round half up, exactly
