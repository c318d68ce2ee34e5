"""KTP layout by labels, names of every tradition, honest doubt, and the NIK against the card's own header."""
from __future__ import annotations

import dataclasses
import json
import random
from datetime import date, datetime

import pytest

from kiosk.domain.ktp import cut_at_label, parse_ktp, region_agrees

TODAY = date(2026, 11, 23)


def card_lines(name: str = "I WAYAN SUDIARTA", *, nik: str = "5105031905740001", province: str = "PROVINSI BALI",
               regency: str = "KABUPATEN KLUNGKUNG", district: str = "KLUNGKUNG", sex_line: str | None = None):
    """OCR lines with boxes of a Balinese card (x, y, w, h at the rectified card's scale)."""
    rows = [
        (province, 0.96), (regency, 0.96), (f"NIK : {nik}", 0.95), (f"Nama : {name}", 0.95),
        ("Tempat/Tgl Lahir : KLUNGKUNG, 19-05-1974", 0.95),
        (sex_line or "Jenis Kelamin : LAKI-LAKI Gol. Darah : O", 0.95),
        ("Alamat : BR. PAKETAN NO. 5", 0.95), ("RT/RW : 001/002", 0.95), ("Kel/Desa : GELGEL", 0.95),
        (f"Kecamatan : {district}", 0.95), ("Agama : HINDU", 0.95), ("Status Perkawinan : KAWIN", 0.95),
        ("Pekerjaan : PETANI/PEKEBUN", 0.95), ("Kewarganegaraan : WNI", 0.95), ("Berlaku Hingga : SEUMUR HIDUP", 0.95),
    ]
    out = []
    for i, (text, conf) in enumerate(rows):
        x = 300 if i < 2 else 30
        out.append((text, conf, (x, 20 + 40 * i if i < 3 else 130 + 36 * i, 500, 24)))
    return out


@pytest.mark.parametrize("name", ["I WAYAN SUDIARTA", "NI KETUT SARI", "LA ODE MUHAMMAD SYARIF", "IDA BAGUS MADE OKA",
                                  "I GUSTI AYU KADE SRI", "WA ODE NURHAYATI", "A. MAKKASAU", "HJ. ST. NURBAYA",
                                  "ROSLINA BR. SIREGAR", "TIURMA BORU SITUMORANG", "SITI NUR'AINI", "DORKAS D'FRETES",
                                  "ABDUL-RAHMAN", "ANDI MUH. RAHMAN"])
def test_name_particles_of_every_tradition_are_kept(name):
    r = parse_ktp(card_lines(name), today=TODAY)
    assert r.value("name") == name
    assert "name" not in r.low_confidence()


def test_a_colon_read_as_one_or_a_lowercase_i_is_dropped_but_the_particle_i_stays():
    for text, want in (("Nama 1 I WAYAN SUDIARTA", "I WAYAN SUDIARTA"), ("Nama i BUDI", "BUDI"), ("Nama 1. BUDI", "BUDI"), ("Nama THAHI : EUIS NINGSIH", "EUIS NINGSIH"), ("Nama 1.I MADE ARSANA", "I MADE ARSANA"),
                       ("Nama : I MADE ARSANA", "I MADE ARSANA"), ("Nama: NI LUH PUTU", "NI LUH PUTU")):
        lines = card_lines()
        lines[3] = (text, 0.95, lines[3][2])
        assert parse_ktp(lines, today=TODAY).value("name") == want, text


@pytest.mark.parametrize(("read", "want"), [
    ("IDAAYU NYOMAN SARI", "IDA AYU NYOMAN SARI"), ("LAODE ILHAM", "LA ODE ILHAM"), ("IKETUT MERTA", "I KETUT MERTA"),
    ("H. ASRI DG, NAI", "H. ASRI DG. NAI"), ("HJ,ERNAWATI", "HJ. ERNAWATI"), ("RINA AISYAH. M.SI", "RINA AISYAH, M.SI"),
    ("E NI WAYAN WARTINI", "NI WAYAN WARTINI"), ("ST . MARLINA", "ST. MARLINA"), ("H MULYONO", "H. MULYONO"),
    ("H J. NURBAITI", "HJ. NURBAITI"), ("H. -ABD. SAU", "H. ABD. SAU"), ("EKO ISMAIL,S.E.", "EKO ISMAIL, S.E."),
    ("LAMSARIA BR SITUMORANG", "LAMSARIA BR SITUMORANG"), ("ABDUL-RAHMAN", "ABDUL-RAHMAN"),
    ("T H SUMIATI", "H. SUMIATI"),
    # Never changed: the name's own words, an initial before a short surname, a short Chinese surname.
    ("HOTMAN S. MAY", "HOTMAN S. MAY"), ("GO LAY SWIE", "GO LAY SWIE"), ("BUDI, S.PD", "BUDI, S.PD"),
    ("IDAMAN", "IDAMAN"), ("LA TAUFIK DG. TOMPO", "LA TAUFIK DG. TOMPO"),
])
def test_a_name_read_is_put_in_the_card_s_form_by_its_particles_only(read, want):
    from kiosk.domain.ktp import name_form

    assert name_form(read) == want


@pytest.mark.parametrize(("first", "second", "want"), [
    ("TLJOHANNES SIMANJUNTAK", "JOHANNES SIMANJUNTAK", "JOHANNES SIMANJUNTAK"),  # the colon's specks glued
    ("TO L A HOTMAN PANGARIBUAN", "HOTMAN PANGARIBUAN", "HOTMAN PANGARIBUAN"),  # ... or as short words
    ("GUSTI NGURAH OKA", "I GUSTI NGURAH OKA", "I GUSTI NGURAH OKA"),  # a particle dropped by one engine
    ("KETUT GEDE SUARTIKA", "I KETUTGEDE SUARTIKA", "I KETUT GEDE SUARTIKA"),  # ... and a gap by the other
    ("HJ. SITI", "SITI", "HJ. SITI"),
    ("H. ZULKIFL", "H. ZULKIFLI", "H. ZULKIFLI"),  # a thin letter dropped at the end
    ("FELCIA HALMAN", "FELICIA HALIMAN", "FELICIA HALIMAN"), ("NURAINI", "NUR'AINI", "NUR'AINI"),  # thin letters
    ("H. EKO ISMAILL", "H. EKO ISMAIL", None),  # a doubled letter is not a thin letter lost
    ("RUOAYAH MARYAM", "RUQAYAH MARYAM", "RUQAYAH MARYAM"),  # a Q's tail lost in a blur
    ("SARI I", "SARI", None), ("BUDI SANTOSO", "BUDI SANTOSA", None),  # no rule: the reads disagree
])
def test_of_two_reads_of_a_name_the_particle_and_thin_letters_are_kept_and_the_speck_dropped(first, second, want):
    from kiosk.domain.ktp import name_containment

    assert name_containment(first, second) == want
    assert name_containment(second, first) == want


def test_two_engines_differing_at_a_name_s_end_give_the_right_name_still_highlighted():
    lines = card_lines()
    lines[3] = ("Nama : TLJOHANNES SIMANJUNTAK", 0.95, lines[3][2])
    r = parse_ktp(lines, rereads={"name": [("Nama : JOHANNES SIMANJUNTAK", 0.9)]}, today=TODAY)
    assert r.value("name") == "JOHANNES SIMANJUNTAK"
    assert "name" in r.low_confidence()
    assert r.fields["name"].alternatives == ("TLJOHANNES SIMANJUNTAK",)


@pytest.mark.parametrize(("first", "second", "want"), [
    ("LA ODE MAPPANYUKKI", "LA ODE MAPPANYUKI", "LA ODE MAPPANYUKKI"),  # a blurred double letter read as one
    ("SALMA RUOAYAH, S.H", "SALMA RUQAYAH, S.H.", "SALMA RUQAYAH, S.H."),  # Q's tail and the last dot lost
    ("H. ABD. JUMADI", "H. ABD. JJUMADI", "H. ABD. JUMADI"),  # a twin at a word's start: invented, not taken
])
def test_of_two_name_reads_the_one_with_the_letters_a_blur_loses_wins_still_highlighted(first, second, want):
    lines = card_lines()
    lines[3] = (f"Nama : {first}", 0.95, lines[3][2])
    r = parse_ktp(lines, rereads={"name": [(f"Nama : {second}", 0.9)]}, today=TODAY)
    assert r.value("name") == want
    assert "name" in r.low_confidence()


def test_a_name_only_the_second_engine_read_is_highlighted_even_when_sure():
    lines = card_lines()
    lines[3] = ("Nama :", 0.95, lines[3][2])
    r = parse_ktp(lines, rereads={"name": [("Nama : I WAYAN SUDIARTA", 0.97)]}, today=TODAY)
    assert r.value("name") == "I WAYAN SUDIARTA"
    assert "name" in r.low_confidence()


def test_of_two_disagreeing_nik_reads_the_one_the_printed_birth_date_confirms_is_shown_still_flagged():
    lines = card_lines()  # printed: born 19-05-1974, male, Klungkung
    reads = [("NIK : 5105031905780001", 0.95), ("NIK : 5105031905740001", 0.90)]
    r = parse_ktp(lines, nik_reads=reads, today=TODAY)
    assert r.value("nik") == "5105031905740001"
    assert r.fields["nik"].alternatives == ("5105031905780001",)
    assert "nik_reads_disagree" in [f.code for f in r.flags]
    assert "nik" in r.low_confidence()


def test_a_nik_flipped_to_a_neighbour_district_with_a_similar_name_is_flagged():
    # Denpasar Barat (51.71.03) and Denpasar Utara (51.71.04) read alike; the printed one is nearer its own.
    kw = {"regency": "KOTA DENPASAR", "district": "DENPASAR BARAT"}
    assert "nik_region_mismatch" not in [f.code for f in parse_ktp(card_lines(nik="5171031905740001", **kw),
                                                                   today=TODAY).flags]
    r = parse_ktp(card_lines(nik="5171041905740001", **kw), today=TODAY)
    assert "nik_region_mismatch" in [f.code for f in r.flags]
    assert "nik" in r.low_confidence()


def test_a_kecamatan_that_reads_as_the_nik_s_district_is_named_as_the_region_table_names_it():
    lines = card_lines(nik="5171031905740001", regency="KOTA DENPASAR", district="DENPASAR BARAI")
    r = parse_ktp(lines, today=TODAY)
    assert r.value("district") == "DENPASAR BARAT"
    assert r.fields["district"].alternatives == ("DENPASAR BARAI",)
    assert "district" not in r.low_confidence()
    assert not r.flags


@pytest.mark.parametrize(("read", "want"), [
    ("JL . ANGGREK NO . 27", "JL. ANGGREK NO. 27"), ("JL ANGGREK NO 10", "JL. ANGGREK NO. 10"),
    ("DUSUN KRAJAN NO.5", "DUSUN KRAJAN NO. 5"), ("JORONG KOTO TUO NO. 3", "JORONG KOTO TUO NO. 3"),
])
def test_an_address_read_gets_its_abbreviations_dots(read, want):
    from kiosk.domain.ktp import address_form

    assert address_form(read) == want


def test_a_name_glued_to_a_doubtful_colon_is_highlighted_even_when_both_engines_agree():
    # "IMAS" printed; both engines took the "I" for part of the colon.
    lines = card_lines()
    lines[3] = ('Nama "MAS', 0.95, lines[3][2])
    r = parse_ktp(lines, rereads={"name": [("Nama :MAS", 0.9, (0.96, 0.95, 0.87, 0.83, 0.33, 0.33, 0.96, 0.98, 0.91))]},
                  today=TODAY)
    assert r.value("name") == "MAS"
    assert r.fields["name"].doubt == "colon_glued"
    assert "name" in r.low_confidence()
    # A sure colon glued to the name, and a colon with a space after it, are no doubt.
    lines[3] = ("Nama : MAS", 0.95, lines[3][2])
    r = parse_ktp(lines, rereads={"name": [("Nama :MAS", 0.9, (0.96, 0.95, 0.87, 0.83, 0.33, 0.97, 0.96, 0.98, 0.91))]},
                  today=TODAY)
    assert "name" not in r.low_confidence()


@pytest.mark.parametrize("tess", ["Nama : E NI WAYAN WARTINI", "Nama THAHI : NI WAYAN WARTINI", "Nama : NI WAYAN WARTINI"])
def test_a_name_repaired_by_dropping_specks_is_highlighted_even_when_the_engines_then_agree(tess):
    lines = card_lines()
    lines[3] = (tess, 0.95, lines[3][2])
    rapid = "Nama : TL: NI WAYAN WARTINI" if tess == "Nama : NI WAYAN WARTINI" else "Nama : NI WAYAN WARTINI"
    r = parse_ktp(lines, rereads={"name": [(rapid, 0.95)]}, today=TODAY)
    assert r.value("name") == "NI WAYAN WARTINI"
    assert r.fields["name"].doubt == "speck"
    assert "name" in r.low_confidence()
    clean = parse_ktp(card_lines("NI WAYAN WARTINI"), rereads={"name": [("Nama : NI WAYAN WARTINI", 0.95)]},
                      today=TODAY)
    assert "name" not in clean.low_confidence()


def test_a_junk_line_near_the_top_edge_does_not_take_nama():
    lines = card_lines("NI MADE AYU LESTARI")
    junk = ("Nam. '", 0.75, (20, 2, 120, 14))  # a speck and the edge pattern, read as something like "Nama"
    r = parse_ktp([junk, *lines], today=TODAY)
    assert r.value("name") == "NI MADE AYU LESTARI"
    assert r.value("province") == "BALI"


def test_a_name_that_ran_into_the_address_block_is_cut_and_highlighted():
    lines = card_lines()
    lines[3] = ("Nama : I WAYAN SUDIARTA | ALAMAT : DUSUN KAJA AGAMA : HINDU RT/RW 001/002", 0.89, lines[3][2])
    r = parse_ktp(lines, today=TODAY)
    assert r.value("name") == "I WAYAN SUDIARTA"
    assert r.fields["name"].doubt == "swallowed_label"
    assert "name" in r.low_confidence()
    assert cut_at_label("BUDI SANTOSO AGAMA : ISLAM") == ("BUDI SANTOSO", True)
    assert cut_at_label("ALAMSYAH PUTRA") == ("ALAMSYAH PUTRA", False)


def test_a_value_that_breaks_its_own_pattern_is_highlighted():
    lines = card_lines("BUD1 SANT0SO")
    lines[7] = ("RT/RW : 01/002", 0.97, lines[7][2])
    r = parse_ktp(lines, today=TODAY)
    assert {"name", "rt_rw"} <= set(r.low_confidence())


@pytest.mark.parametrize("blood", ["GOL, DARAH : O", "GAL. DARAH : O", "GD. : O", "Gol.Darah : O", "Go1 Darah: O"])
def test_the_sex_survives_a_mangled_blood_type_label(blood):
    r = parse_ktp(card_lines(sex_line=f"Jenis Kelamin : LAKI-LAKI {blood}"), today=TODAY)
    assert r.value("sex") == "LAKI-LAKI"
    assert not [f for f in r.flags if f.field == "sex"]


def test_a_nik_agreeing_with_header_and_kecamatan_raises_no_flag():
    r = parse_ktp(card_lines(), nik_reads=[("5105031905740001", 0.98, (0.99,) * 16)], today=TODAY)
    assert r.flags == ()


def test_a_nik_whose_region_disagrees_with_the_printed_header_is_flagged():
    # 51.03 is Badung, not Klungkung: a digit flipped to another existing regency passes every NIK rule.
    r = parse_ktp(card_lines(nik="5103031905740001"), today=TODAY)
    assert "nik_region_mismatch" in [f.code for f in r.flags]
    assert "nik" in r.low_confidence()
    # Another district of Klungkung (51.05.01 Nusa Penida) disagrees with the printed Kecamatan.
    r = parse_ktp(card_lines(nik="5105011905740001"), today=TODAY)
    assert "nik_region_mismatch" in [f.code for f in r.flags]


def test_region_names_compare_as_printed_on_cards():
    assert region_agrees("DKI JAKARTA", "Daerah Khusus Ibukota Jakarta")
    assert region_agrees("JAKARTA PUSAT", "Kota Administrasi Jakarta Pusat")
    assert region_agrees("KABUPATEN KLUNGKUNC", "Kabupaten Klungkung")  # one letter misread
    assert region_agrees("NUSAPENIDA", "Nusa Penida")
    assert not region_agrees("KABUPATEN KLUNGKUNG", "Kabupaten Badung")


def test_two_nik_reads_each_wrong_at_another_digit_combine_to_the_printed_nik_still_flagged():
    # Printed: born 19-05-1974, male, Klungkung. One read has the year wrong, the other the month.
    reads = [("NIK : 5105031905780001", 0.95, (0.99,) * 6 + (0.98,) * 10),
             ("NIK : 5105031906740001", 0.93, (0.97,) * 16)]
    r = parse_ktp(card_lines(), nik_reads=reads, today=TODAY)
    assert r.value("nik") == "5105031905740001"
    assert r.fields["nik"].alternatives == ("5105031905780001", "5105031906740001")
    assert "nik_reads_disagree" in [f.code for f in r.flags]
    assert "nik" in r.low_confidence()


def test_of_band_reads_the_print_cannot_tell_apart_the_one_the_full_text_read_gave_is_shown_still_flagged():
    # Only the serial differs (no printed field decides); the whole card's read has ...0001.
    reads = [("NIK : 5105031905740007", 0.95, (0.97,) * 15 + (0.55,)), ("NIK : 5105031905740001", 0.9, (0.9,) * 16)]
    r = parse_ktp(card_lines(), nik_reads=reads, today=TODAY)
    assert r.value("nik") == "5105031905740001"
    assert r.fields["nik"].alternatives == ("5105031905740007",)
    assert "nik_reads_disagree" in [f.code for f in r.flags]
    assert "nik" in r.low_confidence()


def test_nik_reads_differing_at_many_digits_are_not_combined():
    reads = [("NIK : 5105031905780001", 0.95), ("NIK : 3271042208960123", 0.93)]
    r = parse_ktp(card_lines(), nik_reads=reads, today=TODAY)
    assert r.value("nik") in ("5105031905780001", "3271042208960123")
    assert "nik" in r.low_confidence()


def test_two_reads_of_the_nik_band_that_disagree_are_flagged_never_accepted_silently():
    reads = [("5105031905740001", 0.95, (0.99,) * 8 + (0.6,) + (0.99,) * 7), ("5105031905740007", 0.9, (0.95,) * 16)]
    r = parse_ktp(card_lines(), nik_reads=reads, today=TODAY)
    assert "nik_reads_disagree" in [f.code for f in r.flags]
    assert r.fields["nik"].alternatives == ("5105031905740007",)


def test_a_doubtful_nik_digit_lowers_the_nik_confidence_below_the_highlight():
    probs = (0.99,) * 10 + (0.41,) + (0.99,) * 5
    lines = card_lines()
    lines[2] = ("NIK : 5105 0319", 0.7, lines[2][2])  # the full-text read got only part of it
    r = parse_ktp(lines, nik_reads=[("NIK: 5105031905740001", 0.95, (0.9,) * 5 + probs)], today=TODAY)
    assert r.value("nik") == "5105031905740001"
    assert r.fields["nik"].confidence == pytest.approx(0.41)
    assert "nik" in r.low_confidence()


# --- generated cards read by the real engines --------------------------------------------------


def _card_with(name: str, sex: str, seed: int, *, nik: str | None = None):
    from kiosk.devices.ktp_identity import varied_identity
    from kiosk.devices.ktp_synth import Degradation, place_in_frame, render_card_varied

    rng = random.Random(seed)
    ident = varied_identity(rng)
    ident = dataclasses.replace(ident, name=name, sex=sex, nik=nik or ident.nik)
    if not nik:
        day = ident.birth_date.day + (40 if sex == "female" else 0)
        ident = dataclasses.replace(ident, nik=ident.nik[:6] + f"{day:02d}" + ident.nik[8:])
    frame, _corners = place_in_frame(render_card_varied(ident, rng, "tune"), Degradation.random_clean(rng), rng)
    return ident, frame


@pytest.fixture(scope="module")
def hybrid():
    from kiosk.devices.ktp_reader import KtpReader
    from kiosk.devices.ocr import make_engine

    return KtpReader(make_engine("tesseract"), make_engine("rapidocr"))


@pytest.mark.slow
@pytest.mark.parametrize(("name", "sex", "seed"), [
    ("I WAYAN SUDIARTA", "male", 1), ("NI KETUT SARI", "female", 2), ("LA ODE MUHAMMAD SYARIF", "male", 3),
    ("IDA BAGUS MADE OKA", "male", 4),
])
def test_names_with_particles_are_read_exactly_from_generated_cards(hybrid, name, sex, seed):
    ident, frame = _card_with(name, sex, seed)
    reading = hybrid.read_frame(frame, today=TODAY)
    assert reading.value("name") == name
    assert reading.value("nik") == ident.nik


@pytest.mark.slow
def test_a_generated_card_whose_nik_region_is_not_its_printed_region_is_flagged(hybrid):
    ident, _frame = _card_with("I MADE ARSANA", "male", 5)
    # The same person with the NIK of another province's region (Kota Makassar, 73.71.01).
    other = "737101" + ident.nik[6:]
    _ident, frame = _card_with("I MADE ARSANA", "male", 5, nik=other)
    reading = hybrid.read_frame(frame, today=TODAY)
    assert reading.value("nik") == other
    assert "nik_region_mismatch" in [f.code for f in reading.flags]
    assert "nik" in reading.low_confidence()


@pytest.mark.slow
def test_ktp_read_json_masks_the_nik_by_default(tmp_path, capsys):
    from kiosk.cli import main

    _ident, frame = _card_with("NI KETUT SARI", "female", 2)
    import cv2

    image = tmp_path / "card.png"
    cv2.imwrite(str(image), frame)
    assert main(["ktp", "read", str(image), "--json", "--config", "config/simulate.toml"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fields"]["nik"]["value"].startswith("************")
    assert out["fields"]["name"]["value"] == "NI KETUT SARI"
    assert {"text_s", "nik_s", "total_s"} <= set(out["timings_s"])
    assert isinstance(out["flags"], list) and "highlight" in out


def test_an_address_wrapped_onto_a_second_line_is_read_whole_and_the_next_label_stays_its_own():
    lines = card_lines()
    addr_box = lines[6][2]
    lines[6] = ("Alamat : JL. SULTAN HASANUDDIN GG. MELATI", 0.95, addr_box)
    wrapped = ("NO. 5 BLOK C", 0.93, (addr_box[0] + 240, addr_box[1] + 20, 200, 24))
    shifted = [(t, c, (b[0], b[1] + 28, b[2], b[3])) if b[1] > addr_box[1] else (t, c, b) for t, c, b in lines]
    r = parse_ktp([*shifted, wrapped], today=TODAY)
    assert r.value("address") == "JL. SULTAN HASANUDDIN GG. MELATI NO. 5 BLOK C"
    assert r.value("rt_rw") == "001/002"


def test_a_second_engine_read_of_kel_desa_that_disagrees_is_highlighted_and_kept_as_an_alternative():
    agree = parse_ktp(card_lines(), rereads={"village": [("Kel/Desa : GELGEL", 0.97)]}, today=TODAY)
    assert agree.value("village") == "GELGEL" and "village" not in agree.low_confidence()
    other = parse_ktp(card_lines(), rereads={"village": [("Kel/Desa: GELGFL", 0.97)]}, today=TODAY)
    assert other.fields["village"].doubt == "reads_disagree" and "village" in other.low_confidence()
    assert {other.value("village"), *other.fields["village"].alternatives} == {"GELGEL", "GELGFL"}


def test_the_hybrid_reader_reads_the_village_row_again_with_the_second_engine():
    from kiosk.devices.ktp_reader import REREAD

    assert {"name", "address", "village"} <= set(REREAD)


def test_the_confirm_dialog_keeps_a_nik_read_disagreement_until_the_guest_changes_the_nik(context):
    from kiosk.app.flow import RegistrationDraft

    reads = [("5105031905740001", 0.95, (0.99,) * 16), ("5105031905740007", 0.9, (0.95,) * 16)]
    draft = RegistrationDraft(id="d1", started_at=datetime(2026, 11, 23, 9, 0))
    draft.ktp = parse_ktp(card_lines(), nik_reads=reads, today=TODAY)
    draft.nik = draft.ktp.value("nik")
    assert "nik_reads_disagree" in [f.code for f in context.flow.ktp_flags(draft)]
    draft.nik = "5105031905740007"  # the guest corrected it: that NIK has no other reads
    assert "nik_reads_disagree" not in [f.code for f in context.flow.ktp_flags(draft)]
