"""Reading generated KTP frames with the real OCR engines (Tesseract, RapidOCR, and the hybrid default)."""
from __future__ import annotations

import pytest

from kiosk.devices.ktp_reader import KtpReader
from kiosk.devices.ocr import make_engine
from tests.fixtures_ktp import clean_card, degraded_card, truth  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engines():
    return {"tesseract": make_engine("tesseract"), "rapidocr": make_engine("rapidocr")}


def test_the_hybrid_reader_reads_every_field_of_a_clean_card(engines, clean_card):  # noqa: F811
    reading = KtpReader(engines["tesseract"], engines["rapidocr"]).read_frame(clean_card.frame)
    want = truth(clean_card)
    assert {k: reading.value(k) for k in want} == want
    assert reading.value("province") == clean_card.identity.province


def test_the_hybrid_reader_gets_the_nik_of_a_degraded_card(engines, degraded_card):  # noqa: F811
    reading = KtpReader(engines["tesseract"], engines["rapidocr"]).read_frame(degraded_card.frame)
    assert reading.value("nik") == degraded_card.identity.nik
    assert reading.value("name") == degraded_card.identity.name


def test_rapidocr_alone_reads_nik_and_name_with_the_spaces_between_words(engines, clean_card):  # noqa: F811
    reading = KtpReader(engines["rapidocr"]).read_frame(clean_card.frame)
    assert reading.value("nik") == clean_card.identity.nik
    assert reading.value("name") == clean_card.identity.name


def test_tesseract_alone_reads_the_text_fields(engines, clean_card):  # noqa: F811
    reading = KtpReader(engines["tesseract"]).read_frame(clean_card.frame)
    want = truth(clean_card)
    for key in ("name", "birth_date", "sex", "religion", "nationality"):
        assert reading.value(key) == want[key], key


def test_an_unknown_engine_name_is_a_kiosk_error():
    from kiosk.devices.ocr import OcrUnavailable

    with pytest.raises(OcrUnavailable) as err:
        make_engine("abbyy")
    assert err.value.code == "ocr_unavailable"
