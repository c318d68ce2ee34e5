"""Turning OCR lines of a KTP into fields: loose labels, digit fixes only in digit fields, the NIK cross-check."""
from __future__ import annotations

from datetime import date

import pytest

from kiosk.domain.ktp import digits_only, parse_ktp, snap

# A made-up card: NIK 3171 01 | 49 (9 + 40: a woman) 03 02 | 0042.
LINES = [
    ("PROVINSI DKI JAKARTA", 0.95),
    ("KOTA JAKARTA PUSAT", 0.95),
    ("NIK 1 3171O1490302OO42", 0.80),
    ("Nama 1 SITI BUDIARTI", 0.95),
    ("Tempat/Tgl Lahir : BANDUNG, 09-03-2002", 0.93),
    ("Jenis Kelamin : PEREMPUAN Gol. Darah : O", 0.94),
    ("Alamat JL. MAWAR NO. 12", 0.95),
    ("RT/RW : OO3/0I1", 0.90),
    ("Kel/Desa : SUKAMAJU", 0.91),
    ("Kecamatan : GAMBIR", 0.96),
    ("Agama : ISLAN", 0.93),
    ("Status Perkawinan : BELUM KAWlN", 0.95),
    ("Pekerjaan PELAJAR/MAHASlSWA", 0.96),
    ("Kewarganegaraan : WNI", 0.91),
    ("Berlaku Hingga : SEUMUR HIDUP", 0.96),
]


def test_fields_are_read_from_lines_with_loose_labels_and_ocr_colons():
    r = parse_ktp(LINES)
    assert r.value("province") == "DKI JAKARTA"
    assert r.value("regency") == "KOTA JAKARTA PUSAT"
    assert r.value("name") == "SITI BUDIARTI"
    assert r.value("birth_place") == "BANDUNG"
    assert r.birth_date == date(2002, 3, 9)
    assert r.value("sex") == "PEREMPUAN" and r.sex == "female"
    assert r.value("blood_type") == "O"
    assert r.value("address") == "JL. MAWAR NO. 12"
    assert r.value("village") == "SUKAMAJU"
    assert r.value("district") == "GAMBIR"
    assert r.value("nationality") == "WNI"
    assert r.value("valid_until") == "SEUMUR HIDUP"


def test_letters_in_the_nik_and_rt_rw_become_digits_but_never_in_the_name():
    r = parse_ktp(LINES)
    assert r.value("nik") == "3171014903020042"
    assert r.value("rt_rw") == "003/011"
    # 'B' and 'I' in a name stay letters.
    assert r.value("name") == "SITI BUDIARTI"
    assert digits_only("3I7B") == ("3178", 2)


def test_closed_vocabularies_snap_to_the_official_wording_with_lower_confidence():
    r = parse_ktp(LINES)
    assert r.value("religion") == "ISLAM"
    assert r.fields["religion"].confidence < 0.93
    assert r.value("marital_status") == "BELUM KAWIN"
    assert r.value("occupation") == "PELAJAR/MAHASISWA"
    assert snap("XYZ", ("ISLAM", "HINDU")) == ("XYZ", pytest.approx(0.0, abs=0.3))


def test_a_nik_with_fixed_letters_is_read_with_lower_confidence_and_highlighted():
    r = parse_ktp(LINES)
    assert r.fields["nik"].confidence < 0.8
    assert "nik" in r.low_confidence()


def test_an_unreadable_nik_asks_the_guest_to_check_or_type_it():
    lines = [(t, c) for t, c in LINES if not t.startswith("NIK")] + [("NIK : 3171 0149", 0.9)]
    r = parse_ktp(lines)
    assert r.needs_confirmation
    assert [f.code for f in r.flags] == ["nik_unreadable"]
    assert "nik" in r.low_confidence()


def test_the_nik_read_on_its_own_wins_over_the_one_in_the_full_text():
    r = parse_ktp(LINES, nik_line=("3171014903020042", 0.97))
    assert r.value("nik") == "3171014903020042"
    assert r.fields["nik"].confidence == pytest.approx(0.97)


def test_missing_fields_are_present_empty_and_highlighted():
    r = parse_ktp([("NIK : 3171014903020042", 0.9)])
    assert r.value("name") == ""
    assert {"name", "address", "birth_date"} <= set(r.low_confidence())


# --- the NIK rules (kiosk.domain.nik) ---------------------------------------------------


def test_a_nik_agreeing_with_the_printed_birth_date_and_sex_raises_no_flag():
    r = parse_ktp(LINES, nik_line=("3171014903020042", 0.97), today=date(2026, 11, 23))
    assert r.flags == ()
    assert not r.needs_confirmation


def test_a_nik_whose_birth_date_differs_from_the_printed_one_asks_to_confirm():
    r = parse_ktp(LINES, nik_line=("3171014803020042", 0.97), today=date(2026, 11, 23))
    assert [f.code for f in r.flags] == ["nik_birth_date_mismatch"]
    assert "birth_date" in r.low_confidence()


def test_a_nik_of_a_man_on_a_card_printed_perempuan_asks_to_confirm():
    r = parse_ktp(LINES, nik_line=("3171010903020042", 0.97), today=date(2026, 11, 23))
    codes = [f.code for f in r.flags]
    assert "nik_sex_mismatch" in codes
    assert r.needs_confirmation


def test_a_nik_breaking_the_rules_is_never_accepted_silently():
    r = parse_ktp(LINES, nik_line=("9971014903020042", 0.97), today=date(2026, 11, 23))
    assert r.flags and r.flags[0].code.startswith("nik_invalid")
    assert r.needs_confirmation
