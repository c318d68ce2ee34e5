"""The SKM/IKM maths of Permen PANRB 14/2017: exact weight 1/9, the grade table, the Krejcie-Morgan sample size."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.survey import (
    ELEMENTS,
    IncompleteSurvey,
    InvalidSurveyAnswer,
    NoResponses,
    SurveyResponse,
    category_for,
    compute_ikm,
    ikm_from_totals,
    ikm_rounded_weight,
    required_sample_size,
)

answers = st.tuples(*[st.integers(1, 4)] * 9)


def test_the_survey_has_the_nine_elements_of_the_regulation_with_four_worded_answers_each():
    assert [e.id for e in ELEMENTS] == [f"u{i}" for i in range(1, 10)]
    assert ELEMENTS[0].name_id == "Persyaratan"
    assert ELEMENTS[3].labels_id == ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")
    assert ELEMENTS[8].labels_id[0] == "Buruk" and ELEMENTS[8].labels_id[3] == "Sangat baik"
    assert all(len(e.labels_id) == 4 == len(e.labels_en) for e in ELEMENTS)
    assert ELEMENTS[0].label(4, "en") == "Very suitable"


@pytest.mark.parametrize(
    ("population", "sample"), [(10, 10), (20, 19), (100, 80), (220, 140), (1000, 278), (2000, 322), (10**7, 384)]
)
def test_required_sample_follows_krejcie_morgan_as_the_regulation_tabulates(population, sample):
    assert required_sample_size(population) == sample


def test_all_best_answers_give_exactly_100_while_the_0_11_shortcut_gives_99():
    result = compute_ikm([SurveyResponse((4,) * 9)])
    assert result.ikm == 100
    assert result.ikm_rounded == Decimal("100.00")
    assert result.category.letter == "A"
    assert ikm_rounded_weight(result) == Decimal("99.00")


def test_worked_example_two_respondents_by_the_regulations_method():
    # NRR u1..u9 = 3, 3.5, 3, 4, 3, 3, 3, 2.5, 3 -> sum 28 -> 28/9*25 = 77.777... -> 77.78 -> B Baik
    result = compute_ikm([(3, 3, 3, 4, 3, 3, 3, 3, 3), (3, 4, 3, 4, 3, 3, 3, 2, 3)])
    assert result.nrr == tuple(Fraction(x) for x in ("3", "3.5", "3", "4", "3", "3", "3", "2.5", "3"))
    assert result.ikm == Fraction(700, 9)
    assert result.ikm_rounded == Decimal("77.78")
    assert (result.category.letter, result.category.label_id) == ("B", "Baik")
    # the shortcut: NRR x 0.11 summed = 3.08, x 25 = 77.00: a visibly different figure
    assert ikm_rounded_weight(result) == Decimal("77.00")


def test_worked_example_from_per_element_totals_of_100_paper_forms():
    totals = [310, 295, 280, 400, 300, 320, 330, 260, 290]
    result = ikm_from_totals(totals, 100)
    assert result.ikm == Fraction(sum(totals), 100) / 9 * 25  # 2785/100/9*25 = 77.36
    assert result.ikm_rounded == Decimal("77.36")
    assert result.category.letter == "B"


@pytest.mark.parametrize(
    ("ikm", "letter"),
    [
        ("100", "A"), ("88.31", "A"), ("88.305", "A"), ("88.3049", "B"), ("88.30", "B"), ("76.61", "B"),
        ("76.605", "B"), ("76.6049", "C"), ("65.00", "C"), ("64.995", "C"), ("64.99", "D"), ("25", "D"),
    ],
)  # fmt: skip
def test_category_boundaries_are_read_after_rounding_to_two_decimals(ikm, letter):
    assert category_for(Decimal(ikm)).letter == letter
    assert category_for(Fraction(Decimal(ikm))).letter == letter


def test_an_answer_outside_one_to_four_is_refused_with_the_element_named():
    with pytest.raises(InvalidSurveyAnswer) as err:
        SurveyResponse((4, 4, 5, 4, 4, 4, 4, 4, 4))
    assert err.value.element == "u3"
    with pytest.raises(IncompleteSurvey):
        SurveyResponse((4,) * 8)
    with pytest.raises(InvalidSurveyAnswer):
        SurveyResponse((4, 4, 4, 4, 4, 4, 4, 4, True))


def test_no_responses_is_an_explained_error_not_a_division_by_zero():
    with pytest.raises(NoResponses):
        compute_ikm([])


@given(st.lists(answers, min_size=1, max_size=40))
def test_ikm_is_the_mean_of_all_answers_times_25_and_lies_between_25_and_100(rows):
    result = compute_ikm(rows)
    assert result.ikm == Fraction(sum(map(sum, rows)), 9 * len(rows)) * 25
    assert 25 <= result.ikm <= 100
    assert result.category.low <= result.ikm_rounded <= result.category.high


@given(st.lists(answers, min_size=1, max_size=20), st.permutations(range(20)))
def test_ikm_does_not_depend_on_the_order_of_respondents(rows, perm):
    order = [i for i in perm if i < len(rows)]
    assert compute_ikm(rows).ikm == compute_ikm([rows[i] for i in order]).ikm


@given(st.lists(answers, min_size=1, max_size=20), answers)
def test_a_better_answer_never_lowers_the_ikm(rows, extra):
    better = tuple(min(4, v + 1) for v in extra)
    assert compute_ikm([*rows, better]).ikm >= compute_ikm([*rows, extra]).ikm


@given(st.integers(1, 10**6))
def test_sample_never_exceeds_population_and_never_exceeds_384(population):
    s = required_sample_size(population)
    assert 1 <= s <= min(population, 384)


def test_the_0_11_shortcut_can_change_the_grade_which_is_why_the_report_uses_exact_one_ninth():
    result = compute_ikm([(4, 3, 3, 4, 3, 4, 4, 3, 4)])
    assert result.ikm_rounded == Decimal("88.89") and result.category.letter == "A"
    assert ikm_rounded_weight(result) == Decimal("88.00")
    assert category_for(ikm_rounded_weight(result)).letter == "B"
