"""Builds the application from the config: database, repositories, clock, and the services screens call."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property

from kiosk.config import Config
from kiosk.domain.clock import Clock, SystemClock
from kiosk.store.crypto import FieldCipher
from kiosk.store.db import Database
from kiosk.store.guests import GuestRepository
from kiosk.store.hosts import Host, HostRepository
from kiosk.store.visits import VisitRepository

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    """Everything one running kiosk shares. Services are created lazily and only once."""

    config: Config
    clock: Clock = field(default_factory=SystemClock)
    simulate: bool = False

    @cached_property
    def db(self) -> Database:
        return Database(self.config.database_path)

    @cached_property
    def cipher(self) -> FieldCipher:
        return FieldCipher.from_key_file(self.config.path(self.config.privacy.key_file))

    @cached_property
    def visits(self) -> VisitRepository:
        return VisitRepository(self.db)

    @cached_property
    def guests(self) -> GuestRepository:
        return GuestRepository(self.db, self.cipher)

    @cached_property
    def hosts(self) -> HostRepository:
        repo = HostRepository(self.db)
        if self.config.hosts:
            repo.replace_all(
                [Host(h.id, h.name, h.section, h.position, h.phone) for h in self.config.hosts], self.clock.now()
            )
        return repo

    @cached_property
    def registration(self):
        from kiosk.app.registration import RegistrationService

        return RegistrationService(self)

    @cached_property
    def flow(self):
        from kiosk.app.flow import RegistrationFlow

        return RegistrationFlow(self)

    @cached_property
    def identity(self):
        from kiosk.app.identity import IdentityService

        return IdentityService(clock=self.clock, timezone=self.config.office.timezone,
                               office_code=self.config.office.code, guests=self.guests, visits=self.visits,
                               public_keys=lambda key_id: self.passes.public_keys.get(key_id))

    @cached_property
    def invitations(self):
        from kiosk.app.invitations import InvitationService
        from kiosk.store.invitations import InvitationRepository

        return InvitationService(
            clock=self.clock, office_code=self.config.office.code, repo=InvitationRepository(self.db, self.cipher),
            hosts=self.hosts, purposes=lambda: [p.id for p in self.config.purposes],
            signer=lambda: self.passes.signer, public_keys=lambda key_id: self.passes.public_keys.get(key_id),
        )

    @cached_property
    def surveys(self):
        from kiosk.app.survey import SurveyService

        return SurveyService(self)

    @cached_property
    def service_report(self):
        from kiosk.app.service_report import ServiceReportService

        return ServiceReportService(self)

    @cached_property
    def gate(self):
        from kiosk.app.gate import GateService

        return GateService(self)

    @cached_property
    def devices(self):
        """Every peripheral's long-lived service (printers, scanner, camera, locker bus); see kiosk.app.devices."""
        from kiosk.app.devices import StaffAlerts, build_device_services

        alerts = StaffAlerts(self.db, self.visits.outbox, self.clock, self.config.kiosk.device_id)
        return build_device_services(self.config, alert=alerts)

    @cached_property
    def lockers(self):
        from kiosk.app.lockers import LockerService

        bus = self.devices.lockers if self.config.devices.lockers.kind != "none" else None
        return LockerService(self, bus=bus)

    @cached_property
    def privacy(self):
        from kiosk.app.privacy import PrivacyService

        return PrivacyService(self)

    @cached_property
    def staff(self):
        from kiosk.app.staff import StaffService

        return StaffService(self)

    @cached_property
    def sync(self):
        from kiosk.sync.service import SyncService

        return SyncService(self)

    @cached_property
    def notifications(self):
        from kiosk.app.notifications import NotificationService

        return NotificationService(self)

    @cached_property
    def passes(self):
        from kiosk.app.passes import PassService

        return PassService(self)

    @cached_property
    def tickets(self):
        from kiosk.app.printing import TicketService

        return TicketService(self, printers=self.devices.printers())

    @cached_property
    def ktp_reader(self):
        from kiosk.app.ktp import KtpReaderService

        return KtpReaderService(self)

    def close(self) -> None:
        if "tickets" in self.__dict__:
            self.tickets.close()
        if "sync" in self.__dict__:
            self.sync.close()
        if "lockers" in self.__dict__:
            self.lockers.close()
        if "devices" in self.__dict__:
            self.devices.stop()
        if "db" in self.__dict__:
            self.db.close()
