"""The identity service screens call: today's date from the office clock, typed names, scanned codes."""
from __future__ import annotations

import datetime

import pytest

from kiosk.app.identity import InvalidName, normalize_name
from kiosk.domain.identity import InvalidPayload
from kiosk.domain.nik import InvalidNIK, check_prefix

TODAY = datetime.date(2026, 11, 23)


def test_today_is_the_offices_date_not_utcs(context):
    from kiosk.domain.clock import FixedClock

    context.clock = FixedClock(datetime.datetime(2026, 12, 31, 17, 30, tzinfo=datetime.UTC))
    context.__dict__.pop("identity", None)
    # 17:30 UTC on 31 December is already 1 January in Bali (UTC+8): a child born that day is not in the future.
    assert context.identity.today() == datetime.date(2027, 1, 1)
    assert context.identity.parse_nik("3201010101270001").birth_date == datetime.date(2027, 1, 1)


@pytest.mark.parametrize(("typed", "name"), [
    ("  Ni Luh   Putu ", "Ni Luh Putu"), ("A.A. Gde Agung", "A.A. Gde Agung"), ("Ma'ruf Amin", "Ma'ruf Amin"),
    ("Siti-Nur Hasanah", "Siti-Nur Hasanah"), ("Björn Ölund", "Björn Ölund"),
])
def test_names_keep_their_marks_and_lose_extra_spaces(typed, name):
    assert normalize_name(typed) == name


@pytest.mark.parametrize(("typed", "reason"), [
    ("", "empty"), ("   ", "empty"), ("Budi 2", "characters"), ("-Budi", "characters"), ("x" * 81, "too_long"),
])
def test_names_that_cannot_be_right_are_refused_in_words(typed, reason):
    with pytest.raises(InvalidName) as err:
        normalize_name(typed)
    assert err.value.reason == reason and err.value.text_id and err.value.text_en


def test_typed_nik_name_and_phone_are_checked_by_the_one_identity_service(context):
    info = context.identity.parse_nik("3201 0157 0885 0123")
    assert (info.nik, info.sex) == ("3201015708850123", "female")
    assert (context.identity.name(" Siti  Aminah "), context.identity.phone("0812 3456 7890")) == (
        "Siti Aminah", "081234567890")
    with pytest.raises(InvalidNIK) as err:
        context.identity.parse_nik("3201013104900001")
    # The error points at the digits to check on the card.
    assert err.value.digits == (7, 12) and "digit 7-12 (tanggal lahir)" in err.value.text_id
    assert "digits 7-12 (birth date)" in err.value.text_en


def test_scanned_codes_become_identities_or_a_payload_error(context):
    assert context.identity.from_code(b"3201015708850123\r").nik.regency == "Kabupaten Bogor"
    with pytest.raises(InvalidPayload):
        context.identity.from_code(b"WIFI:S:lobby;;")


@pytest.mark.parametrize(("digits", "part"), [
    ("", None), ("3", None), ("99", "province"), ("3299", "regency"), ("320100", "district"),
    ("320199", None), ("32010132", "birth_date"), ("3201014110", None), ("3201014113", "birth_date"), ("32010131049", None), ("320101310490", "birth_date"),
    ("320101170885000", None), ("3201011708850000", "serial"), ("32010117088500011", "length"), ("32a", "format"),
])
def test_typing_is_judged_part_by_part(digits, part):
    error = check_prefix(digits, today=TODAY)
    assert (error.part if error else None) == part
