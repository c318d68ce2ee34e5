"""Identity payloads: what a scanned code says about who the guest is (bare NIK, IKD, KK, SIM, any text).

Public formats only. What is known (November 2026):
- e-KTP: no printed code at all (its chip needs a Dukcapil SAM); the NIK comes typed, from OCR, or below.
- Bare NIK: a code whose whole content is the 16 digits (our own test cards, some office cards).
- KK (Kartu Keluarga) since 2021: the QR is the electronic signature, a link to Dukcapil's verification
  page (layananonline.dukcapil.kemendagri.go.id). Other Dukcapil documents (birth certificates, ...) carry
  the same kind of link. We keep the link and read NO fields from it: what it identifies is not
  documented, and opening it needs the network and a captcha.
- IKD (Identitas Kependudukan Digital, the digital ID app) QR: payload format NOT publicly documented.
- SIM (driving licence, Polri) barcode/QR since 2022: payload format NOT publicly documented.
For the two undocumented ones we never guess fields: `parse_ikd_code` and `parse_sim_code` accept the
payload only when it holds exactly one valid NIK (the fallback), and return that NIK and nothing else.
Every parser raises only `InvalidPayload` (with the NIK's own error attached when a NIK was wrong).
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from kiosk.domain.errors import KioskError
from kiosk.domain.nik import InvalidNIK, NikInfo, find_niks, parse_nik

Kind = Literal["nik", "kk_link", "ikd", "sim", "text_nik"]
Document = Literal["", "KTP", "KK", "IKD", "SIM"]

MAX_PAYLOAD_CHARS = 8192  # a QR holds at most 7,089 digits; anything longer is not from a scanner
_DUKCAPIL_HOST = "dukcapil.kemendagri.go.id"
_BARE_NIK = re.compile(r"[0-9 .\-]{16,22}")


@dataclass(frozen=True)
class ScannedIdentity:
    kind: Kind  # how the payload was recognised
    document: Document  # the document it came from, "" when the payload does not say
    nik: NikInfo | None  # None for a KK verification link: ask the guest to type the NIK
    verify_url: str = ""  # kk_link only: Dukcapil's page that confirms the document is genuine
    warnings: tuple[str, ...] = ()  # the NIK's warnings, e.g. "unknown_district"




class InvalidPayload(KioskError):
    """A scanned code that gives no identity. `nik_error` is the InvalidNIK when a bare NIK was wrong."""

    code = "invalid_payload"

    def __init__(self, reason: str, nik_error: InvalidNIK | None = None) -> None:
        fields: dict[str, object] = {"reason": reason}
        if nik_error is not None:
            fields.update(part=nik_error.part, nik_reason=nik_error.reason)
        super().__init__(**fields)
        self.reason = reason
        self.nik_error = nik_error

    @property
    def text_key(self) -> str:
        return f"{self.code}.{self.reason}"

    def text(self, lang: str) -> str:
        said = super().text(lang)
        return f"{said}: {self.nik_error.text(lang)}" if self.nik_error is not None else said


def payload_text(payload: str | bytes) -> str:
    """Scanner bytes as text (UTF-8, else Latin-1 as zbar hands it), trimmed of the scanner's CR/LF."""
    if isinstance(payload, bytes):
        try:
            payload = payload.decode("utf-8")
        except UnicodeDecodeError:
            payload = payload.decode("latin-1")
    if not isinstance(payload, str):
        raise InvalidPayload("not_text")
    text = payload.strip().strip("\x00")
    if not text:
        raise InvalidPayload("empty")
    if len(text) > MAX_PAYLOAD_CHARS:
        raise InvalidPayload("too_long")
    return text


def parse_bare_nik(payload: str | bytes, *, today: datetime.date | None = None) -> ScannedIdentity:
    """A code that is only a NIK (digits, maybe grouped by spaces, dots or hyphens)."""
    text = payload_text(payload)
    if not _BARE_NIK.fullmatch(text):
        raise InvalidPayload("no_nik")
    try:
        info = parse_nik(text, today=today)
    except InvalidNIK as exc:
        raise InvalidPayload("invalid_nik", exc) from None
    return ScannedIdentity("nik", "", info, warnings=info.warnings)


def parse_kk_link(payload: str | bytes) -> ScannedIdentity:
    """A Dukcapil verification link (the KK's QR): kept as a link, no field read from it."""
    text = payload_text(payload)
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise InvalidPayload("no_nik") from None
    if parts.scheme not in ("http", "https") or not (host == _DUKCAPIL_HOST or host.endswith("." + _DUKCAPIL_HOST)):
        raise InvalidPayload("no_nik")
    return ScannedIdentity("kk_link", "KK", None, verify_url=text)


def parse_single_nik(payload: str | bytes, *, today: datetime.date | None = None) -> ScannedIdentity:
    """The fallback: any text holding exactly one valid NIK gives that NIK (and nothing else)."""
    text = payload_text(payload)
    niks = find_niks(text, today=today)
    if not niks:
        raise InvalidPayload("no_nik")
    if len(niks) > 1:
        # A KK printout lists the whole family: choosing one would be a guess.
        raise InvalidPayload("several_niks")
    info = parse_nik(niks[0], today=today)
    return ScannedIdentity("text_nik", "", info, warnings=info.warnings)


def parse_ikd_code(payload: str | bytes, *, today: datetime.date | None = None) -> ScannedIdentity:
    """IKD QR. Format not publicly documented: only a single valid NIK inside it is used (the fallback)."""
    found = parse_single_nik(payload, today=today)
    return ScannedIdentity("ikd", "IKD", found.nik, warnings=found.warnings)


def parse_sim_code(payload: str | bytes, *, today: datetime.date | None = None) -> ScannedIdentity:
    """SIM barcode/QR. Format not publicly documented: only a single valid NIK inside it is used (the fallback)."""
    found = parse_single_nik(payload, today=today)
    return ScannedIdentity("sim", "SIM", found.nik, warnings=found.warnings)


def parse_identity_payload(payload: str | bytes, *, today: datetime.date | None = None) -> ScannedIdentity:
    """Whatever a scanner read, when the flow does not know which document it was.

    Order: a bare NIK, a Dukcapil (KK) link, then the single-NIK fallback. Our own signed tokens (gate
    pass, pre-registration invitation: kiosk.domain.tokens.peek_kind) are routed before this by the
    caller, because verifying them needs the office's public keys (IdentityService.invitation).
    """
    text = payload_text(payload)
    if _BARE_NIK.fullmatch(text):
        return parse_bare_nik(text, today=today)
    try:
        return parse_kk_link(text)
    except InvalidPayload:
        pass
    return parse_single_nik(text, today=today)


def identity_json(found: ScannedIdentity) -> dict:
    """A ScannedIdentity as plain JSON values (for the CLI and logs of tests; holds the NIK: never log it)."""
    info = found.nik
    nik = None
    if info is not None:
        nik = {
            "nik": info.nik, "province_code": info.province_code, "province": info.province,
            "regency_code": info.regency_code, "regency": info.regency, "district_code": info.district_code,
            "district": info.district, "birth_date": info.birth_date.isoformat(), "sex": info.sex,
            "serial": info.serial,
        }
    return {"kind": found.kind, "document": found.document, "identity": nik, "verify_url": found.verify_url,
            "warnings": list(found.warnings)}
