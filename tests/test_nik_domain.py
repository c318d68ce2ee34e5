"""NIK parsing: every rule of DOMAIN-NOTES, the peers' known defects, and property tests over the region table."""
from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.domain import regions
from kiosk.domain.errors import KioskError
from kiosk.domain.nik import InvalidNIK, NikInfo, find_niks, parse_nik

TODAY = datetime.date(2026, 11, 23)


def make_nik(district: str, date: datetime.date, sex: str = "male", serial: str = "0001") -> str:
    day = date.day + (40 if sex == "female" else 0)
    return district.replace(".", "") + f"{day:02d}{date.month:02d}{date.year % 100:02d}" + serial


def first_district_of(province: str) -> str:
    return next(r.code for r in regions.table().values() if len(r.code) == 8 and r.code.startswith(province + "."))


def test_man_from_bogor_is_decoded_field_by_field():
    info = parse_nik("3201011708850123", today=TODAY)
    assert info == NikInfo(
        nik="3201011708850123",
        province_code="32",
        province="Jawa Barat",
        regency_code="32.01",
        regency="Kabupaten Bogor",
        district_code="32.01.01",
        district="Cibinong",
        birth_date=datetime.date(1985, 8, 17),
        sex="male",
        serial="0123",
        warnings=(),
    )


def test_woman_has_forty_added_to_her_birth_day():
    info = parse_nik("3201015708850123", today=TODAY)
    assert (info.sex, info.birth_date) == ("female", datetime.date(1985, 8, 17))
    assert parse_nik("3201017112850001", today=TODAY).birth_date == datetime.date(1985, 12, 31)


def test_typed_separators_are_ignored():
    assert parse_nik(" 3201 0117 0885 0123 ", today=TODAY).nik == "3201011708850123"
    assert parse_nik("32.01.01-170885-0123", today=TODAY).nik == "3201011708850123"


@pytest.mark.parametrize(
    ("nik", "part", "reason"),
    [
        ("", "length", "empty"),
        ("320101170885012", "length", "too_short"),
        ("32010117088501234", "length", "too_long"),
        ("32010117O8850123", "format", "not_digits"),
        ("３２０１０１１７０８８５０１２３", "format", "not_digits"),  # full-width digits are not ASCII digits
        ("9901011708850123", "province", "unknown_province"),
        ("2001011708850123", "province", "unknown_province"),
        ("3299011708850123", "regency", "unknown_regency"),
        ("3201001708850123", "district", "zero_district"),
        ("3201010008850123", "birth_date", "invalid_day"),
        ("3201013208850123", "birth_date", "invalid_day"),
        ("3201014008850123", "birth_date", "invalid_day"),
        ("3201017208850123", "birth_date", "invalid_day"),
        ("3201011700850123", "birth_date", "invalid_month"),
        ("3201011713850123", "birth_date", "invalid_month"),
        ("3201013104900001", "birth_date", "impossible_date"),  # 31 April
        ("3201017104900001", "birth_date", "impossible_date"),  # 31 April, a woman
        ("3201012902010001", "birth_date", "impossible_date"),  # 29 February 2001
        ("3201011708850000", "serial", "zero_serial"),
    ],
)
def test_invalid_nik_names_the_wrong_part_and_why(nik, part, reason):
    with pytest.raises(InvalidNIK) as err:
        parse_nik(nik, today=TODAY)
    assert (err.value.part, err.value.reason, err.value.code) == (part, reason, "invalid_nik")
    assert isinstance(err.value, KioskError)
    assert err.value.text_id != err.value.text_en and "NIK" in err.value.message()
    assert set(err.value.log_fields()) == {"part", "reason", "where_id", "where_en"}  # nothing personal in logs


def test_unknown_district_in_a_known_regency_is_a_warning_not_a_rejection():
    info = parse_nik("3201991708850123", today=TODAY)
    assert info.district == "" and info.district_code == "32.01.99"
    assert info.warnings == ("unknown_district",)


def test_century_keeps_the_birth_date_out_of_the_future():
    assert parse_nik("3201010101050001", today=TODAY).birth_date.year == 2005  # python-stdnum says 1905
    assert parse_nik("3201011211260001", today=TODAY).birth_date == datetime.date(2026, 11, 12)
    assert parse_nik("3201012311260001", today=TODAY).birth_date == datetime.date(2026, 11, 23)  # born today
    assert parse_nik("3201012411260001", today=TODAY).birth_date == datetime.date(1926, 11, 24)
    assert parse_nik("3201010101270001", today=TODAY).birth_date == datetime.date(1927, 1, 1)
    assert parse_nik("3201012902000001", today=TODAY).birth_date == datetime.date(2000, 2, 29)


def test_29_february_depends_on_the_century_chosen():
    # On 1 March 2024 "29 02 24" is a past date in a leap year; on 1 January 2024 it would be 1924 (also leap).
    assert parse_nik("3201012902240001", today=datetime.date(2024, 3, 1)).birth_date == datetime.date(2024, 2, 29)
    assert parse_nik("3201012902240001", today=datetime.date(2024, 1, 1)).birth_date == datetime.date(1924, 2, 29)
    with pytest.raises(InvalidNIK):
        parse_nik("3201012902250001", today=TODAY)  # neither 1925 nor 2025 is leap


@pytest.mark.parametrize("province", ["65", "92", "93", "94", "95", "96"])
def test_provinces_peers_reject_are_accepted(province):
    info = parse_nik(make_nik(first_district_of(province), datetime.date(1990, 6, 1)), today=TODAY)
    assert info.province_code == province and info.district


@pytest.mark.parametrize(
    ("nik", "regency", "now"),
    [
        ("9101011506800001", "Kabupaten Merauke", "93.01"),
        ("9102011506800001", "Kabupaten Jayawijaya", "95.01"),
        ("9271011506800001", "Kota Sorong", "96.71"),
        ("9201011506800001", "Kabupaten Sorong", "96.01"),
    ],
)
def test_papua_codes_retired_by_the_2022_split_stay_valid(nik, regency, now):
    info = parse_nik(nik, today=TODAY)
    assert info.regency == regency and info.warnings == ()
    assert regions.lookup(info.regency_code).retired
    assert regions.lookup(now).name == regency  # the same regency under its new code


def test_every_province_has_a_valid_and_an_invalid_number():
    provinces = regions.provinces()
    assert len(provinces) == 38
    for province in provinces:
        district = first_district_of(province.code)
        nik = make_nik(district, datetime.date(1999, 12, 31), "female", "0042")
        assert parse_nik(nik, today=TODAY).province == province.name
        with pytest.raises(InvalidNIK):
            parse_nik(nik[:12] + "0000", today=TODAY)


def test_region_table_is_loaded_once_and_shared():
    assert regions.table() is regions.table()
    assert len(regions.regencies("32")) == 27 and regions.lookup("11.01.01").name == "Bakongan"


def test_find_niks_finds_printed_and_spaced_numbers_and_ignores_invalid_ones():
    text = "NIK : 3201011708850123\nNama: X\nNo. 3201 0157 0885 0124 telp 081234567890123456 3201011708850000"
    assert find_niks(text, today=TODAY) == ["3201011708850123", "3201015708850124"]
    assert find_niks("32010117088501234", today=TODAY) == []  # 17 digits: not a NIK inside
    assert find_niks("x3201011708850123y3201011708850123", today=TODAY) == ["3201011708850123"]


# --- properties ---------------------------------------------------------------------------------

_districts = st.sampled_from(sorted(c for c in regions.table() if len(c) == 8))
_dates = st.dates(min_value=datetime.date(1927, 1, 1), max_value=TODAY)


@settings(max_examples=300, deadline=None)
@given(_districts, _dates, st.sampled_from(["male", "female"]), st.integers(1, 9999))
def test_any_well_formed_nik_round_trips(district, date, sex, serial):
    nik = make_nik(district, date, sex, f"{serial:04d}")
    info = parse_nik(nik, today=TODAY)
    assert (info.birth_date, info.sex, info.district_code, info.serial) == (date, sex, district, f"{serial:04d}")
    assert info.birth_date <= TODAY and info.warnings == ()
    assert find_niks(f"ID {nik} end", today=TODAY) == [nik]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40) | st.from_regex(r"\A[0-9 .\-]{10,22}\Z"))
def test_parse_nik_raises_only_invalid_nik(text):
    try:
        info = parse_nik(text, today=TODAY)
    except InvalidNIK as exc:
        assert exc.part in {"format", "length", "province", "regency", "district", "birth_date", "serial"}
    else:
        assert len(info.nik) == 16 and info.birth_date <= TODAY


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_find_niks_returns_only_numbers_parse_nik_accepts(text):
    for nik in find_niks(text, today=TODAY):
        assert parse_nik(nik, today=TODAY).nik == nik


@settings(max_examples=200, deadline=None)
@given(_districts, _dates, st.sampled_from(["male", "female"]), st.integers(1, 9999))
def test_no_prefix_of_a_valid_nik_is_flagged_while_typing(district, date, sex, serial):
    from kiosk.domain.nik import check_prefix

    nik = make_nik(district, date, sex, f"{serial:04d}")
    assert [check_prefix(nik[:k], today=TODAY) for k in range(17)] == [None] * 17


@settings(max_examples=150, deadline=None)
@given(st.from_regex(r"\A(1[1-9]|3[1-6]|9[1-6])[0-9]{14}\Z"))
def test_typing_check_and_parse_nik_agree_on_every_complete_number(nik):
    from kiosk.domain.nik import check_prefix

    error = check_prefix(nik, today=TODAY)
    try:
        parse_nik(nik, today=TODAY)
    except InvalidNIK as exc:
        assert error is not None and (error.part, error.reason) == (exc.part, exc.reason)
    else:
        assert error is None
