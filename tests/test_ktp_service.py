"""The KTP scan service: frames in, guidance for the screen, then the card's fields, on a worker thread."""
from __future__ import annotations

import random
import threading

import numpy as np
import pytest

from kiosk.cli import main
from kiosk.devices import camera
from kiosk.devices.ktp_identity import random_identity
from kiosk.devices.ktp_synth import Degradation, place_in_frame, render_card
from tests.fixtures_ktp import ListFrames, clean_card, truth  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow


def _far_card(seed: int) -> np.ndarray:
    rng = random.Random(seed)
    return place_in_frame(render_card(random_identity(rng), rng), Degradation(card_width_frac=0.3), rng)[0]


def test_a_guest_holding_a_card_gets_guidance_then_the_fields(context, clean_card):  # noqa: F811
    desk = np.full((720, 1280, 3), 50, np.uint8)
    # The card jumps from far to near (moving: hold still), then is steady for two frames: read.
    source = ListFrames([desk, _far_card(1)] + [clean_card.frame] * 4)
    events = list(context.ktp_reader.scan(source))
    guidance = [e.guidance for e in events if e.kind == "guidance"]
    assert guidance == ["no_card", "move_closer", "hold_still", "reading"]
    assert events[1].text_id.startswith("Dekatkan")
    result = events[-1]
    assert result.kind == "result"
    want = truth(clean_card)
    assert {k: result.reading.value(k) for k in want} == want
    assert len(source.frames) == 1 and not source.closed  # stops at the result; the caller owns the camera


def test_the_scan_runs_on_a_worker_thread_and_reports_each_event(context, clean_card):  # noqa: F811
    got, done = [], threading.Event()

    def on_event(event):
        got.append((threading.current_thread().name, event))
        if event.kind in ("result", "timeout", "error"):
            done.set()

    handle = context.ktp_reader.start(ListFrames([clean_card.frame] * 3), on_event)
    assert done.wait(120)
    assert handle.join(10)
    assert {name for name, _ in got} == {"ktp-scan"}
    assert got[-1][1].reading.value("nik") == clean_card.identity.nik


def test_no_card_in_view_ends_in_a_timeout_offering_to_type(make_config):
    from kiosk.app.context import AppContext

    ctx = AppContext(make_config({"devices": {"ktp": {"timeout_s": 1.0}}}))
    events = list(ctx.ktp_reader.scan(ListFrames([])))
    assert events[-1].kind == "timeout"
    assert "ketik" in events[-1].text_id
    ctx.close()


def test_stopping_a_scan_ends_the_worker(context):
    desk = np.full((720, 1280, 3), 50, np.uint8)

    class Endless:
        def read(self):
            return desk

        def close(self):
            pass

    handle = context.ktp_reader.start(Endless(), lambda e: None)
    handle.stop()
    assert handle.join(30)


def test_a_simulated_camera_folder_of_generated_frames_fills_the_fields(make_config, tmp_path):
    from kiosk.app.context import AppContext
    from kiosk.devices.ktp_synth import write_sample

    cards = write_sample(tmp_path / "frames", 1, seed=21)
    cfg = make_config({"devices": {"camera": {"kind": "simulated", "source": str(tmp_path / "frames")}}})
    ctx = AppContext(cfg)
    source = camera.open_camera(cfg.devices.camera, cfg.path)
    try:
        events = list(ctx.ktp_reader.scan(source, max_frames=10))
    finally:
        source.close()
        ctx.close()
    assert events[-1].kind == "result"
    assert events[-1].reading.value("nik") == cards[0].identity.nik


def test_cli_reads_a_generated_card_and_prints_the_nik_masked(tmp_path, capsys, clean_card):  # noqa: F811
    assert main(["ktp", "synth", str(tmp_path), "--count", "1", "--seed", "7"]) == 0
    capsys.readouterr()
    assert main(["ktp", "read", str(tmp_path / "ktp_000.jpg"), "--config", "config/simulate.toml"]) == 0
    out = capsys.readouterr().out
    assert f"************{clean_card.identity.nik[-4:]}" in out
    assert clean_card.identity.nik not in out
    assert clean_card.identity.name in out


def test_cli_read_of_a_missing_file_is_one_line_and_exit_2(capsys):
    assert main(["ktp", "read", "/nonexistent/ktp.jpg", "--config", "config/simulate.toml"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "ktp.jpg" in err[0]


def test_in_the_simulated_kiosk_the_scan_step_sees_a_generated_ktp_and_the_photo_step_a_face(context):
    from kiosk.devices.camera import FileCamera
    from kiosk.devices.ktp_reader import CardCapture
    from kiosk.devices.ktp_synth import SimulatedKtpCamera

    scan, photo = context.flow.open_camera("scan"), context.flow.open_camera("photo")
    try:
        assert isinstance(scan, SimulatedKtpCamera) and isinstance(photo, FileCamera)
        assert photo.path.name == "flow"
        scan._interval = 0.0  # flat out: the test has no one to pace for
        capture = CardCapture()
        seen = {capture.feed(scan.read()).guidance for _ in range(8 + 12 + 12 + 3)}
    finally:
        scan.close()
        photo.close()
    assert {"no_card", "move_closer", "reduce_glare", "reading"} <= seen


def test_a_card_shaped_thing_without_the_ktp_fields_is_not_taken_for_a_card():
    from kiosk.app.ktp import looks_like_ktp
    from kiosk.domain.ktp import parse_ktp

    poster = parse_ktp([("SELAMAT DATANG", 0.9), ("DI KEJAKSAAN", 0.9), ("Nama : BUDI", 0.6)])
    card = parse_ktp([("NIK : 5105034101900001", 0.9), ("Nama : PUTRI", 0.9), ("Alamat : JL. MAWAR", 0.9)])
    assert not looks_like_ktp(poster) and looks_like_ktp(card)
