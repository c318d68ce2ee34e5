"""A sample gate pass for a made-up guest (`kiosk ticket --demo`): kept as its ESC/POS bytes and their rendering,
or printed through the configured printer services.

Never with the office's key: a demo pass is of the demo kind, signed with the public demo key; gates refuse it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.app.devices import build_device_services
from kiosk.config import Config
from kiosk.devices.escpos_render import render
from kiosk.devices.printer import EscposPrinter, width_for
from kiosk.devices.printer_simulator import SimulatedPrinterTransport
from kiosk.domain.gatepass import demo_signer, issue
from kiosk.domain.ticket import TicketData, gate_pass_ticket
from kiosk.domain.tokens import KIND_DEMO_PASS
from kiosk.paths import assets_dir


def demo_ticket_data(cfg: Config, now: datetime) -> TicketData:
    gp, token = issue(
        demo_signer(),
        office_code=cfg.office.code,
        issued_at=now,
        expires_at=now + timedelta(minutes=cfg.kiosk.pass_validity_minutes),
        locker_door=7,
        kind=KIND_DEMO_PASS,
    )
    tz = ZoneInfo(cfg.office.timezone)
    return TicketData(
        office_name=cfg.office.name,
        office_address=cfg.office.address,
        office_phone=cfg.office.phone,
        guest_name="I Wayan Contoh Sudarsana",
        nik="5105010101900001",  # made up
        host_name=cfg.hosts[0].name if cfg.hosts else "Petugas PTSP",
        purpose=cfg.purposes[0].label_id,
        issued_at=gp.issued_at.astimezone(tz),
        expires_at=gp.expires_at.astimezone(tz),
        token=token,
        pass_id=gp.pass_id,
        locker_door=gp.locker_door,
        photo=demo_photo(),
    )


def demo_photo():
    """The simulated kiosk's demo guest (assets/sim/flow), head and shoulders as the photo step keeps it."""
    from PIL import Image  # Pillow: only the demo pass needs it here

    try:
        with Image.open(assets_dir() / "sim" / "flow" / "guest.jpg") as img:
            frame = img.convert("RGB")
    except OSError:
        return None
    w, h = frame.size
    return frame.crop(((w - h * 3 // 4) // 2, 0, (w + h * 3 // 4) // 2, h))


def render_demo_ticket(cfg: Config, data: TicketData, out: Path) -> None:
    """Print on a simulated printer shaped like the configured one; write `ticket.bin` (the bytes) and
    `ticket.png` (what the paper shows) into `out`."""
    pcfg = cfg.devices.printer
    sim = SimulatedPrinterTransport()
    width = width_for(pcfg)
    printer = EscposPrinter(
        sim, name="demo", profile=pcfg.profile, code_page=pcfg.code_page, native_qr=pcfg.native_qr, width_dots=width
    )
    printer.print_document(gate_pass_ticket(data, width_dots=width, layout=pcfg.pass_layout))
    out.mkdir(parents=True, exist_ok=True)
    (out / "ticket.bin").write_bytes(sim.printed)
    render(sim.printed, width_dots=width, profile=pcfg.profile).save(out / "ticket.png")


@dataclass(frozen=True)
class TestPrint:
    printer: str | None  # the printer that printed it, None when none did
    status_unknown: bool = False  # confirmed by drained bytes, not by a status answer
    reasons: list[str] = field(default_factory=list)  # why each printer tried did not print
    no_printer: bool = False


def print_test_pass(cfg: Config, data: TicketData) -> TestPrint:
    """The sample pass through the same printer services as a guest's pass: confirmed, or the backup, or why not."""
    devices = build_device_services(cfg)
    try:
        printers = devices.printers()
        if not printers:
            return TestPrint(None, no_printer=True)
        reasons = []
        for printer in printers:
            try:
                pcfg = cfg.devices.backup_printer if printer.name == "backup" else cfg.devices.printer
                doc = gate_pass_ticket(data, width_dots=printer.width_dots, layout=pcfg.pass_layout)
                warnings = printer.print_document(doc)
            except Exception as exc:  # a PrinterError, or a driver failure: both are "did not print" here
                why = getattr(exc, "text_en", "") or f"{type(exc).__name__}: {exc}"
                reasons.append(f"{printer.name}: {why}")
                continue
            return TestPrint(printer.name, "status_unknown" in warnings)
        return TestPrint(None, reasons=reasons)
    finally:
        devices.stop()
