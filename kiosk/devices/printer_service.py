"""A thermal printer as a long-lived device service: its status polled for everyone, its jobs confirmed.

`ok`: the printer answers status and can print; `degraded`: it prints but the paper is near its end;
`offline`: unplugged, not reading, paper out or cover open (the detail says which); `unknown`: it
prints but answers no status query (a printer without DLE EOT), so only a job can tell.
"""
from __future__ import annotations

from typing import Any

from kiosk.devices.printer import EscposPrinter, PrinterError, PrinterStatus
from kiosk.devices.service import DEGRADED, OFFLINE, OK, UNKNOWN, DeviceService
from kiosk.domain.ticket import TicketDocument

# Shown to staff beside the state, Indonesian first.
_PROBLEM_WORDS = {
    "paper_out": "kertas habis / paper out",
    "cover_open": "tutup terbuka / cover open",
    "offline": "tidak terhubung / not connected",
}
NEAR_END = "kertas hampir habis / paper near end"


class PrinterService(DeviceService):
    kind = "printer"

    def __init__(self, printer: EscposPrinter, **kwargs: Any) -> None:
        super().__init__(printer.name, **kwargs)
        self.printer = printer
        self.last_status: PrinterStatus | None = None
        self._failed_job = ""  # why the last pass did not print; kept until a pass prints or the printer answers

    # what TicketService and tests read through the service
    @property
    def transport(self) -> Any:
        return self.printer.transport

    @property
    def width_dots(self) -> int:
        return self.printer.width_dots

    def status(self) -> PrinterStatus:
        status = self.printer.status()
        self.last_status = status
        self._publish(*self._verdict(status))
        return status

    def check(self) -> tuple[str, str]:
        status = self.printer.status()
        self.last_status = status
        state, error, detail = self._verdict(status)
        return state, error or detail

    def _verdict(self, status: PrinterStatus) -> tuple[str, str, str]:
        if status.problem:
            return OFFLINE, _PROBLEM_WORDS.get(status.problem, status.problem), ""
        if status.unknown and self._failed_job:
            # Connected but silent, and the last pass was not taken: a hung printer, not merely one without status.
            return OFFLINE, self._failed_job, ""
        if not status.unknown:
            self._failed_job = ""
        if status.unknown:
            if self.printer.status_support is False:
                return UNKNOWN, "", "answers no status query; each pass is confirmed by its bytes drained"
            return UNKNOWN, "", "no status answer"
        if status.paper_near_end:
            return DEGRADED, "", NEAR_END
        return OK, "", ""

    def print_document(self, doc: TicketDocument) -> tuple[str, ...]:
        """Print and confirm; the warnings of a printed pass. Raises PrinterError (and the state follows)."""
        try:
            self.printer.print_document(doc)
        except PrinterError as exc:
            self._failed_job = exc.text_en
            self.report(OFFLINE, exc.text_en)
            raise
        self._failed_job = ""
        warnings = self.printer.last_warnings
        if not warnings and self.state != DEGRADED:
            self.report(OK)
        elif self.state == OFFLINE:
            self.refresh()
        return warnings

    def release(self) -> None:
        self.printer.close()
