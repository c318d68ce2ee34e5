"""NIK (Nomor Induk Kependudukan, the 16-digit national identity number): parse, validate, and find in text.

Layout `PP RR DD ddmmyy SSSS`: province, regency/city, district (kecamatan) from the Kemendagri code
list (kiosk.domain.regions), birth date with 40 added to the day for women, serial from 0001. The
region is where the NIK was first issued and never changes, so retired codes stay valid and a district
missing from the list is a warning (`unknown_district`), not a rejection.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Literal

from kiosk.domain import regions
from kiosk.domain.clock import SystemClock
from kiosk.domain.errors import KioskError

Part = Literal["format", "length", "province", "regency", "district", "birth_date", "serial"]
WARNING_UNKNOWN_DISTRICT = "unknown_district"

# Separators people type or cards print between digit groups ("3201 0112 3456 0001", "32.01.01...").
_SEPARATORS = re.compile(r"[\s.\-]+")
# A 16-digit candidate, digits optionally split by one separator, not glued to more digits.
# The lookahead makes matches overlap, so a number next to another number is still tried.
_CANDIDATE = re.compile(r"(?=(?<!\d)(\d(?:[ .\-]?\d){15})(?!\d))")


@dataclass(frozen=True)
class NikInfo:
    nik: str
    province_code: str
    province: str
    regency_code: str
    regency: str
    district_code: str
    district: str  # "" when the district is unknown (that is a warning)
    birth_date: datetime.date
    sex: Literal["male", "female"]
    serial: str
    warnings: tuple[str, ...] = ()  # stable warning codes, e.g. "unknown_district"


class InvalidNIK(KioskError):
    code = "invalid_nik"

    private = ("value",)  # a birth date or region code read from someone's NIK stays out of the logs

    def __init__(self, part: Part, reason: str, value: str = "") -> None:
        digits = DIGITS.get(part)
        # Where to look on the card: ", digit 7-12 (tanggal lahir)" when the part has its own digits, else " (format)".
        where_id = f", digit {digits[0]}-{digits[1]} ({_PART_ID[part]})" if digits else f" ({_PART_ID[part]})"
        en = part.replace("_", " ")
        where_en = f", digits {digits[0]}-{digits[1]} ({en})" if digits else f" ({en})"
        super().__init__(part=part, reason=reason, value=value, where_id=where_id, where_en=where_en)
        self.part = part
        self.reason = reason
        self.digits = digits

    @property
    def text_key(self) -> str:
        return f"{self.code}.{self.reason}"


# Which digits of the 16 each part is (1-based, inclusive).
DIGITS: dict[str, tuple[int, int]] = {
    "province": (1, 2), "regency": (3, 4), "district": (5, 6), "birth_date": (7, 12), "serial": (13, 16),
}


_PART_ID = {
    "format": "format",
    "length": "panjang",
    "province": "provinsi",
    "regency": "kabupaten/kota",
    "district": "kecamatan",
    "birth_date": "tanggal lahir",
    "serial": "nomor urut",
}


def _today() -> datetime.date:
    return SystemClock().now().date()


def normalize(text: str) -> str:
    """The digits of a typed or printed NIK, separators removed; raises InvalidNIK on anything else."""
    digits = _SEPARATORS.sub("", text)
    if not digits:
        raise InvalidNIK("length", "empty")
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidNIK("format", "not_digits")
    if len(digits) != 16:
        raise InvalidNIK("length", "too_short" if len(digits) < 16 else "too_long", str(len(digits)))
    return digits


def birth_date_of(ddmmyy: str, today: datetime.date) -> tuple[datetime.date, Literal["male", "female"]]:
    """Decode the six date digits: women have 40 added to the day; the century keeps the date out of the future."""
    day, month, yy = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    sex: Literal["male", "female"] = "male"
    if 41 <= day <= 71:
        day -= 40
        sex = "female"
    elif not 1 <= day <= 31:
        raise InvalidNIK("birth_date", "invalid_day", ddmmyy[:2])
    if not 1 <= month <= 12:
        raise InvalidNIK("birth_date", "invalid_month", ddmmyy[2:4])
    year = 2000 + yy
    # Compare as tuples: the date may not exist yet (29 February) but its place in time is still clear.
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    try:
        return datetime.date(year, month, day), sex
    except ValueError:
        raise InvalidNIK("birth_date", "impossible_date", f"{day:02d}-{month:02d}-{year}") from None


def parse_nik(text: str, *, today: datetime.date | None = None) -> NikInfo:
    """Validate a NIK and say what it encodes. Raises InvalidNIK naming the wrong part and why."""
    nik = normalize(text)
    pp, rr, dd = nik[:2], nik[2:4], nik[4:6]
    province = regions.lookup(pp)
    if province is None:
        raise InvalidNIK("province", "unknown_province", pp)
    regency_code = f"{pp}.{rr}"
    regency = regions.lookup(regency_code)
    if regency is None:
        raise InvalidNIK("regency", "unknown_regency", regency_code)
    if dd == "00":
        raise InvalidNIK("district", "zero_district")
    district_code = f"{regency_code}.{dd}"
    district = regions.lookup(district_code)
    birth_date, sex = birth_date_of(nik[6:12], today or _today())
    serial = nik[12:]
    if serial == "0000":
        raise InvalidNIK("serial", "zero_serial")
    return NikInfo(
        nik=nik,
        province_code=pp,
        province=province.name,
        regency_code=regency_code,
        regency=regency.name,
        district_code=district_code,
        district=district.name if district else "",
        birth_date=birth_date,
        sex=sex,
        serial=serial,
        warnings=() if district else (WARNING_UNKNOWN_DISTRICT,),
    )


def check_prefix(digits: str, *, today: datetime.date | None = None) -> InvalidNIK | None:
    """While a NIK is being typed: the error in the parts typed so far, or None (for validation as you type).

    Each part is judged as soon as it is complete: province at 2 digits, regency at 4, district at 6
    (00 only: an unknown district is a warning), day at 8, month at 10, the whole date at 12, serial at 16.
    """
    if digits and not (digits.isascii() and digits.isdigit()):
        return InvalidNIK("format", "not_digits")
    if len(digits) > 16:
        return InvalidNIK("length", "too_long", str(len(digits)))
    if len(digits) >= 2 and regions.lookup(digits[:2]) is None:
        return InvalidNIK("province", "unknown_province", digits[:2])
    if len(digits) >= 4 and regions.lookup(f"{digits[:2]}.{digits[2:4]}") is None:
        return InvalidNIK("regency", "unknown_regency", f"{digits[:2]}.{digits[2:4]}")
    if len(digits) >= 6 and digits[4:6] == "00":
        return InvalidNIK("district", "zero_district")
    if len(digits) >= 8 and not (1 <= int(digits[6:8]) <= 31 or 41 <= int(digits[6:8]) <= 71):
        return InvalidNIK("birth_date", "invalid_day", digits[6:8])
    if len(digits) >= 10 and not 1 <= int(digits[8:10]) <= 12:
        return InvalidNIK("birth_date", "invalid_month", digits[8:10])
    if len(digits) >= 12:
        try:
            birth_date_of(digits[6:12], today or _today())
        except InvalidNIK as exc:
            return exc
    if len(digits) == 16 and digits[12:] == "0000":
        return InvalidNIK("serial", "zero_serial")
    return None


def is_valid_nik(text: str, *, today: datetime.date | None = None) -> bool:
    try:
        parse_nik(text, today=today)
    except InvalidNIK:
        return False
    return True


def find_niks(text: str, *, today: datetime.date | None = None) -> list[str]:
    """Valid NIKs inside arbitrary text (a scanned payload, OCR output), normalised, in order, no repeats.

    Digits may be split by single spaces, dots or hyphens, as printed or typed; no character is ever
    guessed (an OCR `O` stays a letter), so a misread NIK is simply not found.
    """
    found: list[str] = []
    day = today or _today()
    for m in _CANDIDATE.finditer(text):
        digits = _SEPARATORS.sub("", m.group(1))
        if digits not in found and is_valid_nik(digits, today=day):
            found.append(digits)
    return found
