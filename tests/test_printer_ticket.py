"""The real driver against the simulated printer: bytes rendered to PNG, QR decoded twice, faults scripted."""
from __future__ import annotations

import pytest
from PIL import Image

from kiosk.devices.escpos_render import render
from kiosk.devices.printer import CoverOpen, EscposPrinter, PaperOut, PrinterOffline
from kiosk.devices.printer_simulator import SimulatedPrinterTransport
from kiosk.domain.gatepass import verify_pass
from kiosk.domain.ticket import gate_pass_ticket, receipt
from tests.fixtures_printing import NIK, OFFICE, PUBLIC, T0, decode_both, sample_pass, sample_ticket


def _print(doc, *, native=False, profile="TM-T20II", fault=""):
    sim = SimulatedPrinterTransport(fault=fault)
    printer = EscposPrinter(sim, profile=profile, native_qr=native, width_dots=doc.width_dots)
    printer.print_document(doc)
    return sim, render(sim.printed, width_dots=doc.width_dots, profile=profile)


@pytest.mark.parametrize("width", [384, 576])
@pytest.mark.parametrize("native", [False, True])
def test_printed_pass_qr_decodes_with_two_decoders_and_verifies(width, native, artifacts):
    gp, token = sample_pass()
    sim, page = _print(gate_pass_ticket(sample_ticket(token, gp.pass_id), width_dots=width, layout="receipt"), native=native)
    page.save(artifacts / f"ticket-{width}-{'native' if native else 'image'}.png")
    assert page.unknown == [] and page.cuts == 1
    zbar, zx = decode_both(page.image)
    assert zbar == [token] and zx == [token]
    verdict = verify_pass(zx[0], at=T0, office_code=OFFICE, public_keys=PUBLIC)
    assert verdict.valid and verdict.pass_id == gp.pass_id
    assert (b"\x1d(k" in sim.printed) is native  # native QR only when asked and the profile has it
    assert page.image.width >= width


def test_the_pass_shows_the_fields_and_only_the_last_4_nik_digits():
    gp, token = sample_pass()
    sim, page = _print(gate_pass_ticket(sample_ticket(token, gp.pass_id), width_dots=576, layout="receipt"))
    text = "\n".join(page.lines)
    for expected in (
        "Kejaksaan Negeri Klungkung",
        "TANDA PENGENAL TAMU",
        "VISITOR PASS",
        "Ni Kadek Ayu Lestari",
        "************0123",
        "I Gede Wirawan, S.H.",
        "Bertemu pegawai",
        "Terdaftar / Registered",
        "23 Nov 2026 09:30 WITA",
        "23 Nov 2026 17:30 WITA",
        f"{gp.pass_id[:5]}-{gp.pass_id[5:]}",
        "Kembalikan tanda ini saat keluar.",
    ):
        assert expected in text, expected
    assert NIK not in text and NIK.encode() not in sim.printed
    assert "CETAK ULANG" not in text
    assert "Masuk" not in text  # the time printed is the registration's, not an entry through the gate


def test_a_reprint_says_so_on_the_paper():
    gp, token = sample_pass()
    _, page = _print(gate_pass_ticket(sample_ticket(token, gp.pass_id, reprint=True), width_dots=576, layout="receipt"))
    assert "CETAK ULANG / REPRINT" in "\n".join(page.lines)


def test_a_printer_without_native_qr_gets_an_image_qr_even_when_native_is_configured():
    gp, token = sample_pass()
    sim, page = _print(gate_pass_ticket(sample_ticket(token, gp.pass_id), width_dots=384, layout="receipt"), native=True, profile="POS-5890")
    assert b"\x1d(k" not in sim.printed and b"\x1dv0" in sim.printed
    assert decode_both(page.image)[1] == [token]


def test_indonesian_and_accented_text_goes_out_in_the_configured_code_page():
    doc = receipt("Daftar", ["Café Déwi — ü"], width_dots=576)
    sim, page = _print(doc)
    assert sim.printed.startswith(b"\x1b@")
    assert b"\x1bt\x13" in sim.printed  # ESC t 19 = CP858 on a TM-T20II
    assert "Café Déwi ? ü" in page.lines


def test_a_dithered_photo_prints_as_a_raster_image():
    gp, token = sample_pass()
    photo = Image.linear_gradient("L").resize((120, 160))
    _, page = _print(gate_pass_ticket(sample_ticket(token, gp.pass_id, photo=photo), width_dots=576, layout="receipt"))
    assert page.raster_images == 2  # photo + QR
    assert decode_both(page.image)[0] == [token]


def test_receipt_lays_out_pairs_and_wraps_long_lines_on_58_mm():
    lines = [("Ni Kadek Ayu Lestari", "09:30"), "x" * 40, ("A very long guest name that does not fit", "10:05")]
    doc = receipt("TAMU DI DALAM", lines, width_dots=384, subtitle="Inside now", footer=["Total: 3"])
    _, page = _print(doc)
    assert page.lines[0] == "TAMU DI DALAM"
    assert any(line.startswith("Ni Kadek Ayu Lestari") and line.endswith("09:30") for line in page.lines)
    assert max(len(line) for line in page.lines) <= 32
    assert page.cuts == 1 and page.unknown == []


@pytest.mark.parametrize(
    ("fault", "error"), [("paper_out", PaperOut), ("cover_open", CoverOpen), ("offline", PrinterOffline)]
)
def test_a_printer_that_cannot_print_says_why_and_prints_nothing(fault, error):
    gp, token = sample_pass()
    sim = SimulatedPrinterTransport(fault=fault)
    printer = EscposPrinter(sim)
    with pytest.raises(error):
        printer.print_document(gate_pass_ticket(sample_ticket(token, gp.pass_id), width_dots=576))
    assert sim.jobs == []
    assert printer.status().problem == ("offline" if fault == "offline" else fault)


def test_no_answer_to_status_is_unknown_not_ok_and_the_ticket_still_prints():
    sim = SimulatedPrinterTransport(fault="no_status")
    printer = EscposPrinter(sim)
    status = printer.status()
    assert status.unknown and status.online is None and status.paper_ok is None and status.problem is None
    gp, token = sample_pass()
    printer.print_document(gate_pass_ticket(sample_ticket(token, gp.pass_id), width_dots=576))
    assert len(sim.jobs) == 1


def test_paper_near_end_prints_and_reports_it():
    sim = SimulatedPrinterTransport(fault="paper_near_end")
    printer = EscposPrinter(sim)
    assert printer.status().paper_near_end and printer.status().paper_ok
    gp, token = sample_pass()
    printer.print_document(gate_pass_ticket(sample_ticket(token, gp.pass_id), width_dots=576))
    assert len(sim.jobs) == 1


def test_paper_running_out_during_the_ticket_is_reported_as_paper_out():
    sim = SimulatedPrinterTransport(fault="paper_out_after_job")
    gp, token = sample_pass()
    with pytest.raises(PaperOut):
        EscposPrinter(sim).print_document(gate_pass_ticket(sample_ticket(token, gp.pass_id), width_dots=576))


def test_an_unplugged_printer_recovers_when_plugged_back_in():
    sim = SimulatedPrinterTransport(fault="offline")
    printer = EscposPrinter(sim)
    gp, token = sample_pass()
    doc = gate_pass_ticket(sample_ticket(token, gp.pass_id), width_dots=576)
    with pytest.raises(PrinterOffline):
        printer.print_document(doc)
    sim.fault = ""
    printer.print_document(doc)
    assert len(sim.jobs) == 1


def test_the_renderer_lists_bytes_it_does_not_understand():
    page = render(b"\x1b@hello\n\x1d\x99\x07\n")
    assert page.lines == ["hello"] and page.unknown
