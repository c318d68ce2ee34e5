"""Frame sources for the registration screens: the camera service's shared camera, with the flow's own fallbacks.

A step may be pointed at other files (tests, the demo). A simulated camera with no source configured
shows each step what it expects: the scan step a generated e-KTP held up by a guest (made-up identity,
`kiosk.devices.ktp_synth.SimulatedKtpCamera`), the photo step the demo's face in assets/sim/flow. Every
failure to open, a named source that is missing included, is `NoCamera`, which the screens explain to the
guest (type the NIK; the PTSP staff take the photo).
"""
from __future__ import annotations

import logging

from kiosk.config import Config
from kiosk.devices.camera import CameraUnavailable, FileCamera, open_camera
from kiosk.domain.errors import KioskError
from kiosk.paths import assets_dir

log = logging.getLogger(__name__)


class NoCamera(KioskError):
    code = "no_camera"

    def __init__(self) -> None:
        super().__init__()


def open_frame_source(cfg: Config, override: str | None = None, *, simulate: bool = False, step: str = "",
                      camera=None):
    """The frames for a registration step: a view of the shared camera service (`camera`; closing the view
    leaves the camera open for the next step); raise NoCamera when there is none."""
    cam = cfg.devices.camera
    try:
        if override:
            return FileCamera(cfg.path(override), cam.fps)
        if camera is not None and hasattr(camera, "frames"):
            return camera.frames(step)
        if cam.kind == "simulated" and not cam.source:
            if step == "scan":
                # Draws cards with Pillow/OpenCV: only the demo needs it.
                from kiosk.devices.ktp_synth import SimulatedKtpCamera

                return SimulatedKtpCamera(cam.fps)
            return FileCamera(assets_dir() / "sim" / "flow", cam.fps)
        return open_camera(cam, cfg.path)
    except CameraUnavailable as exc:
        log.warning("camera unavailable", extra={"code": exc.code})
        raise NoCamera() from exc
    except Exception as exc:  # a broken device or file: the guest still has a way forward
        log.warning("camera failed to open", extra={"error": type(exc).__name__})
        raise NoCamera() from exc
