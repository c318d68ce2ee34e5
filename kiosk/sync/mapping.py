"""Every field name of the central API in one place: our records <-> the national guestbook's record.

An adapter for another API (the official bukutamu.kejaksaan.go.id one, when an office gets a key)
replaces this module and central.py's paths; nothing else in the kiosk knows the remote names.
National guestbook fields: nama, detail, no_hp, email, alamat, no_identitas, tipe_tamu,
tipe_pelayanan, nama_pejabat, jabatan, satker, photo.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.domain.clock import from_iso
from kiosk.domain.visit import VisitEvent, VisitState
from kiosk.store.hosts import Host

# tipe_tamu: the guestbook distinguishes the general public from guests sent by an institution.
GUEST_TYPE_PUBLIC = "Umum"
GUEST_TYPE_INSTITUTION = "Instansi"


def visit_body(
    *,
    registered: dict[str, Any],
    guest,
    host: Host | None,
    purpose_label: str,
    satker: str,
    photo: bytes | None,
) -> dict[str, Any]:
    """The body of `pushVisit`. `registered` is the outbox payload (state as registered, not as now);
    `guest` a decrypted GuestRecord or None (purged)."""
    body: dict[str, Any] = {
        "visit_id": registered["visit_id"],
        "device_id": registered["device_id"],
        "created_at": registered["created_at"],
        "expires_at": registered.get("expires_at"),
        "state": registered["state"],
        "purpose": registered["purpose"],
        "host_id": registered.get("host_id") or "",
        "nama": guest.name if guest else "(dihapus)",
        "detail": purpose_label + (f" - {guest.institution}" if guest and guest.institution else ""),
        "no_hp": guest.phone if guest else "",
        "email": "",
        "alamat": guest.address if guest else "",
        "no_identitas": guest.nik if guest else "",
        "tipe_tamu": GUEST_TYPE_INSTITUTION if guest and guest.institution else GUEST_TYPE_PUBLIC,
        "tipe_pelayanan": purpose_label,
        "nama_pejabat": host.name if host else registered.get("host_name", ""),
        "jabatan": host.position if host else "",
        "satker": satker,
        "photo": base64.b64encode(photo).decode("ascii") if photo else None,
    }
    return body


def event_body(payload: dict[str, Any]) -> dict[str, Any]:
    """The body of `pushVisitEvent`, from the outbox payload of a visit event."""
    return {
        "event_id": payload["event_id"],
        "kind": payload["kind"],
        "from_state": payload.get("from_state"),
        "to_state": payload.get("to_state"),
        "at": payload["at"],
        "actor": payload["actor"],
        "device_id": payload["device_id"],
        "data": payload.get("data") or {},
    }


def survey_body(response) -> dict[str, Any]:
    """The body of `pushSurveyResponse`: one SKM respondent (kiosk.domain.survey.SurveyResponse), no name or NIK."""
    created = response.created_at
    return {
        "response_id": response.id,
        "device_id": response.device_id,
        "created_at": created.isoformat(timespec="milliseconds") if created else None,
        "answers": list(response.answers),
        "visit_id": response.visit_id,
        "source": response.source if response.source in ("kiosk", "paper") else "kiosk",
        "age_group": response.age_group,
        "sex": response.sex,
        "education": response.education,
        "occupation": response.occupation,
        "comment": response.comment,
    }


def host_from_central(item: dict[str, Any]) -> Host:
    return Host(item["id"], item["nama"], item.get("bidang", ""), item.get("jabatan", ""), item.get("no_hp", ""))


def host_to_central(host: Host) -> dict[str, Any]:
    return {"id": host.id, "nama": host.name, "bidang": host.section, "jabatan": host.position, "no_hp": host.phone}


@dataclass(frozen=True)
class RemoteVisit:
    """A visit as another device registered it: what a gate or survey device needs to show, nothing more."""

    visit_id: str
    office_code: str
    device_id: str
    created_at: datetime
    expires_at: datetime | None
    state: VisitState
    purpose: str
    host_id: str
    host_name: str
    guest_name: str
    nik_last4: str
    institution: str
    photo_url: str
    locker_door: int | None


def remote_visit(item: dict[str, Any], office_code: str) -> RemoteVisit:
    """A `visit.registered` item of the events feed."""
    v = item["visit"]
    return RemoteVisit(
        visit_id=item["visit_id"],
        office_code=office_code,
        device_id=v.get("device_id", ""),
        created_at=from_iso(v["created_at"]),
        expires_at=from_iso(v["expires_at"]) if v.get("expires_at") else None,
        state=VisitState(v["state"]),
        purpose=v["purpose"],
        host_id=v.get("host_id", ""),
        host_name=v.get("nama_pejabat", ""),
        guest_name=v["nama"],
        nik_last4=v.get("no_identitas_akhir", ""),
        institution=v.get("instansi", ""),
        photo_url=v.get("photo_url") or "",
        locker_door=v.get("loker"),
    )


def remote_event(item: dict[str, Any]) -> VisitEvent:
    """A `visit.event` item of the events feed."""
    e = item["event"]
    return VisitEvent(
        visit_id=item["visit_id"],
        kind=e["kind"],
        at=from_iso(e["at"]),
        actor=e["actor"],
        device_id=e["device_id"],
        from_state=VisitState(e["from_state"]) if e.get("from_state") else None,
        to_state=VisitState(e["to_state"]) if e.get("to_state") else None,
        data=e.get("data") or {},
        event_id=e["event_id"],
    )


def remote_notice_status(item: dict[str, Any]) -> tuple[str, str]:
    """A `notice.status` item: (provider message id, status)."""
    n = item["notice"]
    return n["message_id"], n["status"]
