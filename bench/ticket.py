"""Gate-pass printing speed: layout + ESC/POS encoding, tokens signed/verified per second, QR size, native vs image QR;
and the printed length of each pass layout (badge, receipt) on 58 and 80 mm paper, measured on the PNG that the
printer simulator's bytes render to (pixels / 8 dots per mm, top to the cut, the cutter feed included).

Run: /work/venv/bin/python -m bench.ticket [--n 200]
Peer in the same run: the same QR sent as the printer's native `GS ( k` command versus a raster image.
"""
from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

from bench.common import summary_ms, table, time_calls
from kiosk.devices.printer import EscposPrinter, encode_document
from kiosk.domain.gatepass import issue, verify_pass
from kiosk.domain.ticket import BADGE_MAX_MM, TicketData, gate_pass_ticket, qr_block
from kiosk.domain.tokens import SigningKey

T0 = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


def _per_second(fn, seconds: float = 1.0) -> float:
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.ticket")
    parser.add_argument("--n", type=int, default=100, help="repetitions per timing")
    n = parser.parse_args(argv).n
    key = SigningKey.generate()
    public = {key.key_id: key.public_key}
    gp, token = issue(key, office_code="KEJARI-KLK", issued_at=T0, expires_at=T0 + timedelta(hours=8), locker_door=7)

    def data() -> TicketData:
        return TicketData(
            "Kejaksaan Negeri Klungkung", "Jl. Gajah Mada No. 56, Semarapura", "Ni Kadek Ayu Lestari",
            "5105014101900123", "I Gede Wirawan, S.H.", "Bertemu pegawai", T0, T0 + timedelta(hours=8),
            token, gp.pass_id, locker_door=7,
        )

    print(f"token: {len(token)} characters (QR alphanumeric mode), office code KEJARI-KLK")
    sign = _per_second(lambda: issue(key, office_code="KEJARI-KLK", issued_at=T0, expires_at=T0 + timedelta(hours=8)))
    verify = _per_second(lambda: verify_pass(token, at=T0, office_code="KEJARI-KLK", public_keys=public))
    print(f"tokens signed:   {sign:8.0f} /s")
    print(f"tokens verified: {verify:8.0f} /s")
    rows = []
    for width, paper in ((384, "58 mm"), (576, "80 mm")):
        q = qr_block(token, width)
        for native in (False, True):
            doc = gate_pass_ticket(data(), width_dots=width, layout="receipt")  # native QR: the receipt only
            job = encode_document(doc, profile="TM-T20II", code_page="CP858", native_qr=native)
            layout = time_calls(lambda w=width: gate_pass_ticket(data(), width_dots=w, layout="receipt"), repeat=n)
            both = time_calls(
                lambda w=width, nat=native: encode_document(
                    gate_pass_ticket(data(), width_dots=w, layout="receipt"), profile="TM-T20II", code_page="CP858",
                    native_qr=nat
                ),
                repeat=n,
            )
            modules = 17 + 4 * q.version
            rows.append([
                paper, "native GS ( k" if native else "image GS v 0", q.version, q.module_dots,
                f"{modules * q.module_dots / 8:.1f} mm", len(job), summary_ms(layout), summary_ms(both),
            ])
    print("receipt layout:")
    print(table(["paper", "QR sent as", "QR ver", "module dots", "QR side", "job bytes", "layout", "layout+encode"], rows))
    print(table(["paper", "pass layout", "printed length", "limit", "gate reads QR", "job bytes", "layout+encode"], length_rows(data, n)))


def length_rows(data, n: int) -> list[list]:
    """Each layout printed through python-escpos on the simulated printer, rendered, measured on the PNG."""
    import io
    from dataclasses import replace

    import numpy as np
    from PIL import Image

    from kiosk.app.scanning import code_decoder
    from kiosk.app.ticket_demo import demo_photo
    from kiosk.config import Config
    from kiosk.devices.escpos_render import printed_length_mm, render
    from kiosk.devices.printer_simulator import SimulatedPrinterTransport

    gate = code_decoder(Config())  # the gate camera's decoder as configured by default (zxing-cpp)

    rows = []
    for width, paper in ((384, "58 mm"), (576, "80 mm")):
        for layout in ("badge", "receipt"):
            # As configured by default: the badge always shows the photo, the receipt only with print_photo.
            pass_data = replace(data(), photo=demo_photo() if layout == "badge" else None)
            sim = SimulatedPrinterTransport()
            EscposPrinter(sim, width_dots=width).print_document(gate_pass_ticket(pass_data, width_dots=width, layout=layout))
            png = io.BytesIO()
            render(sim.printed, width_dots=width).save(png)
            mm = printed_length_mm(png)
            read = [s.data.decode() for s in gate.decode(np.array(Image.open(png).convert("L")))]
            encode = time_calls(
                lambda w=width, lay=layout, pd=pass_data: encode_document(
                    gate_pass_ticket(pd, width_dots=w, layout=lay), profile="TM-T20II", code_page="CP858",
                    native_qr=False,
                ),
                repeat=max(5, n // 10),
            )
            limit = f"<= {BADGE_MAX_MM[width]} mm" if layout == "badge" else "-"
            rows.append([paper, layout + (" + photo" if layout == "badge" else ""), f"{mm:.1f} mm", limit,
                         "yes" if read == [pass_data.token] else "NO", len(sim.printed), summary_ms(encode)])
    return rows


if __name__ == "__main__":
    main()
