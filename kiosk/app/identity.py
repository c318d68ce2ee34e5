"""Who the guest is: a NIK typed on the keypad or a code from a scanner, checked against today's date."""
from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kiosk.app.registration import GuestIdentity
from kiosk.domain.errors import KioskError
from kiosk.domain.identity import ScannedIdentity, parse_identity_payload
from kiosk.domain.invitation import InvitationVerdict, verify_invitation
from kiosk.domain.nik import InvalidNIK, NikInfo, check_prefix, parse_nik

if TYPE_CHECKING:
    from kiosk.app.passes import PassService
    from kiosk.config import Config
    from kiosk.domain.clock import Clock

NAME_MAX = 80
# Letters of any script, spaces and the marks names carry (Ni Luh Putu, A.A. Gde, Ma'ruf, Siti-Nur).
_NAME = re.compile(r"[^\W\d_](?:[^\W\d_]|[ .'\-,])*")


class InvalidName(KioskError):
    code = "invalid_name"

    def __init__(self, reason: str) -> None:  # empty | too_long | characters
        super().__init__(reason=reason, max_length=NAME_MAX)
        self.reason = reason

    @property
    def text_key(self) -> str:
        return f"{self.code}.{self.reason}"


def normalize_name(text: str) -> str:
    """The name as stored: single spaces, no leading/trailing space; raises InvalidName."""
    name = " ".join(text.split())
    if not name:
        raise InvalidName("empty")
    if len(name) > NAME_MAX:
        raise InvalidName("too_long")
    if not _NAME.fullmatch(name):
        raise InvalidName("characters")
    return name


class IdentityService:
    def __init__(self, *, config: Config, clock: Clock, passes: PassService) -> None:
        self.config, self.clock, self.passes = config, clock, passes

    def today(self) -> datetime.date:
        """The office's calendar date: the NIK century rule counts from it."""
        return self.clock.now().astimezone(ZoneInfo(self.config.office.timezone)).date()

    def check_typing(self, digits: str) -> InvalidNIK | None:
        return check_prefix(digits, today=self.today())

    def parse_nik(self, text: str) -> NikInfo:
        return parse_nik(text, today=self.today())

    def from_code(self, data: bytes | str) -> ScannedIdentity:
        """A scanned code as identity fields; raises InvalidPayload."""
        return parse_identity_payload(data, today=self.today())

    def invitation(self, token: str, *, at: datetime.datetime | None = None) -> InvitationVerdict:
        """Offline verdict on a pre-registration invitation QR, with the gate passes' public keys.

        The invitation names a pre-registration; the guest's identity comes from that record, not the QR.
        """
        return verify_invitation(token, at=at or self.clock.now(), office_code=self.config.office.code,
                                 public_keys=self.passes.public_keys)

    def manual(self, nik_text: str, name: str) -> tuple[GuestIdentity, NikInfo]:
        """A typed NIK and name, validated; raises InvalidNIK or InvalidName."""
        info = self.parse_nik(nik_text)
        return GuestIdentity(nik=info.nik, name=normalize_name(name)), info
