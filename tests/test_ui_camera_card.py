"""The KTP's outline on the camera preview sits on the card, whatever the preview's shape (letterbox included).

A real camera frame (the generated e-KTP held in front of the camera, 1280x720, and a 640x480 one) is shown
in a CameraView of a wide, a tall, an 800x480 and a 1080x1920 size; the card is found the way the scan step
finds it (`find_card` on the frame) and outlined. Then the DISPLAYED image is searched for the card on its
own (the same `find_card`, on the widget's pixels without the outline): the outline's corners must be
there, and its colour must lie on the card's edges in the picture with the outline.
"""
from __future__ import annotations

import threading

import numpy as np
import pytest
from PIL import Image

from kiosk.devices.ktp_reader import find_card, order_corners
from kiosk.devices.ktp_synth import demo_identity, scan_sequence
from tests.fixtures_flow import write_frames
from tests.test_ui_flow import agree_to_the_notice, kiosk, shown_texts, wait_for  # noqa: F401  (the flow's fixture and helpers)

pytestmark = pytest.mark.ui

SIZES = {"wide": (1400, 360), "tall": (360, 1100), "800x480": (800, 480), "1080x1920": (1080, 1920),
         "800x480-mirrored": (800, 480)}  # a mirrored preview (as the photo step shows the guest) flips the outline too


class StillCamera:
    """A FrameSource that keeps showing one frame."""

    def __init__(self, frame) -> None:
        self.frame = frame
        self.closed = threading.Event()

    def read(self):
        self.closed.wait(0.02)
        return None if self.closed.is_set() else self.frame

    def close(self) -> None:
        self.closed.set()


def held_card(size=(1280, 720)):
    """The generated e-KTP held still (1280x720); (640, 480): the same scene from a 4:3 camera."""
    frame = dict(scan_sequence(demo_identity()))["held"]
    if size != (1280, 720):
        import cv2

        frame = cv2.copyMakeBorder(frame, 120, 120, 0, 0, cv2.BORDER_REPLICATE)  # 1280x960: more desk
        frame = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
    return frame


def _pixels(view, path) -> np.ndarray:
    view.export_to_png(str(path))  # the widget as drawn (Fbo), top row first
    return np.array(Image.open(path).convert("RGB"))


def _to_image(view, quad) -> np.ndarray:
    """Window coordinates (y up) to the widget's PNG pixels (y down)."""
    pts = np.array(quad, dtype=float).reshape(4, 2)
    return np.stack([pts[:, 0] - view.x, view.top - pts[:, 1]], axis=1)


@pytest.fixture
def app(context, artifacts):
    from tests.ui_harness import UiHarness

    harness = UiHarness(context, role="guest", artifacts=artifacts)  # the app: kv rules and theme
    yield harness
    harness.close()


@pytest.mark.parametrize("frame_size", [(1280, 720), (640, 480)])
def test_the_card_outline_sits_on_the_card_in_every_preview_shape(app, artifacts, frame_size):
    from kiosk.ui.camera_view import CameraView

    frame = held_card(frame_size)
    corners = find_card(frame)
    assert corners is not None
    accent = np.array(app.app.theme.accent[:3]) * 255
    for name, (w, h) in SIZES.items():
        view = CameraView(size_hint=(None, None), size=(w, h), pos=(0, 0), guide="card", mirror="mirrored" in name)
        view.start(StillCamera(frame))
        wait_for(app, lambda v=view: v.frames_shown > 0, timeout=10, settle=False)
        view.stop()
        tag = f"{name}-{frame_size[0]}x{frame_size[1]}"
        view.guide = "none"  # the picture alone: no guide, no outline
        app.pump(2)
        shown = _pixels(view, artifacts / f"camera-card-{tag}-bare.png")
        seen = find_card(shown[:, :, ::-1].copy())  # the card where the widget SHOWS it (BGR for OpenCV)
        assert seen is not None, tag
        view.guide = "card"
        view.show_card(corners, frame_size)
        app.pump(2)  # kv updates canvas instructions on the next frame
        drawn = order_corners(_to_image(view, view.card_quad))  # tl, tr, br, bl as seen (mirroring swaps them)
        tolerance = 4 + 0.01 * max(view.picture_size)
        assert np.abs(drawn - seen).max() <= tolerance, (tag, drawn.round(), seen.round())
        # Mapping through the widget's own box (the letterbox ignored) would miss the card where bars exist.
        naive = corners / np.array(frame_size) * np.array([w, h])
        if abs(w / h - frame_size[0] / frame_size[1]) > 0.2:
            assert np.abs(naive - seen).max() > 3 * tolerance, tag
        outlined = _pixels(view, artifacts / f"camera-card-{tag}.png")
        for a, b in zip(seen, np.roll(seen, -1, axis=0), strict=True):  # each edge's middle is outline-coloured
            x, y = ((a + b) / 2).round().astype(int)
            patch = outlined[max(0, y - 3) : y + 4, max(0, x - 3) : x + 4].reshape(-1, 3)
            assert (np.abs(patch - accent).max(axis=1) < 40).any(), (tag, x, y)
        view.show_card(None, (0, 0))
        assert view.card_quad == []


def test_the_scan_step_outlines_the_card_the_camera_sees(kiosk, context, artifacts, tmp_path):  # noqa: F811
    ui = kiosk
    # The card under a lamp's glare: found (and outlined) on every frame, never read, so the step stays.
    glare = dict(scan_sequence(demo_identity()))["glare"]
    context.flow.camera_sources["scan"] = str(write_frames(tmp_path / "cam-glare", glare))
    agree_to_the_notice(ui)
    camera = ui.screen.ids.camera
    wait_for(ui, lambda: len(camera.card_quad) == 8, timeout=60, settle=False)
    ui.settle()  # the glare never lets the card be read: the step stays, its layout settles
    assert ui.screen.guidance == "reduce_glare" and len(camera.card_quad) == 8
    # The screen is a RelativeLayout: the camera's coordinates (and the outline's) are the screen's, not the window's.
    x0, y0 = camera.to_window(camera.x, camera.y)
    x1, y1 = camera.to_window(camera.right, camera.top)
    pts = np.array(camera.card_quad, dtype=float).reshape(4, 2)
    win = np.array([camera.to_window(x, y) for x, y in pts])
    quad = np.stack([win[:, 0] - x0, y1 - win[:, 1]], axis=1)  # in the camera's part of the screenshot, y down
    from kivy.core.window import Window

    size = "x".join(str(int(v)) for v in Window.size)  # KIOSK_TEST_WINDOW=800x480 or 1080x1920 runs it at those
    ui.screenshot(f"scan-card-outline-{size}")
    # The window's screenshot without guide and outline: the camera's part searched for the card on its own.
    camera.guide = "none"
    shot = np.array(Image.open(ui.screenshot(f"scan-card-bare-{size}")).convert("RGB"))
    camera.guide = "card"
    height = shot.shape[0]
    part = shot[int(height - y1) : int(height - y0), int(x0) : int(x1)]
    seen = find_card(part[:, :, ::-1].copy())
    assert seen is not None
    assert np.abs(quad - seen).max() <= 12 + 0.02 * max(camera.picture_size), (quad.round(), seen.round())


def _photo_step_texts(ui, context) -> str:
    ui.app.flow_draft = context.flow.start()
    ui.app.flow_history = []
    ui.app.go("photo")
    wait_for(ui, lambda: ui.app.screens.current == "photo")
    return shown_texts(ui)


def test_the_photo_step_says_the_photo_is_printed_on_the_badge(kiosk, context):  # noqa: F811
    import dataclasses

    ui = kiosk
    assert context.config.devices.printer.pass_layout == "badge"
    text = _photo_step_texts(ui, context)
    assert "Foto dicetak di tanda tamu Anda" in text
    ui.screenshot("flow-6c-photo-printed-on-badge")
    # A receipt without the photo: the guest is not told it is printed.
    devices = context.config.devices
    receipt = dataclasses.replace(devices.printer, pass_layout="receipt", print_photo=False)
    context.flow.config = context.config.replace(devices=dataclasses.replace(devices, printer=receipt))
    ui.app.go("welcome")
    wait_for(ui, lambda: ui.app.screens.current == "welcome")
    text = _photo_step_texts(ui, context)
    assert "dicetak" not in text and "Foto disimpan bersama data kunjungan" in text
