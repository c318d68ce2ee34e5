"""bench.ocr: KTP reading accuracy and CPU time per card for each OCR engine, on generated clean and degraded cards.

    python -m bench.ocr              # 6 clean + 6 degraded cards per engine (about a minute)
    python -m bench.ocr --cards 200  # 200 clean + 200 degraded cards: the evaluation run the README quotes

Every engine reads the same camera frames in the same run: card detection, rectification and OCR,
with no focus/glare gate (the degraded frames are meant to be hard). Time is CPU seconds per card on
one core (this process plus the tesseract child processes; onnxruntime limited to one thread), so
other load on the machine does not inflate it.
"""
from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import resource
import time
from datetime import date
from pathlib import Path

import cv2
import numpy as np

from kiosk.devices.ktp_identity import SyntheticIdentity
from kiosk.devices.ktp_reader import KtpReader
from kiosk.devices.ktp_synth import SyntheticKtp, generate
from kiosk.devices.ocr import make_engine

FIELDS = ("nik", "name", "birth_place", "birth_date", "sex", "address", "rt_rw", "village", "district",
          "religion", "marital_status", "occupation", "nationality")
GOALS = "goal: NIK exact >= 98 % clean, >= 90 % degraded, < 1.5 s per card"


def truth(ident) -> dict[str, str]:
    return {
        "nik": ident.nik, "name": ident.name, "birth_place": ident.birth_place,
        "birth_date": f"{ident.birth_date:%d-%m-%Y}", "sex": ident.sex_text, "address": ident.address,
        "rt_rw": ident.rt_rw, "village": ident.village, "district": ident.district, "religion": ident.religion,
        "marital_status": ident.marital_status, "occupation": ident.occupation, "nationality": ident.nationality,
    }


def char_accuracy(expected: str, got: str) -> float:
    """1 - normalised edit distance, via difflib's matching blocks (1.0 = identical)."""
    if not expected:
        return 1.0 if not got else 0.0
    matched = sum(b.size for b in difflib.SequenceMatcher(None, expected, got, autojunk=False).get_matching_blocks())
    return max(0.0, (2 * matched - max(len(expected), len(got))) / len(expected))


def cpu_now() -> float:
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + child.ru_utime + child.ru_stime


def readers() -> dict[str, KtpReader]:
    tess, rapid = make_engine("tesseract", threads=1), make_engine("rapidocr", threads=1)
    return {"tesseract": KtpReader(tess), "rapidocr": KtpReader(rapid), "hybrid": KtpReader(tess, rapid)}


def evaluate(reader: KtpReader, cards) -> dict[str, float]:
    nik_ok = fields_ok = fields_all = flagged = 0
    name_acc = cpu = 0.0
    reader.read_frame(cards[0].frame)  # warm-up: model loading is not per card
    for card in cards:
        want = truth(card.identity)
        start = cpu_now()
        reading = reader.read_frame(card.frame)
        cpu += cpu_now() - start
        got = {f: (reading.value(f) if reading else "") for f in FIELDS}
        nik_ok += got["nik"] == want["nik"]
        name_acc += char_accuracy(want["name"], got["name"])
        fields_ok += sum(got[f] == want[f] for f in FIELDS)
        fields_all += len(FIELDS)
        flagged += bool(reading is None or reading.needs_confirmation)
    n = len(cards)
    return {"nik": nik_ok / n, "name": name_acc / n, "fields": fields_ok / fields_all, "s_card": cpu / n,
            "flagged": flagged / n}


def card_set(seed: int, count: int, degraded: bool, cache: Path | None) -> list[SyntheticKtp]:
    """Generated cards; with a cache folder they are generated once and shared by parallel runs."""
    folder = cache / f"{'degraded' if degraded else 'clean'}-{seed}-{count}" if cache else None
    if folder and (folder / "truth.json").exists():
        idents = json.loads((folder / "truth.json").read_text())
        cards = []
        for i, d in enumerate(idents):
            d.update(birth_date=date.fromisoformat(d["birth_date"]), issued_at=date.fromisoformat(d["issued_at"]))
            jpeg = (folder / f"{i:04d}.jpg").read_bytes()
            frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
            cards.append(SyntheticKtp(SyntheticIdentity(**d), None, frame, np.zeros((4, 2), np.float32), jpeg))
        return cards
    cards = [generate(seed + i, degraded=degraded) for i in range(count)]
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
        for i, card in enumerate(cards):
            (folder / f"{i:04d}.jpg").write_bytes(card.jpeg)
        (folder / "truth.json").write_text(json.dumps([dataclasses.asdict(c.identity) for c in cards], default=str))
    return cards


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.ocr", description=__doc__.splitlines()[0])
    ap.add_argument("--cards", type=int, default=6, help="cards per set (clean and degraded); 200 for the full run")
    ap.add_argument("--seed", type=int, default=10_000)
    ap.add_argument("--engines", default="hybrid,tesseract,rapidocr")
    ap.add_argument("--cache", type=Path, default=None, help="folder to keep generated frames in between runs")
    args = ap.parse_args(argv)
    sets = {
        "clean": card_set(args.seed, args.cards, False, args.cache),
        "degraded": card_set(args.seed + 100_000, args.cards, True, args.cache),
    }
    if not args.engines:
        return
    all_readers = readers()
    print(f"bench.ocr: {args.cards} clean + {args.cards} degraded generated cards; {GOALS}")
    print(f"{'engine':10} {'set':9} {'NIK exact':>9} {'name chars':>10} {'fields':>7} {'flagged':>8} {'s/card':>7}", flush=True)
    for name in args.engines.split(","):
        reader = all_readers[name]
        for set_name, cards in sets.items():
            r = evaluate(reader, cards)
            print(f"{name:10} {set_name:9} {r['nik']:9.1%} {r['name']:10.1%} {r['fields']:7.1%} {r['flagged']:8.1%}"
                  f" {r['s_card']:7.2f}", flush=True)


if __name__ == "__main__":
    main()
