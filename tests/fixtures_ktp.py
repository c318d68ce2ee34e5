"""Shared KTP test material: a few generated cards (fixed seeds) and a frame source over a list of frames."""
from __future__ import annotations

import numpy as np
import pytest

from kiosk.devices.ktp_synth import SyntheticKtp, generate


class ListFrames:
    """A FrameSource over frames in memory: the camera seam, fed with generated pictures."""

    def __init__(self, frames: list[np.ndarray]) -> None:
        self.frames = list(frames)
        self.closed = False

    def read(self) -> np.ndarray | None:
        return self.frames.pop(0) if self.frames else None

    def close(self) -> None:
        self.closed = True


@pytest.fixture(scope="module")
def clean_card() -> SyntheticKtp:
    return generate(7)


@pytest.fixture(scope="module")
def degraded_card() -> SyntheticKtp:
    return generate(8, degraded=True)


def truth(card: SyntheticKtp) -> dict[str, str]:
    ident = card.identity
    return {
        "nik": ident.nik, "name": ident.name, "birth_place": ident.birth_place,
        "birth_date": f"{ident.birth_date:%d-%m-%Y}", "sex": ident.sex_text, "address": ident.address,
        "rt_rw": ident.rt_rw, "village": ident.village, "district": ident.district, "religion": ident.religion,
        "marital_status": ident.marital_status, "occupation": ident.occupation, "nationality": ident.nationality,
    }
