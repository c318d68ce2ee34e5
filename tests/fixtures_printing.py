"""Shared helpers for the gate-pass and printer tests: a fixed key, a sample pass, decoding a rendered ticket."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.domain.gatepass import issue
from kiosk.domain.ticket import TicketData
from kiosk.domain.tokens import SigningKey

T0 = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 WITA
OFFICE = "KEJARI-KLK"
KEY = SigningKey.from_seed(bytes(range(32)))
OTHER_KEY = SigningKey.from_seed(bytes(range(1, 33)))
PUBLIC = {KEY.key_id: KEY.public_key}
NIK = "5105014101900123"


def sample_pass(*, hours: float = 8, locker: int | None = 7, office: str = OFFICE, key: SigningKey = KEY):
    return issue(key, office_code=office, issued_at=T0, expires_at=T0 + timedelta(hours=hours), locker_door=locker)


def sample_ticket(token: str, pass_id: str, *, reprint: bool = False, photo=None) -> TicketData:
    tz = ZoneInfo("Asia/Makassar")
    return TicketData(
        office_name="Kejaksaan Negeri Klungkung",
        office_address="Jl. Gajah Mada No. 56, Semarapura, Klungkung, Bali",
        guest_name="Ni Kadek Ayu Lestari",
        nik=NIK,
        host_name="I Gede Wirawan, S.H.",
        purpose="Bertemu pegawai",
        issued_at=T0.astimezone(tz),
        expires_at=(T0 + timedelta(hours=8)).astimezone(tz),
        token=token,
        pass_id=pass_id,
        locker_door=7,
        reprint=reprint,
        photo=photo,
    )


def decode_both(image) -> tuple[list[str], list[str]]:
    """QR texts found by pyzbar and by zxing-cpp, independently."""
    import zxingcpp
    from pyzbar import pyzbar

    zbar = [s.data.decode("ascii") for s in pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])]
    zx = [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
    return zbar, zx
