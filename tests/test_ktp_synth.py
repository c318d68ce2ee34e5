"""The synthetic KTP generator: deterministic, made-up identities whose NIK agrees with the printed data."""
from __future__ import annotations

import random
from datetime import date

import numpy as np

from kiosk.devices.ktp_identity import encode_nik, random_identity
from kiosk.devices.ktp_synth import CARD_H, CARD_W, generate, render_card, write_sample
from kiosk.domain import nik


def test_the_same_seed_gives_the_same_card_and_frame():
    a, b = generate(42, degraded=True), generate(42, degraded=True)
    assert a.identity == b.identity
    assert np.array_equal(a.frame, b.frame)
    assert generate(43).identity != a.identity


def test_the_nik_encodes_region_birth_date_and_sex_day_plus_40_for_women():
    assert encode_nik("51", "05", "03", date(1990, 1, 1), "female", 1) == "5105034101900001"
    assert encode_nik("31", "71", "06", date(2004, 12, 31), "male", 9999) == "3171063112049999"
    for seed in range(30):
        ident = random_identity(random.Random(seed))
        day = int(ident.nik[6:8])
        assert (day - 40 if ident.sex == "female" else day) == ident.birth_date.day
        assert ident.nik[8:12] == f"{ident.birth_date:%m%y}"


def test_generated_niks_pass_the_nik_rules_and_agree_with_the_printed_data():
    for seed in range(30):
        ident = random_identity(random.Random(seed))
        info = nik.parse_nik(ident.nik, today=date(2026, 11, 23))
        assert info.birth_date == ident.birth_date
        assert info.sex == ident.sex


def test_the_card_face_is_id1_shaped_and_the_frame_is_a_camera_picture():
    card = generate(1)
    face = render_card(card.identity)
    assert face.shape == (CARD_H, CARD_W, 3)
    assert abs(CARD_W / CARD_H - 85.6 / 54) < 0.01
    assert card.frame.shape == (720, 1280, 3)


def test_a_sample_folder_holds_small_jpeg_frames(tmp_path):
    cards = write_sample(tmp_path, 2, seed=5)
    files = sorted(tmp_path.glob("*.jpg"))
    assert len(files) == len(cards) == 2
    assert all(f.stat().st_size < 400_000 for f in files)


def test_the_held_out_split_names_people_with_words_the_tune_split_never_shows():
    import random

    from kiosk.devices.ktp_identity import PARTICLE_WORDS, TRADITIONS, tradition_name

    def words(split: str) -> set[str]:
        rng = random.Random(split)
        names = [tradition_name(rng, t, sex, split) for t in TRADITIONS for sex in ("male", "female") for _ in range(60)]
        return {w.strip(",.") for n in names for w in n.split(" ")} - PARTICLE_WORDS

    tune, heldout = words("tune"), words("heldout")
    assert len(TRADITIONS) >= 8 and len(tune) > 100 and len(heldout) > 100
    assert not tune & heldout
