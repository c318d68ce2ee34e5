"""`kiosk scan FILE...`: codes in image files become JSON lines with identity fields."""
from __future__ import annotations

import json

import cv2
import pytest

from kiosk.cli import main
from tests.conftest import ROOT
from tests.fixtures_scanner import qr_frame

NIK = "3201015708850123"


@pytest.fixture(autouse=True)
def demo_config(monkeypatch):
    """`kiosk scan` reads the decoder settings from the kiosk's config: here the demo's."""
    monkeypatch.setenv("KIOSK_CONFIG", str(ROOT / "config" / "simulate.toml"))


@pytest.mark.parametrize("decoder", ["pyzbar", "zxing"])
def test_scan_prints_identity_fields_per_code(tmp_path, capsys, decoder):
    nik_png, kk_png, junk_png = tmp_path / "nik.png", tmp_path / "kk.png", tmp_path / "junk.png"
    cv2.imwrite(str(nik_png), qr_frame(NIK))
    cv2.imwrite(str(kk_png), qr_frame("https://layananonline.dukcapil.kemendagri.go.id/Terpusat/Pindai?a=b", angle=15))
    cv2.imwrite(str(junk_png), qr_frame("hello world"))
    assert main(["scan", "--decoder", decoder, str(nik_png), str(kk_png), str(junk_png)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(x["file"], x["type"]) for x in lines] == [
        (str(nik_png), "identity"), (str(kk_png), "identity"), (str(junk_png), "unrecognized")]
    assert lines[0]["identity"]["nik"] == NIK and lines[0]["identity"]["sex"] == "female"
    assert lines[0]["symbology"] == "QRCODE" and lines[0]["kind"] == "nik"
    assert lines[1]["kind"] == "kk_link" and lines[1]["identity"] is None
    assert lines[2]["reason"] == "no_nik"


def test_scan_of_an_image_without_code_exits_1_and_says_so(tmp_path, capsys):
    path = tmp_path / "empty.png"
    cv2.imwrite(str(path), qr_frame(""))
    assert main(["scan", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "no code found" in captured.err


def test_scan_of_a_file_that_is_not_an_image_is_one_line_exit_2(tmp_path, capsys):
    path = tmp_path / "note.txt"
    path.write_text("not an image")
    assert main(["scan", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot be read" in err
