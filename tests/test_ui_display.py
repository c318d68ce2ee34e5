"""The panel's physical size: from the config, from the EDID the panel reports, or the usual panel."""
from __future__ import annotations

import pytest

from kiosk.ui.display import edid_density, resolve
from kiosk.ui.theme import CAP_RATIO, MIN_CAP_MM, MIN_TARGET_MM, make_theme


def edid(w_px: int, h_px: int, w_mm: int, h_mm: int) -> bytes:
    block = bytearray(128)
    block[:8] = b"\x00\xff\xff\xff\xff\xff\xff\x00"
    block[21], block[22] = w_mm // 10, h_mm // 10
    d = 54
    block[d], block[d + 1] = 0x02, 0x3A  # pixel clock 148.5 MHz: a detailed timing
    block[d + 2], block[d + 4] = w_px & 0xFF, (w_px >> 8) << 4
    block[d + 5], block[d + 7] = h_px & 0xFF, (h_px >> 8) << 4
    block[d + 12], block[d + 13] = w_mm & 0xFF, h_mm & 0xFF
    block[d + 14] = ((w_mm >> 8) << 4) | (h_mm >> 8)
    return bytes(block)


def test_a_21_5_inch_hd_panel_is_read_from_its_edid(tmp_path):
    out = tmp_path / "card0-HDMI-A-1"
    out.mkdir()
    (out / "status").write_text("connected\n")
    (out / "edid").write_bytes(edid(1920, 1080, 477, 268))
    d = resolve("auto", 1920, 1080, drm_dir=tmp_path)
    assert d.source == "edid"
    assert d.px_per_mm == pytest.approx(1920 / 477, rel=0.01)
    assert not d.compact and not d.portrait
    # Turned to portrait, the same panel keeps its density.
    assert resolve("auto", 1080, 1920, drm_dir=tmp_path).px_per_mm == pytest.approx(d.px_per_mm)


def test_without_an_edid_the_usual_panel_for_the_resolution_is_assumed(tmp_path):
    pi = resolve("auto", 800, 480, drm_dir=tmp_path)
    assert pi.source == "usual" and pi.compact
    assert pi.size_mm[0] == pytest.approx(152.4, abs=1)  # the official 7" display: 155 x 86 mm active area
    assert resolve("auto", 1080, 1920, drm_dir=tmp_path).portrait
    assert edid_density(b"not an edid") is None


def test_the_config_can_give_the_diagonal_or_the_density(tmp_path):
    assert resolve("10.1in", 1280, 800, drm_dir=tmp_path).px_per_mm == pytest.approx(5.88, abs=0.02)
    assert resolve("254dpi", 1280, 800, drm_dir=tmp_path).px_per_mm == pytest.approx(10.0)


@pytest.mark.parametrize(("w", "h", "panel"), [(800, 480, "7in"), (1920, 1080, "21.5in"), (1080, 1920, "21.5in")])
def test_targets_and_body_text_have_their_physical_minimum_on_every_panel(w, h, panel, tmp_path):
    d = resolve(panel, w, h, drm_dir=tmp_path)
    for large in (False, True):
        t = make_theme(large_text=large, high_contrast=False, display=d)
        assert min(t.touch, t.key) >= MIN_TARGET_MM * d.px_per_mm - 0.5
        assert min(t.font_small, t.font_body) * CAP_RATIO >= MIN_CAP_MM * d.px_per_mm - 0.5
    normal = make_theme(large_text=False, high_contrast=False, display=d)
    large = make_theme(large_text=True, high_contrast=False, display=d)
    assert large.font_body >= normal.font_body * 1.29  # "Aa" really enlarges


def test_a_bad_display_setting_is_a_config_error(make_config):
    from kiosk.config import ConfigError

    with pytest.raises(ConfigError, match="ui.display"):
        make_config({"ui": {"display": "huge"}})
    assert make_config({"ui": {"display": "7in"}}).ui.display == "7in"


def test_the_kiosk_window_takes_the_screen_when_fullscreen_and_never_exceeds_it():
    from kiosk.ui.setup import window_size, x_screen_size

    assert window_size(1280, 800, True, (800, 480)) == (800, 480)
    assert window_size(1280, 800, False, (800, 480)) == (800, 480)
    assert window_size(1280, 800, False, (1080, 1920)) == (1080, 800)
    assert window_size(1280, 800, False, (1920, 1080)) == (1280, 800)
    assert window_size(1280, 800, True, None) == (1280, 800)  # no X (a Pi console): SDL's own fullscreen
    screen = x_screen_size()  # the suite runs under Xvfb: the real libX11 answers with its screen
    assert screen is not None and screen[0] > 0 and screen[1] > 0
