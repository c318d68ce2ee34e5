"""Scanned payloads become identity fields; undocumented formats give only a single NIK; fuzzing raises only InvalidPayload."""
from __future__ import annotations

import contextlib
import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.domain.identity import (
    InvalidPayload,
    identity_json,
    parse_bare_nik,
    parse_identity_payload,
    parse_ikd_code,
    parse_kk_link,
    parse_sim_code,
    parse_single_nik,
)

TODAY = datetime.date(2026, 11, 23)
NIK = "3201015708850123"
OTHER = "5105011708900002"


def test_bare_nik_code_gives_the_nik_fields():
    found = parse_identity_payload(f"{NIK}\r\n".encode(), today=TODAY)
    assert (found.kind, found.document, found.nik.nik, found.nik.sex) == ("nik", "", NIK, "female")


def test_bare_but_wrong_nik_says_which_part_is_wrong():
    with pytest.raises(InvalidPayload) as err:
        parse_identity_payload("3201011708850000", today=TODAY)
    assert err.value.reason == "invalid_nik" and err.value.nik_error.part == "serial"
    assert err.value.fields["part"] == "serial" and "0000" in err.value.text_en


def test_kk_qr_is_kept_as_a_verification_link_without_guessing_fields():
    url = f"https://layananonline.dukcapil.kemendagri.go.id/Terpusat/Pindai?id=abc{NIK}"
    found = parse_identity_payload(url, today=TODAY)
    assert (found.kind, found.document, found.nik, found.verify_url) == ("kk_link", "KK", None, url)


def test_a_link_elsewhere_is_not_taken_for_a_dukcapil_link():
    with pytest.raises(InvalidPayload):
        parse_kk_link("https://dukcapil.kemendagri.go.id.evil.example/x")
    with pytest.raises(InvalidPayload):
        parse_kk_link("ftp://dukcapil.kemendagri.go.id/x")


def test_text_with_a_single_nik_falls_back_to_that_nik():
    found = parse_identity_payload(f"ID:{NIK};NAMA:SITI", today=TODAY)
    assert (found.kind, found.nik.nik) == ("text_nik", NIK)


def test_text_with_two_niks_is_refused_rather_than_guessed():
    with pytest.raises(InvalidPayload) as err:
        parse_single_nik(f"{NIK} {OTHER}", today=TODAY)
    assert err.value.reason == "several_niks"


def test_ikd_and_sim_codes_give_only_the_nik_they_contain():
    assert parse_ikd_code(f"IKD|{NIK}|x", today=TODAY).nik.nik == NIK
    sim = parse_sim_code(f"SIM A {NIK} 1234567890", today=TODAY)
    assert (sim.kind, sim.document, sim.nik.nik) == ("sim", "SIM", NIK)
    with pytest.raises(InvalidPayload) as err:
        parse_sim_code("9876-5432-100001 JOHN DOE", today=TODAY)
    assert err.value.reason == "no_nik"


@pytest.mark.parametrize(("payload", "reason"), [
    ("", "empty"), (b"  \r\n", "empty"), ("x" * 9000, "too_long"), ("hello", "no_nik"), (b"\xff\xfe", "no_nik"),
])
def test_unusable_codes_say_why(payload, reason):
    with pytest.raises(InvalidPayload) as err:
        parse_identity_payload(payload, today=TODAY)
    assert err.value.reason == reason and err.value.code == "invalid_payload"


def test_identity_json_is_plain_values():
    data = identity_json(parse_bare_nik(NIK, today=TODAY))
    assert data["identity"]["birth_date"] == "1985-08-17" and data["kind"] == "nik" and data["warnings"] == []


_payloads = (
    st.binary(max_size=200)
    | st.text(max_size=200)
    | st.from_regex(r"\A[0-9 .\-]{14,24}\Z")
    | st.builds(lambda a, b: f"https://{a}dukcapil.kemendagri.go.id/{b}", st.text(max_size=10), st.text(max_size=20))
    | st.builds(lambda a, b: f"{a}{NIK}{b}", st.text(max_size=30), st.text(max_size=30))
)


@settings(max_examples=200, deadline=None)
@given(_payloads)
def test_every_parser_raises_only_invalid_payload(payload):
    for parser in (parse_identity_payload, parse_bare_nik, parse_single_nik, parse_ikd_code, parse_sim_code):
        try:
            found = parser(payload, today=TODAY)
        except InvalidPayload:
            continue
        assert (found.nik is not None) != (found.kind == "kk_link")
    with contextlib.suppress(InvalidPayload):
        assert parse_kk_link(payload).verify_url
