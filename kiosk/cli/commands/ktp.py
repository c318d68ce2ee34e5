"""`kiosk ktp`: make synthetic KTP camera frames for the simulated camera, and read a KTP image from a file."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from kiosk.cli.common import add_config_option, config_from_args, context_from_args
from kiosk.domain.errors import KioskError


class ImageUnreadable(KioskError):
    code = "image_unreadable"

    def __init__(self, path: str) -> None:
        super().__init__(path=path)


def register(sub) -> None:
    p = sub.add_parser("ktp", help="KTP reader: synthetic cards and reading an image")
    ksub = p.add_subparsers(dest="ktp_command", required=True)

    s = ksub.add_parser("synth", help="write generated KTP camera frames (made-up identities) to a folder")
    s.add_argument("folder")
    s.add_argument("--count", type=_count, default=5, help="1 to 1000 frames")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--degraded", action="store_true", help="blur, glare, low light, JPEG noise, tilt")
    s.add_argument("--split", choices=("tune", "heldout"), default=None,
                   help="evaluation cards: every region and naming tradition, varied fonts and layout")
    s.set_defaults(func=run_synth)

    r = ksub.add_parser("read", help="read a KTP in an image file and print the fields (NIK masked)")
    add_config_option(r)
    r.add_argument("image")
    r.add_argument("--engine", choices=("hybrid", "tesseract", "rapidocr"), default=None)
    r.add_argument("--show-nik", "--unmasked", dest="show_nik", action="store_true",
                   help="print the full NIK (test cards only; masked by default, UU PDP)")
    r.add_argument("--json", action="store_true", help="one JSON object: fields, confidences, doubts, flags, timings")
    r.set_defaults(func=run_read)


def _count(text: str) -> int:
    import argparse

    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= 1000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of frames from 1 to 1000")
    return n


def run_synth(args) -> int:
    from kiosk.app.ktp import write_synthetic_frames

    cards = write_synthetic_frames(Path(args.folder), args.count, seed=args.seed, degraded=args.degraded, split=args.split)
    print(f"{len(cards)} synthetic KTP frames written to {args.folder}")
    return 0


def run_read(args) -> int:
    from kiosk.cli.common import read_image_file
    from kiosk.domain.masking import mask_nik

    frame = read_image_file(args.image, ImageUnreadable)
    cfg = config_from_args(args)
    if args.engine:
        cfg = cfg.replace(devices=dataclasses.replace(cfg.devices, ktp=dataclasses.replace(cfg.devices.ktp, ocr_engine=args.engine)))
    ctx = context_from_args(args, config=cfg)
    reading = ctx.ktp_reader.read_image(frame)
    if reading is None:
        if args.json:
            print(json.dumps({"card": False, "fields": {}, "flags": [], "highlight": []}))
        else:
            print("no card found / KTP tidak ditemukan")
        return 1
    low = set(reading.low_confidence())

    def shown(name: str, value: str) -> str:
        return value if name != "nik" or args.show_nik else mask_nik(value)

    if args.json:
        print(json.dumps({
            "card": True,
            "fields": {name: {"value": shown(name, f.value), "confidence": round(f.confidence, 3),
                              "doubt": f.doubt, "highlight": name in low,
                              "other_reads": [shown(name, a) for a in f.alternatives]}
                       for name, f in reading.fields.items()},
            "flags": [{"code": fl.code, "field": fl.field, "text_id": fl.text_id, "text_en": fl.text_en}
                      for fl in reading.flags],
            "highlight": sorted(low),
            "timings_s": {k: round(v, 3) for k, v in reading.timings.items()},
        }, ensure_ascii=False))
        return 0
    for name, f in reading.fields.items():
        print(f"{name:15} {f.confidence:4.2f} {'!' if name in low else ' '} {shown(name, f.value)}")
    for flag in reading.flags:
        print(f"flag {flag.code}: {flag.text_id} / {flag.text_en}")
    return 0
