"""The composition root: the one place that builds the database, the repositories, the device services and
the application services of one running kiosk, each with its collaborators passed in its constructor.

No service receives this object. The UI and the CLI are handed it and take the services they call from it;
tests build it from a config and a clock. Each part is built once, on first use, so that a CLI command that
needs only the NIK rules opens no database, printer or serial bus.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property

from kiosk.app.devices import DeviceServices, StaffAlerts, build_device_services
from kiosk.app.flow import RegistrationFlow
from kiosk.app.gate import GateService
from kiosk.app.identity import IdentityService
from kiosk.app.invitations import InvitationService
from kiosk.app.ktp import KtpReaderService
from kiosk.app.lockers import LockerService
from kiosk.app.notifications import NotificationService
from kiosk.app.passes import PassService
from kiosk.app.printing import TicketService
from kiosk.app.privacy import PrivacyService
from kiosk.app.registration import RegistrationService
from kiosk.app.selftest import SelfTest
from kiosk.app.service_report import ServiceReportService
from kiosk.app.staff import StaffService
from kiosk.app.survey import SurveyService
from kiosk.config import Config
from kiosk.domain.clock import Clock, SystemClock
from kiosk.store.crypto import FieldCipher, load_or_create_key
from kiosk.store.db import Database
from kiosk.store.guests import GuestRepository
from kiosk.store.hosts import Host, HostRepository
from kiosk.store.invitations import InvitationRepository
from kiosk.store.photos import PhotoFiles
from kiosk.store.proof_attempts import ProofAttemptRepository
from kiosk.store.visits import VisitRepository
from kiosk.sync.service import SyncService

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    """One running kiosk: its config, clock, store and services, each built once."""

    config: Config
    clock: Clock = field(default_factory=SystemClock)
    simulate: bool = False

    # --- the store ---

    @cached_property
    def db(self) -> Database:
        return Database(self.config.database_path)

    @cached_property
    def cipher(self) -> FieldCipher:
        return FieldCipher.from_key_file(self.config.path(self.config.privacy.key_file))

    @cached_property
    def photos(self) -> PhotoFiles:
        return PhotoFiles(self.config.data_dir, load_or_create_key(self.config.path(self.config.privacy.key_file)))

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

    def _store(self) -> dict:
        """The collaborators nearly every service takes (config, clock, database, visits)."""
        return {"config": self.config, "clock": self.clock, "db": self.db, "visits": self.visits}

    # --- device services ---

    @cached_property
    def lockers(self) -> LockerService:
        bus = self.devices.lockers if self.config.devices.lockers.kind != "none" else None
        return LockerService(**self._store(), bus=bus)

    @cached_property
    def passes(self) -> PassService:
        return PassService(**self._store())

    @cached_property
    def tickets(self) -> TicketService:
        return TicketService(**self._store(), guests=self.guests, passes=self.passes, photos=self.photos,
                             printers=self.devices.printers())

    @cached_property
    def ktp_reader(self) -> KtpReaderService:
        return KtpReaderService(settings=self.config.devices.ktp, clock=self.clock)

    @cached_property
    def sync(self) -> SyncService:
        return SyncService(**self._store(), guests=self.guests, hosts=self.hosts, photos=self.photos,
                           invitations=InvitationRepository(self.db, self.cipher))

    @cached_property
    def devices(self) -> DeviceServices:
        """Every peripheral's long-lived service (printers, scanner, camera, locker bus); see kiosk.app.devices."""
        alerts = StaffAlerts(self.db, self.visits.outbox, self.clock, self.config.kiosk.device_id)
        return build_device_services(self.config, alert=alerts)

    @cached_property
    def selftest(self) -> SelfTest:
        return SelfTest(config=self.config, lockers=self.lockers, sync=self.sync)

    # --- application services ---

    @cached_property
    def registration(self) -> RegistrationService:
        return RegistrationService(**self._store(), guests=self.guests)

    @cached_property
    def notifications(self) -> NotificationService:
        return NotificationService(**self._store(), hosts=self.hosts)

    @cached_property
    def identity(self) -> IdentityService:
        return IdentityService(clock=self.clock, timezone=self.config.office.timezone,
                               office_code=self.config.office.code, guests=self.guests, visits=self.visits,
                               public_keys=self._public_key, attempts=ProofAttemptRepository(self.db, self.cipher))

    @cached_property
    def invitations(self) -> InvitationService:
        return InvitationService(
            clock=self.clock, office_code=self.config.office.code, repo=InvitationRepository(self.db, self.cipher),
            hosts=self.hosts, purposes=lambda: [p.id for p in self.config.purposes],
            signer=lambda: self.passes.signer, public_keys=self._invitation_key,
        )

    def _invitation_key(self, key_id: str):
        """Invitations are signed by this kiosk's pass key (`kiosk invite`) or by the office's invitation key at
        central (the desk), whose public half came with the pulled invitations; the latter checks invitations only."""
        found = self._public_key(key_id)
        if found is None:
            from kiosk.domain.tokens import VerifyKey

            raw = InvitationRepository(self.db, self.cipher).key(key_id)
            found = VerifyKey(bytes.fromhex(raw)) if raw else None
        return found

    def _public_key(self, key_id: str):
        """The pass keys' verifier lookup, resolved on use (the key file is read only when a code is checked)."""
        return self.passes.public_keys.get(key_id)

    @cached_property
    def flow(self) -> RegistrationFlow:
        return RegistrationFlow(
            **self._store(), guests=self.guests, hosts=self.hosts, registration=self.registration,
            identity=self.identity, invitations=self.invitations, ktp_reader=self.ktp_reader, lockers=self.lockers, tickets=self.tickets,
            notifications=self.notifications, devices=self.devices, photos=self.photos, simulate=self.simulate,
        )

    @cached_property
    def gate(self) -> GateService:
        return GateService(**self._store(), guests=self.guests, passes=self.passes, lockers=self.lockers,
                           tickets=self.tickets, photos=self.photos)

    @cached_property
    def surveys(self) -> SurveyService:
        return SurveyService(**self._store())

    @cached_property
    def service_report(self) -> ServiceReportService:
        return ServiceReportService(config=self.config, clock=self.clock, visits=self.visits)

    @cached_property
    def privacy(self) -> PrivacyService:
        return PrivacyService(**self._store(), guests=self.guests, sync=self.sync, photos=self.photos)

    @cached_property
    def staff(self) -> StaffService:
        return StaffService(
            **self._store(), guests=self.guests, registration=self.registration, locker_service=self.lockers,
            tickets=self.tickets, notifications=self.notifications, sync=self.sync, selftest=self.selftest,
            devices=self.devices,
        )

    def close(self) -> None:
        """Stop the worker, close printers and the locker bus, stop the device services, then close the
        database (only what was built)."""
        built = self.__dict__
        for name in ("tickets", "sync", "lockers"):
            if name in built:
                built[name].close()
        if "devices" in built:
            self.devices.stop()
        if "db" in built:
            self.db.close()
