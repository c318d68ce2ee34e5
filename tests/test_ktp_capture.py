"""Card capture on generated camera frames: the card is found and rectified, and the guest is told what to do."""
from __future__ import annotations

import random

import cv2
import numpy as np

from kiosk.devices.ktp_identity import random_identity
from kiosk.devices.ktp_reader import CARD_H, CARD_W, CardCapture, find_card, rectify
from kiosk.devices.ktp_synth import Degradation, generate, place_in_frame, render_card
from tests.fixtures_ktp import clean_card, degraded_card  # noqa: F401  (fixtures)


def _frame(seed: int, **deg) -> np.ndarray:
    rng = random.Random(seed)
    card = render_card(random_identity(rng), rng)
    return place_in_frame(card, Degradation(**deg), rng)[0]


def test_the_card_is_found_within_a_few_pixels_on_clean_and_degraded_frames(clean_card, degraded_card):  # noqa: F811
    for card in (clean_card, degraded_card, generate(9, degraded=True)):
        corners = find_card(card.frame)
        assert corners is not None
        assert np.abs(corners - card.corners).max() < 12


def test_the_rectified_card_is_upright_id1_sized_with_the_nik_row_where_the_layout_puts_it(clean_card):  # noqa: F811
    card = rectify(clean_card.frame, find_card(clean_card.frame))
    assert card.shape[:2] == (CARD_H, CARD_W)
    gray = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY)
    # The NIK digits (rows 118-165) are dark ink; between their end and the photo is empty card.
    assert gray[120:160, 260:700].min() < 80
    assert gray[120:145, 715:765].min() > 120


def test_an_empty_desk_asks_for_the_card():
    frame = np.full((720, 1280, 3), 60, np.uint8)
    assert CardCapture().feed(frame).guidance == "no_card"
    assert find_card(frame) is None


def test_a_small_card_far_from_the_camera_asks_to_move_closer():
    state = CardCapture().feed(_frame(3, card_width_frac=0.3))
    assert state.guidance == "move_closer"
    assert state.text("id").startswith("Dekatkan") and state.text("en") == "Move the card closer"


def test_a_specular_highlight_asks_to_reduce_glare():
    state = CardCapture().feed(_frame(4, glare=200))
    assert state.guidance == "reduce_glare"
    assert state.glare > 0.004
    assert state.text("id").startswith("Kurangi pantulan")


def test_a_blurred_card_asks_to_hold_still():
    state = CardCapture().feed(_frame(5, blur_sigma=3.5))
    assert state.guidance == "hold_still"
    assert state.card is None


def test_a_sharp_card_is_read_only_after_it_stays_steady_for_two_frames():
    frame = _frame(6)
    capture = CardCapture()
    first = capture.feed(frame)
    assert first.guidance == "hold_still" and first.card is None
    second = capture.feed(frame)
    assert second.guidance == "reading"
    assert second.card is not None and second.card.shape[:2] == (CARD_H, CARD_W)


def test_a_moving_card_is_not_read():
    capture = CardCapture()
    capture.feed(_frame(6))
    rng = random.Random(6)
    card = render_card(random_identity(rng), rng)
    moved = place_in_frame(card, Degradation(), random.Random(99))[0]  # same card, elsewhere in the frame
    assert capture.feed(moved).guidance == "hold_still"
