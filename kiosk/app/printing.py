"""Printing the gate pass (the `tickets` service): sign, lay out, print on the main or backup printer, record the outcome.

The visit is committed before anything prints (registration does that); a printer problem never
loses it. After each attempt ONE transaction records the pass (id + token), the event
('pass_printed' or 'print_failed', also queued for the central server) and the visit's
'print_failed' flag, which staff screens show. A guest whose pass did not print is told to go to the
PTSP desk, where `kiosk ticket reprint VISIT_ID` prints the same pass id later.

Printing twice by accident is refused: `issue_and_print` on a visit whose pass already came out of a
printer raises `AlreadyPrinted`; only `reprint` prints again, and the paper says "CETAK ULANG /
REPRINT" whenever an earlier copy exists.
"""
from __future__ import annotations

import io
import logging
import threading
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from kiosk.devices.factory import printer_service
from kiosk.devices.printer import PrinterError
from kiosk.domain.errors import KioskError
from kiosk.domain.gatepass import GatePass, issue
from kiosk.domain.ticket import TicketData, TicketDocument, gate_pass_ticket
from kiosk.domain.tokens import read_unverified
from kiosk.domain.visit import OPEN_STATES, Visit, VisitEvent
from kiosk.domain.words import catalog_path, load

if TYPE_CHECKING:
    from kiosk.app.passes import PassService
    from kiosk.config import Config
    from kiosk.domain.clock import Clock
    from kiosk.store.db import Database
    from kiosk.store.guests import GuestRepository
    from kiosk.store.photos import PhotoFiles
    from kiosk.store.visits import VisitRepository

log = logging.getLogger(__name__)

FLAG_PRINT_FAILED = "print_failed"

class AlreadyPrinted(KioskError):
    code = "pass_already_printed"

    def __init__(self, visit_id: str, pass_id: str) -> None:
        super().__init__(visit_id=visit_id, pass_id=pass_id)


class VisitNotPrintable(KioskError):
    code = "visit_not_printable"

    def __init__(self, visit_id: str, state: str) -> None:
        super().__init__(visit_id=visit_id, state=state)


@dataclass(frozen=True)
class PrintOutcome:
    visit_id: str
    pass_id: str
    token: str
    printed: bool
    reason: str  # ok | paper_out | cover_open | offline | config | no_printer
    printer: str | None = None  # which printer printed it
    reprint: bool = False
    warnings: tuple[str, ...] = ()  # paper_near_end, status_unknown
    message_id: str = ""
    message_en: str = ""

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def guest_message(reason: str) -> tuple[str, str]:
    """What the guest reads when the pass did not print (assets/i18n/strings.toml, section `print`)."""
    words = load(catalog_path("strings"))
    what = words.get(f"print.{reason}") or words["print.offline"]
    said = words["print.not_printed"]
    return said["id"].format(what=what["id"]), said["en"].format(what=what["en"])


class TicketService:
    def __init__(self, *, config: Config, clock: Clock, db: Database, visits: VisitRepository,
                 guests: GuestRepository, passes: PassService, photos: PhotoFiles,
                 printers: list[Any] | None = None) -> None:
        self.config, self.clock, self.db, self.visits, self.guests = config, clock, db, visits, guests
        self.photos = photos
        self.passes = passes
        self._printers = printers
        self._lock = threading.Lock()  # one print at a time: two taps never print two passes

    @cached_property
    def printers(self) -> list[Any]:
        """The printer services to try in order (main, then backup); each confirms its own jobs."""
        if self._printers is not None:
            return self._printers
        devices = self.config.devices
        found = [printer_service(devices.printer, "printer"), printer_service(devices.backup_printer, "backup")]
        return [p for p in found if hasattr(p, "printer")]

    def pass_document(self, data: TicketData, printer_name: str, width_dots: int) -> TicketDocument:
        """The pass in the layout of that printer's config section (`pass_layout`, main or backup): a badge
        always shows the photo, a receipt only with `print_photo`."""
        devices = self.config.devices
        pcfg = devices.backup_printer if printer_name == "backup" else devices.printer
        if pcfg.pass_layout == "receipt" and not pcfg.print_photo:
            data = replace(data, photo=None)
        return gate_pass_ticket(data, width_dots=width_dots, layout=pcfg.pass_layout)

    @cached_property
    def repo(self):
        return self.passes.repo

    # --- building the pass ---

    def _gate_pass(self, visit: Visit) -> tuple[GatePass, str, str]:
        """(pass, token, key id): the stored pass when the visit has one, else a newly signed one."""
        record = self.repo.for_visit(visit.id)
        if record is not None:  # our own store wrote it: read, no need to verify
            return GatePass.from_payload(read_unverified(record.token).payload), record.token, record.key_id
        signer = self.passes.signer
        minutes = self.config.kiosk.pass_validity_minutes
        expires = visit.expires_at or visit.created_at + timedelta(minutes=minutes)
        while True:
            gp, token = issue(
                signer,
                office_code=visit.office_code,
                issued_at=visit.created_at,
                expires_at=expires,
                locker_door=visit.locker_door,
            )
            if self.repo.get(gp.pass_id) is None:  # 48 random bits; a repeat is astronomically rare
                return gp, token, signer.key_id

    def ticket_data(self, visit: Visit, gp: GatePass, token: str, *, reprint: bool) -> TicketData:
        cfg = self.config
        tz = ZoneInfo(cfg.office.timezone)
        guest = self.guests.get(visit.guest_id) if visit.guest_id else None
        purposes = {p.id: p.label_id for p in cfg.purposes}
        photo = None
        printer = cfg.devices.printer
        wanted = any(p.pass_layout == "badge" or p.print_photo for p in (printer, cfg.devices.backup_printer))
        if wanted and visit.photo_path:
            photo = _load_photo(self.photos.read(visit.photo_path), visit.id)
        return TicketData(
            office_name=cfg.office.name,
            office_address=cfg.office.address,
            office_phone=cfg.office.phone,
            guest_name=guest.name if guest else "-",
            nik=guest.nik if guest else "",
            host_name=visit.host_name,
            purpose=purposes.get(visit.purpose, visit.purpose),
            issued_at=gp.issued_at.astimezone(tz),
            expires_at=gp.expires_at.astimezone(tz),
            token=token,
            pass_id=gp.pass_id,
            locker_door=gp.locker_door,
            photo=photo,
            reprint=reprint,
        )

    # --- printing ---

    def _try_printers(self, make_doc) -> tuple[str | None, str, tuple[str, ...]]:
        """(printer name or None, reason, warnings): the main printer, then the backup."""
        if not self.printers:
            return None, "no_printer", ()
        first_reason = ""
        for printer in self.printers:
            doc: TicketDocument = make_doc(printer.name, printer.width_dots)
            try:
                warnings = printer.print_document(doc)
            except PrinterError as exc:
                log.warning("printer failed", extra={"printer": printer.name, "reason": exc.reason, "error": exc.text_en})
                first_reason = first_reason or exc.reason
                continue
            if printer.state == "degraded":  # the last check saw the paper near its end
                warnings = (*warnings, "paper_near_end")
                log.warning("printer paper near end", extra={"printer": printer.name, "staff_alert": True})
            if "status_unknown" in warnings:
                log.warning("pass confirmed by drained bytes only", extra={"printer": printer.name})
            return printer.name, "ok", tuple(warnings)
        return None, first_reason, ()

    def _print(self, visit_id: str, *, explicit_reprint: bool) -> PrintOutcome:
        with self._lock:
            visit = self.visits.get(visit_id)
            if visit.state not in OPEN_STATES:
                raise VisitNotPrintable(visit.id, visit.state.value)
            record = self.repo.for_visit(visit.id)
            copies = record.prints if record else 0
            if copies and not explicit_reprint:
                raise AlreadyPrinted(visit.id, record.pass_id)
            gp, token, key_id = self._gate_pass(visit)
            reprint = copies > 0
            data = self.ticket_data(visit, gp, token, reprint=reprint)
            printer, reason, warnings = self._try_printers(
                lambda name, width: self.pass_document(data, name, width)
            )
            self._record(visit, gp, token, key_id, printer=printer, reason=reason, reprint=reprint)
        if printer:
            log.info("pass printed", extra={"visit_id": visit.id, "pass_id": gp.pass_id, "printer": printer})
            return PrintOutcome(visit.id, gp.pass_id, token, True, "ok", printer, reprint, warnings)
        message_id, message_en = guest_message(reason)
        log.warning(
            "pass not printed: guest sent to PTSP",
            extra={"visit_id": visit.id, "pass_id": gp.pass_id, "reason": reason, "staff_alert": True},
        )
        return PrintOutcome(visit.id, gp.pass_id, token, False, reason, None, reprint, (), message_id, message_en)

    def _record(self, visit: Visit, gp: GatePass, token: str, key_id: str, *, printer, reason, reprint) -> None:
        now = self.clock.now()
        flags = [f for f in visit.flags if f != FLAG_PRINT_FAILED]
        if not printer:
            flags.append(FLAG_PRINT_FAILED)
        data = {"pass_id": gp.pass_id, "key_id": key_id, "reprint": reprint}
        data.update({"printer": printer} if printer else {"reason": reason, "printers": [p.name for p in self.printers]})
        event = VisitEvent(
            visit_id=visit.id,
            kind="pass_printed" if printer else "print_failed",
            at=now,
            actor="kiosk",
            device_id=self.config.kiosk.device_id,
            data=data,
        )
        with self.db.transaction() as conn:
            self.repo.assign(
                conn,
                visit_id=visit.id,
                pass_id=gp.pass_id,
                token=token,
                key_id=key_id,
                issued_at=gp.issued_at,
                expires_at=gp.expires_at,
            )
            if printer:
                self.repo.count_print(conn, gp.pass_id, now)
            current = self.visits.get(visit.id)  # keep whatever changed meanwhile; touch only pass and flag
            self.visits.update(conn, replace(current, pass_id=gp.pass_id, flags=tuple(flags), updated_at=now))
            self.visits.append_event(conn, event)

    def issue_and_print(self, visit_id: str) -> PrintOutcome:
        """Sign and print the pass of a committed visit (refused if it already printed: see `reprint`)."""
        return self._print(visit_id, explicit_reprint=False)

    def reprint(self, visit_id: str) -> PrintOutcome:
        """Print the visit's pass again: same pass id and token; "CETAK ULANG / REPRINT" if a copy exists."""
        return self._print(visit_id, explicit_reprint=True)

    def close(self) -> None:
        if self._printers is None:  # printers it built itself (no composition root); else the root stops them
            for printer in self.__dict__.get("printers", []):
                printer.stop()


def _load_photo(jpeg: bytes | None, visit_id: str):
    if jpeg is None:
        log.warning("photo not printable", extra={"visit_id": visit_id, "reason": "missing"})
        return None
    try:
        from PIL import Image  # Pillow: only a pass with a photo needs it

        with Image.open(io.BytesIO(jpeg)) as img:
            return img.copy()
    except OSError:
        log.warning("photo not printable", extra={"visit_id": visit_id, "reason": "not an image"})
        return None
