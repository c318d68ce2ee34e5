"""UU PDP duties: the retention purge, a data subject's export, and forgetting a data subject.

Each run leaves one line in the processing log (action, time, counts, a request id): never the NIK, a
name or an address. A forget also queues a `privacy.forget` message so the central server deletes its copy;
that message names visit ids and the keyed NIK hash (kiosk.domain.subject) by which central finds the
person's visits from other devices; never the NIK.
"""
from __future__ import annotations

import base64
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.domain.clock import to_iso
from kiosk.domain.errors import KioskError
from kiosk.domain.masking import mask_nik
from kiosk.store.operations import OperationsRepository
from kiosk.store.photos import PHOTO_DIR
from kiosk.store.privacy import PrivacyRepository, VisitRef

if TYPE_CHECKING:
    from kiosk.config import Config
    from kiosk.domain.clock import Clock
    from kiosk.store.db import Database
    from kiosk.store.guests import GuestRepository
    from kiosk.store.photos import PhotoFiles
    from kiosk.store.visits import VisitRepository
    from kiosk.sync.service import SyncService

log = logging.getLogger(__name__)

FORGET_TOPIC = "privacy.forget"


class DataSubjectNotFound(KioskError):
    code = "data_subject_not_found"

    def __init__(self, nik: str) -> None:
        masked = mask_nik(nik)
        super().__init__(nik=masked)


class InvalidNikInput(KioskError):
    code = "invalid_nik_input"

    def __init__(self) -> None:
        super().__init__()


def _check_nik(nik: str) -> str:
    nik = nik.strip()
    if len(nik) != 16 or not nik.isdigit():
        raise InvalidNikInput()
    return nik


@dataclass(frozen=True)
class PurgeResult:
    request_id: str
    cutoff: datetime
    visits: int
    events: int
    outbox: int
    other_rows: int
    guests: int
    photos: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "cutoff": to_iso(self.cutoff),
            "visits": self.visits,
            "events": self.events,
            "outbox": self.outbox,
            "other_rows": self.other_rows,
            "guests": self.guests,
            "photos": self.photos,
        }


@dataclass(frozen=True)
class ForgetResult:
    request_id: str
    visits: int
    events: int
    photos: int
    visit_ids: list[str] = field(default_factory=list)


class PrivacyService:
    def __init__(self, *, config: Config, clock: Clock, db: Database, visits: VisitRepository,
                 guests: GuestRepository, sync: SyncService, photos: PhotoFiles) -> None:
        self.config, self.clock, self.db, self.visits, self.guests = config, clock, db, visits, guests
        self.photos = photos
        self.sync = sync  # the keyed hash by which central knows a person, for an erasure request
        self.repo = PrivacyRepository(db)
        self.ops = OperationsRepository(db)

    # --- photos ---

    def _photo_index(self) -> dict[str, list[Path]]:
        """Files in photos/ by visit id (their stem), listed once: globbing per visit is quadratic."""
        index: dict[str, list[Path]] = {}
        photo_dir = self.config.data_dir / PHOTO_DIR
        if photo_dir.is_dir():
            for p in photo_dir.iterdir():
                index.setdefault(p.name.split(".", 1)[0], []).append(p)
        return index

    def _photo_files(self, visit: VisitRef, index: dict[str, list[Path]] | None = None) -> list[Path]:
        data_dir = self.config.data_dir.resolve()
        found: list[Path] = []
        if visit.photo_path:
            found.append(data_dir / visit.photo_path)
        found.extend((index if index is not None else self._photo_index()).get(visit.id, []))
        out = []
        for p in found:
            p = p.resolve()
            # Only files inside the data directory: a forged photo_path must never delete anything else.
            if p.is_relative_to(data_dir) and p.is_file() and p not in out:
                out.append(p)
        return out

    @staticmethod
    def _unlink(paths: list[Path]) -> int:
        n = 0
        for p in paths:
            try:
                p.unlink()
                n += 1
            except FileNotFoundError:
                pass
        return n

    def _wipe_wal(self) -> None:
        """secure_delete zeroed the deleted rows in the pages; the WAL still holds older copies of those pages
        until a checkpoint copies it back and truncates it."""
        if not self.db.checkpoint():
            log.warning("WAL checkpoint incomplete after deletion: a reader held it; the next one finishes it")

    # --- retention ---

    def retention_cutoff(self, now: datetime | None = None) -> datetime:
        now = now or self.clock.now()
        return now - timedelta(days=self.config.privacy.retention_days)

    def purge(self, *, actor: str = "system", dry_run: bool = False) -> PurgeResult:
        """Delete every visit registered more than `privacy.retention_days` ago, with its events, outbox
        messages and photos, and the guests left with no visit. Nothing newer is touched."""
        now = self.clock.now()
        cutoff = self.retention_cutoff(now)
        request_id = str(uuid.uuid4())
        visits = self.repo.visits_created_before(cutoff)
        index = self._photo_index()
        photos = [p for v in visits for p in self._photo_files(v, index)]
        if dry_run:
            return PurgeResult(request_id, cutoff, len(visits), 0, 0, 0, 0, len(photos))
        with self.db.transaction() as conn:
            counts = self.repo.delete_visits(conn, [v.id for v in visits])
            guests = self.repo.delete_guests_without_visits(conn, [v.guest_id for v in visits if v.guest_id])
            # Invitations over before the cutoff (they may name a NIK): counted with the other rows.
            invitations = self.repo.delete_invitations_ended_before(conn, cutoff)
            result = PurgeResult(request_id, cutoff, counts["visits"], counts["events"], counts["outbox"],
                                 counts["other_rows"] + invitations, guests, len(photos))
            self.ops.log_processing(conn, at=now, action="purge", request_id=request_id, actor=actor,
                                    device_id=self.config.kiosk.device_id, details=result.as_dict())
        # Files after the commit: if the commit fails, nothing is lost. A crash between the two leaves photo
        # files without a visit; `kiosk purge` reports none of them and an operator can remove photos/ leftovers.
        removed = self._unlink(photos)
        self._wipe_wal()
        log.info("retention purge", extra={**result.as_dict(), "photos": removed})
        return PurgeResult(**{**result.__dict__, "photos": removed})

    # --- data-subject requests ---

    def export(self, nik: str, *, actor: str = "staff") -> dict[str, Any]:
        """Everything this kiosk holds about the person with this NIK, decrypted (UU PDP right of access)."""
        guest = self.guests.find_by_nik(_check_nik(nik))
        if guest is None:
            raise DataSubjectNotFound(nik)
        now = self.clock.now()
        request_id = str(uuid.uuid4())
        visits = []
        photos = []
        index = self._photo_index()
        for ref in self.repo.visits_of_guest(guest.id):
            v = self.visits.get(ref.id)
            files = [str(p) for p in self._photo_files(ref, index)]
            for p in files:  # the person gets their photo itself, not the kiosk's encrypted file
                jpeg = self.photos.read(p)
                photos.append({"visit_id": v.id, "file": p,
                               "jpeg_base64": base64.b64encode(jpeg).decode() if jpeg else None})
            visits.append({
                "id": v.id,
                "office_code": v.office_code,
                "state": v.state.value,
                "purpose": v.purpose,
                "host_name": v.host_name,
                "created_at": to_iso(v.created_at),
                "updated_at": to_iso(v.updated_at),
                "expires_at": to_iso(v.expires_at) if v.expires_at else None,
                "device_id": v.device_id,
                "locker_door": v.locker_door,
                "pass_id": v.pass_id,
                "photos": files,
                "events": [
                    {"kind": e.kind, "at": to_iso(e.at), "actor": e.actor, "device_id": e.device_id,
                     "from_state": e.from_state.value if e.from_state else None,
                     "to_state": e.to_state.value if e.to_state else None, "data": e.data}
                    for e in self.visits.events(v.id)
                ],
            })
        record = {
            "request_id": request_id,
            "exported_at": to_iso(now),
            "controller": {"office": self.config.office.name, "office_code": self.config.office.code},
            "retention_days": self.config.privacy.retention_days,
            "guest": {
                "nik": guest.nik,
                "name": guest.name,
                "phone": guest.phone,
                "institution": guest.institution,
                "address": guest.address,
                "consent_at": to_iso(guest.consent_at) if guest.consent_at else None,
            },
            "visits": visits,
            "photos": photos,
        }
        with self.db.transaction() as conn:
            self.ops.log_processing(conn, at=now, action="export", request_id=request_id, actor=actor,
                                    device_id=self.config.kiosk.device_id,
                                    details={"visits": len(visits), "photos": len(photos)})
        log.info("data subject export", extra={"request_id": request_id, "visits": len(visits)})
        return record

    def forget(self, nik: str, *, actor: str = "staff") -> ForgetResult:
        """Delete the person, their visits, events and photos here, and queue the deletion to the central server."""
        guest = self.guests.find_by_nik(_check_nik(nik))
        if guest is None:
            raise DataSubjectNotFound(nik)
        now = self.clock.now()
        request_id = str(uuid.uuid4())
        refs = self.repo.visits_of_guest(guest.id)
        index = self._photo_index()
        photos = [p for v in refs for p in self._photo_files(v, index)]
        ids = [v.id for v in refs]
        subject = self.sync.subject_hash(nik)
        with self.db.transaction() as conn:
            counts = self.repo.delete_visits(conn, ids)
            self.repo.delete_guest(conn, guest.id)
            # After delete_visits: the message is about the visits, but must not be dropped with them.
            self.visits.outbox.enqueue(
                conn,
                key=f"forget:{request_id}",
                topic=FORGET_TOPIC,
                aggregate_id=f"privacy:{request_id}",
                payload={
                    "request_id": request_id,
                    "office_code": self.config.office.code,
                    "device_id": self.config.kiosk.device_id,
                    "requested_at": to_iso(now),
                    "visit_ids": ids,
                    **({"subject_hash": subject} if subject else {}),
                },
                at=now,
            )
            self.ops.log_processing(conn, at=now, action="forget", request_id=request_id, actor=actor,
                                    device_id=self.config.kiosk.device_id,
                                    details={"visits": counts["visits"], "events": counts["events"],
                                             "photos": len(photos), "outbox_dropped": counts["outbox"]})
        removed = self._unlink(photos)
        self._wipe_wal()
        log.info("data subject forgotten", extra={"request_id": request_id, "visits": counts["visits"]})
        return ForgetResult(request_id, counts["visits"], counts["events"], removed, ids)

    def processing_log(self, limit: int = 1000):
        return self.ops.processing_log(limit)
