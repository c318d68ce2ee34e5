"""Camera frames from files (the simulator) and the camera scanner decoding them on its worker thread."""
from __future__ import annotations

import datetime

import cv2
import pytest

from kiosk.config import CameraConfig, ScannerConfig
from kiosk.devices.barcode import Debouncer, DecoderUnavailable, PyzbarDecoder, ZxingDecoder, make_decoder
from kiosk.devices.camera import CameraUnavailable, FileCamera, OpenCvCamera, open_camera
from kiosk.devices.code_scanners import open_scanner
from kiosk.devices.scanner import CameraScanner, IdleScanner
from kiosk.domain.identity import parse_identity_payload
from tests.fixtures_scanner import Collector, qr_frame, wait_until

NIK = "3201015708850123"
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def frames_dir(tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    for i, text in enumerate(["", NIK, NIK, "", "https://layananonline.dukcapil.kemendagri.go.id/Terpusat/Pindai?x=1"]):
        cv2.imwrite(str(folder / f"frame_{i:03d}.png"), qr_frame(text))
    return folder


def test_file_camera_loops_over_a_folder_of_images(frames_dir):
    cam = FileCamera(frames_dir, pace=False)
    shapes = [cam.read().shape for _ in range(12)]
    assert shapes == [(480, 640, 3)] * 12
    cam.close()
    assert cam.read() is None


def test_file_camera_plays_a_video_and_starts_again_at_the_end(tmp_path):
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15, (320, 240))
    for i in range(3):
        writer.write(qr_frame("", (320, 240)) * 0 + i * 80)
    writer.release()
    cam = FileCamera(path, pace=False)
    means = [round(float(cam.read().mean()) / 80) for _ in range(7)]
    assert means == [0, 1, 2, 0, 1, 2, 0]


def test_file_camera_paces_frames_to_the_frame_rate(tmp_path):
    cv2.imwrite(str(tmp_path / "one.png"), qr_frame("", (320, 240)))
    now = [100.0]
    slept = []

    def sleep(s):
        slept.append(round(s, 6))
        now[0] += s

    cam = FileCamera(tmp_path / "one.png", fps=10, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        cam.read()
    assert slept == [0.1, 0.1, 0.1]


def test_a_still_image_frame_is_a_copy_each_time(tmp_path):
    cv2.imwrite(str(tmp_path / "one.png"), qr_frame("", (320, 240)))
    cam = FileCamera(tmp_path / "one.png", pace=False)
    first = cam.read()
    first[:] = 0
    assert cam.read().mean() > 100


@pytest.mark.parametrize(("cfg", "source"), [
    (CameraConfig(kind="simulated", source="missing.png"), "missing.png"),
    (CameraConfig(kind="simulated", source=""), ""),
    (CameraConfig(kind="none"), ""),
])
def test_open_camera_refuses_what_is_not_there(tmp_path, cfg, source):
    with pytest.raises(CameraUnavailable):
        open_camera(cfg, lambda p: tmp_path / p)


def test_opencv_camera_without_a_device_is_unavailable():
    with pytest.raises(CameraUnavailable):
        OpenCvCamera(index=63)


def test_open_camera_gives_the_simulator_for_a_simulated_config(frames_dir):
    cam = open_camera(CameraConfig(kind="simulated", source=str(frames_dir), fps=30), lambda p: frames_dir.parent / p)
    assert isinstance(cam, FileCamera) and cam.read() is not None


@pytest.mark.parametrize("decoder", [PyzbarDecoder, ZxingDecoder])
def test_both_decoders_read_the_qr_and_ignore_an_empty_frame(decoder):
    d = decoder()
    assert [(s.data, s.symbology) for s in d.decode(qr_frame(NIK))] == [(NIK.encode(), "QRCODE")]
    assert [s.data for s in d.decode(qr_frame(NIK, (1280, 720), angle=30))] == [NIK.encode()]
    assert d.decode(qr_frame("")) == []


def test_debouncer_reports_a_code_again_only_after_it_was_gone_for_the_window():
    now = [0.0]
    deb = Debouncer(2.0, clock=lambda: now[0])
    seen = []
    for t in [0.0, 0.5, 1.0, 2.5, 4.0, 6.1, 6.2]:
        now[0] = t
        seen.append(deb.admit(b"A"))
    assert seen == [True, False, False, False, False, True, False]


@pytest.mark.parametrize("decoder", ["pyzbar", "zxing"])
def test_camera_scanner_reports_each_code_once_and_it_becomes_identity_fields(frames_dir, decoder):
    got = Collector()
    scanner = CameraScanner(FileCamera(frames_dir, pace=False), make_decoder(decoder), debounce_s=3600)
    scanner.start(got)
    try:
        assert wait_until(lambda: scanner.frames_decoded >= 30)  # six passes over the five frames
    finally:
        scanner.stop()
    assert sorted(got.texts()) == sorted([NIK, "https://layananonline.dukcapil.kemendagri.go.id/Terpusat/Pindai?x=1"])
    first = next(c for c in got.codes if c.text == NIK)
    assert (first.source, first.symbology) == ("camera", "QRCODE")
    identity = parse_identity_payload(first.data, today=TODAY)
    assert identity.nik.province == "Jawa Barat" and identity.nik.sex == "female"
    assert scanner.state == "stopped"


def test_a_shared_camera_stays_open_when_the_scanner_stops(frames_dir):
    cam = FileCamera(frames_dir, pace=False)
    scanner = open_scanner(ScannerConfig(kind="camera", decoder="zxing"), lambda p: frames_dir / p, camera=cam)
    got = Collector()
    scanner.start(got)
    assert wait_until(lambda: NIK in got.texts())
    scanner.stop()
    assert cam.read() is not None


def test_simulated_scanner_reads_the_configured_frames(frames_dir):
    scanner = open_scanner(ScannerConfig(kind="simulated", source="frames"), lambda p: frames_dir.parent / p)
    got = Collector()
    scanner.start(got)
    try:
        assert wait_until(lambda: NIK in got.texts())
    finally:
        scanner.stop()
    assert got.codes[0].source == "simulated"


def test_simulated_scanner_without_a_source_scans_what_it_is_given():
    scanner = open_scanner(ScannerConfig(kind="simulated", source=""), lambda p: p)
    assert isinstance(scanner, IdleScanner)
    got = Collector()
    scanner.start(got)
    assert scanner.inject(NIK) and not scanner.inject(NIK)
    assert got.texts() == [NIK]


def test_a_callback_that_fails_does_not_stop_the_scanner(frames_dir):
    calls = []

    def bad(code):
        calls.append(code)
        raise RuntimeError("ui went away")

    scanner = CameraScanner(FileCamera(frames_dir, pace=False), make_decoder("pyzbar"), debounce_s=3600)
    scanner.start(bad)
    try:
        assert wait_until(lambda: len(calls) == 2)
    finally:
        scanner.stop()


def test_symbologies_restrict_what_the_decoders_look_for():
    assert make_decoder("zxing", ["CODE128"]).decode(qr_frame(NIK)) == []
    assert make_decoder("pyzbar", ["QRCODE", "PDF417"]).decode(qr_frame(NIK))[0].data == NIK.encode()
    with pytest.raises(DecoderUnavailable):
        make_decoder("pyzbar", ["PDF417"])  # zbar cannot read PDF417 at all


def test_zxing_is_the_default_decoder_chosen_by_the_benchmark():
    assert ScannerConfig().decoder == "zxing" and ScannerConfig().symbologies == ["QRCODE"]
