"""A sample gate pass on the simulated printer, kept as its ESC/POS bytes and their rendering (`kiosk ticket --demo`)."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.config import Config
from kiosk.devices.escpos_render import render
from kiosk.devices.printer import EscposPrinter, width_for
from kiosk.devices.printer_simulator import SimulatedPrinterTransport
from kiosk.domain.gatepass import demo_signer, issue
from kiosk.domain.ticket import TicketData, gate_pass_ticket
from kiosk.domain.tokens import KIND_DEMO_PASS


def print_demo_ticket(cfg: Config, out: Path, now: datetime) -> str:
    """Sign a pass for a made-up guest, print it on a simulated printer shaped like the configured one, write
    `ticket.bin` (the bytes) and `ticket.png` (what the paper shows) into `out`; return the pass's token.

    Never with the office's key: a demo pass is of the demo kind, signed with the public demo key; gates refuse it."""
    signer = demo_signer()
    pcfg = cfg.devices.printer
    gp, token = issue(
        signer,
        office_code=cfg.office.code,
        issued_at=now,
        expires_at=now + timedelta(minutes=cfg.kiosk.pass_validity_minutes),
        locker_door=7,
        kind=KIND_DEMO_PASS,
    )
    tz = ZoneInfo(cfg.office.timezone)
    data = TicketData(
        office_name=cfg.office.name,
        office_address=cfg.office.address,
        office_phone=cfg.office.phone,
        guest_name="I Wayan Contoh Sudarsana",
        nik="5105010101900001",  # made up; a demo pass never reaches a gate (see above)
        host_name=cfg.hosts[0].name if cfg.hosts else "Petugas PTSP",
        purpose=cfg.purposes[0].label_id,
        issued_at=gp.issued_at.astimezone(tz),
        expires_at=gp.expires_at.astimezone(tz),
        token=token,
        pass_id=gp.pass_id,
        locker_door=gp.locker_door,
    )
    sim = SimulatedPrinterTransport()
    width = width_for(pcfg)
    printer = EscposPrinter(
        sim, name="demo", profile=pcfg.profile, code_page=pcfg.code_page, native_qr=pcfg.native_qr, width_dots=width
    )
    printer.print_document(gate_pass_ticket(data, width_dots=width))
    out.mkdir(parents=True, exist_ok=True)
    (out / "ticket.bin").write_bytes(sim.printed)
    render(sim.printed, width_dots=width, profile=pcfg.profile).save(out / "ticket.png")
    return token
