"""The pass as a badge: printed through python-escpos on the simulated printer, rendered to PNG, measured and scanned.

Every figure here comes from the rendered paper: the length from the PNG (pixels / 8 dots per mm, top to
the cut), the QR from the gate's own decoder (`devices.scanner.decoder`, zxing-cpp) and from pyzbar.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image

from kiosk.app.scanning import code_decoder
from kiosk.app.ticket_demo import demo_photo
from kiosk.config import Config
from kiosk.devices.escpos_render import BORDER, MARGIN, printed_length_mm, render
from kiosk.devices.printer import EscposPrinter
from kiosk.devices.printer_simulator import SimulatedPrinterTransport
from kiosk.domain.gatepass import verify_pass
from kiosk.domain.ticket import BADGE_MAX_MM, Text, gate_pass_ticket
from tests.fixtures_printing import NIK, OFFICE, PUBLIC, T0, sample_pass, sample_ticket

PAPERS = [(384, "58mm"), (576, "80mm")]
LONG = {
    "office_name": "Kejaksaan Negeri Kabupaten Kepulauan Selayar Provinsi Sulawesi Selatan",
    "guest_name": "Dr. Anak Agung Ngurah Bagus Wiryawan Putra Mahendradatta, S.H., M.H.",
    "host_name": "Prof. Dr. I Gusti Ngurah Rai Wirawan Adikusuma Putra, S.H., M.Hum.",
    "purpose": "Konsultasi hukum perdata dan tata usaha negara (Datun) mengenai sengketa tanah adat",
    "reprint": True,
}


def _print(data, width: int, layout: str = "badge"):
    sim = SimulatedPrinterTransport()
    EscposPrinter(sim, width_dots=width).print_document(gate_pass_ticket(data, width_dots=width, layout=layout))
    return sim, render(sim.printed, width_dots=width)


def gate_reads(png) -> list[str]:
    """What the gate's camera decoder (the configured default, zxing-cpp) reads in the PNG."""
    frame = np.array(Image.open(png).convert("L"))
    return [s.data.decode("ascii") for s in code_decoder(Config()).decode(frame)]


def pyzbar_reads(png) -> list[str]:
    from pyzbar import pyzbar

    return [s.data.decode("ascii") for s in pyzbar.decode(Image.open(png), symbols=[pyzbar.ZBarSymbol.QRCODE])]


def photo_ink(png) -> float:
    """Share of dark dots left of the QR, in the QR's rows: the photo beside it (0 when there is none)."""
    import zxingcpp

    img = Image.open(png).convert("L")
    (found,) = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
    p = found.position
    left = min(p.top_left.x, p.bottom_left.x)
    top, bottom = min(p.top_left.y, p.top_right.y), max(p.bottom_left.y, p.bottom_right.y)
    box = np.array(img.crop((BORDER + MARGIN, top, left - 24, bottom)))
    return float((box < 128).mean())


@pytest.mark.parametrize(("width", "paper"), PAPERS)
def test_the_badge_is_short_shows_the_photo_and_its_qr_is_read_by_the_gate(width, paper, artifacts):
    gp, token = sample_pass()
    sim, page = _print(sample_ticket(token, gp.pass_id, photo=demo_photo()), width)
    png = artifacts / f"badge-{paper}.png"
    page.save(png)
    assert page.unknown == [] and page.cuts == 1
    assert page.raster_images == 1 and b"\x1dv0" in sim.printed  # photo and QR: ONE raster image (GS v 0)
    length = printed_length_mm(png)
    assert length <= BADGE_MAX_MM[width], f"{paper}: {length} mm"
    assert gate_reads(png) == [token] and pyzbar_reads(png) == [token]
    verdict = verify_pass(gate_reads(png)[0], at=T0, office_code=OFFICE, public_keys=PUBLIC)
    assert verdict.valid and verdict.pass_id == gp.pass_id
    assert photo_ink(png) > 0.2  # the dithered photo is there, beside the QR
    text = "\n".join(page.lines)
    for expected in (
        "TAMU / VISITOR",
        "Bertemu / Host: I Gede Wirawan, S.H.",
        "Keperluan / Purpose: Bertemu pegawai",
        "NIK: ************0123",
        "Terdaftar / Registered",
        "23 Nov 2026 09:30 WITA",
        "Berlaku s/d / Valid until",
        "23 Nov 2026 17:30 WITA",
        "Loker / Locker 7",
        f"Kode / Code {gp.pass_id[:5]}-{gp.pass_id[5:]}",
    ):
        assert expected in text, expected
    assert "Masuk" not in text and "CETAK ULANG" not in text
    assert NIK not in text and NIK.encode() not in sim.printed


@pytest.mark.parametrize(("width", "paper"), PAPERS)
def test_the_name_is_the_largest_text_on_the_badge(width, paper):
    gp, token = sample_pass()
    doc = gate_pass_ticket(sample_ticket(token, gp.pass_id), width_dots=width)
    texts = [b for b in doc.blocks if isinstance(b, Text)]
    name = [b for b in texts if b.text in ("Ni Kadek Ayu Lestari", "Ni Kadek Ayu", "Lestari")]
    assert name and all((b.width, b.height) == (2, 3) for b in name)  # 9 mm tall cells: capitals about 6 mm
    assert max(b.height for b in texts) == 3
    assert " ".join(b.text for b in name) == "Ni Kadek Ayu Lestari"


@pytest.mark.parametrize(("width", "paper"), PAPERS)
def test_a_reprinted_badge_for_long_names_stays_within_the_length_limit(width, paper, artifacts):
    gp, token = sample_pass()
    data = dataclasses.replace(sample_ticket(token, gp.pass_id, photo=demo_photo()), **LONG)
    _, page = _print(data, width)
    png = artifacts / f"badge-{paper}-long-reprint.png"
    page.save(png)
    assert printed_length_mm(png) <= BADGE_MAX_MM[width]
    assert "CETAK ULANG / REPRINT" in [line.strip() for line in page.lines]
    assert any(line.rstrip().endswith("...") for line in page.lines)  # cut, never run on
    assert gate_reads(png) == [token]


def test_a_badge_without_a_photo_centres_the_qr(artifacts):
    gp, token = sample_pass()
    _, page = _print(sample_ticket(token, gp.pass_id), 576)
    png = artifacts / "badge-80mm-no-photo.png"
    page.save(png)
    assert photo_ink(png) < 0.01
    assert gate_reads(png) == [token] and printed_length_mm(png) <= BADGE_MAX_MM[576]


def test_the_receipt_layout_is_the_long_pass_and_the_length_is_measured_from_the_png(artifacts):
    gp, token = sample_pass()
    _, page = _print(sample_ticket(token, gp.pass_id), 576, layout="receipt")
    png = artifacts / "receipt-80mm.png"
    page.save(png)
    assert "TANDA PENGENAL TAMU" in page.lines[2] or "TANDA PENGENAL TAMU" in "\n".join(page.lines)
    assert printed_length_mm(png) > 150  # what the badge replaces
    # The measure itself: rows of paper between the margins, 8 dots per mm, down to the cut line.
    assert printed_length_mm(png) == pytest.approx((page.image.height - 2 * (BORDER + MARGIN) - 14) / 8, abs=0.2)
    with pytest.raises(ValueError):
        printed_length_mm(Image.new("L", (100, 100), 255))


@pytest.fixture
def kiosk(make_config):
    from datetime import UTC, datetime

    from kiosk.app.context import AppContext
    from kiosk.app.passes import init_keys
    from kiosk.domain.clock import FixedClock

    made = []

    def make(**printer):
        ctx = AppContext(make_config({"devices": {"printer": printer}}),
                         clock=FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC)))
        init_keys(ctx.config)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


def _visit_with_photo(ctx):
    """A registered visit whose photo is stored as the flow stores it: encrypted, relative to the data folder."""
    from kiosk.app.registration import GuestIdentity

    identity = GuestIdentity(nik=NIK, name="Ni Kadek Ayu Lestari", phone="081200000000")
    visit = ctx.registration.register(identity, purpose="meet_employee", host_id="kajari", host_name="Kajari",
                                      consent=True)
    import io

    jpeg = io.BytesIO()
    demo_photo().save(jpeg, format="JPEG")
    rel = ctx.photos.save(visit.id, jpeg.getvalue())  # encrypted at rest, as the flow saves it
    assert not (ctx.config.data_dir / rel).read_bytes().startswith(b"\xff\xd8")
    with ctx.db.transaction() as conn:
        ctx.visits.update(conn, dataclasses.replace(visit, photo_path=rel))
    return visit


@pytest.mark.parametrize(
    ("printer", "layout", "rasters", "photo"),
    [
        ({}, "badge", 1, True),  # the default: a badge, whose one raster holds photo and QR
        ({"pass_layout": "receipt"}, "receipt", 1, False),  # the QR only
        ({"pass_layout": "receipt", "print_photo": True}, "receipt", 2, True),
        ({"pass_layout": "badge", "paper_width_mm": 58}, "badge", 1, True),
    ],
)
def test_the_ticket_service_prints_the_configured_layout_with_the_photo_from_the_data_folder(
    kiosk, tmp_path, monkeypatch, artifacts, printer, layout, rasters, photo
):
    ctx = kiosk(**printer)
    visit = _visit_with_photo(ctx)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # as under systemd: the working directory is not the data folder's parent
    outcome = ctx.tickets.issue_and_print(visit.id)
    assert outcome.printed
    width = ctx.tickets.printers[0].width_dots
    page = render(ctx.tickets.printers[0].transport.printed, width_dots=width)
    png = artifacts / f"service-{layout}-{width}-{'photo' if photo else 'no-photo'}.png"
    page.save(png)
    text = "\n".join(page.lines)
    assert ("TAMU / VISITOR" in text) is (layout == "badge") and ("TANDA PENGENAL TAMU" in text) is (layout == "receipt")
    assert page.raster_images == rasters
    assert gate_reads(png) == [outcome.token] and ctx.passes.verify(outcome.token).reason == "ok"
    if layout == "badge":
        assert (photo_ink(png) > 0.2) is photo
        assert printed_length_mm(png) <= BADGE_MAX_MM[width]
