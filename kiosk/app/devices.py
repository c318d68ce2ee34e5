"""Every peripheral's long-lived service, built once by the composition root, and the staff alerts they raise.

`build_device_services` is the only caller of the device factory; app services and screens receive
the service they need (`printers`, `scanner`, `camera`, `lockers`) and subscribe to its state.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from kiosk.config import Config
from kiosk.devices import factory
from kiosk.devices.service import STATE_WORDS, DeviceService

log = logging.getLogger(__name__)


NAMES = ("printer", "backup_printer", "scanner", "camera", "lockers")


class DeviceServices:
    """The five peripheral services. Each is built on first use (a CLI command about lockers never loads the
    printer library) and only once; `start()` builds and starts them all (the running kiosk)."""

    def __init__(self, builders: dict[str, Callable[[], Any]]) -> None:
        self._builders = builders
        self._built: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.started = False

    def _get(self, name: str) -> Any:
        with self._lock:
            if name not in self._built:
                service = self._builders[name]()
                if self.started:
                    service.start()
                self._built[name] = service
            return self._built[name]

    printer = property(lambda self: self._get("printer"))
    backup_printer = property(lambda self: self._get("backup_printer"))
    scanner = property(lambda self: self._get("scanner"))
    camera = property(lambda self: self._get("camera"))
    lockers = property(lambda self: self._get("lockers"))

    def all(self) -> list[DeviceService]:
        return [self._get(name) for name in NAMES]

    def printers(self) -> list[Any]:
        """The printers to try, in order (a printer switched off in the config is not one)."""
        return [p for p in (self.printer, self.backup_printer) if hasattr(p, "printer")]

    def start(self) -> DeviceServices:
        """Begin the background checks (the running app; CLI commands check on demand instead)."""
        if not self.started:
            for service in self.all():
                service.start()
            self.started = True
        return self

    def stop(self) -> None:
        with self._lock:
            built = list(self._built.values())
        for service in built:
            service.stop()
        self.started = False

    def lines(self) -> list[tuple[str, str, str, str]]:
        """(device, state, words "Indonesian / English", why) for the staff screen."""
        out = []
        for service in self.all():
            snap = service.snapshot
            ind, eng = STATE_WORDS[snap.state]
            out.append((snap.device, snap.state, f"{ind} / {eng}", snap.last_error or snap.detail))
        return out


def build_device_services(config: Config, alert: Callable[[str, dict], None] | None = None) -> DeviceServices:
    devices = config.devices

    def camera() -> Any:
        from kiosk.paths import assets_dir

        return factory.camera_service(devices.camera, config.path, demo_faces=assets_dir() / "sim" / "flow", alert=alert)

    return DeviceServices({
        "printer": lambda: factory.printer_service(devices.printer, "printer", alert=alert),
        "backup_printer": lambda: factory.printer_service(devices.backup_printer, "backup", alert=alert),
        "scanner": lambda: factory.scanner_service(devices.scanner, config.path, alert=alert),
        "camera": camera,
        "lockers": lambda: factory.locker_bus(devices.lockers, alert=alert),
    })


class StaffAlerts:
    """A device's change of state, queued for staff through the outbox (never lost, sent when online)."""

    def __init__(self, db: Any, outbox: Any, clock: Any, device_id: str) -> None:
        self.db, self.outbox, self.clock, self.device_id = db, outbox, clock, device_id

    def __call__(self, code: str, data: dict) -> None:
        from kiosk.domain.visit import new_id

        with self.db.transaction() as conn:
            self.outbox.enqueue(
                conn, key=f"alert:{new_id()}", topic="staff.alert", aggregate_id=f"device:{self.device_id}",
                payload={"code": code, "device_id": self.device_id, **data}, at=self.clock.now(),
            )
