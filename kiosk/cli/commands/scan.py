"""`kiosk scan FILE...`: decode the codes in image files and print, per code, one JSON line saying what it is."""
from __future__ import annotations

import json
import sys

from kiosk.cli.common import add_config_option, config_from_args, context_from_args
from kiosk.domain.errors import KioskError


class UnreadableImage(KioskError):
    code = "unreadable_image"

    def __init__(self, path: str) -> None:
        super().__init__(path=path)


def register(sub) -> None:
    p = sub.add_parser("scan", help="decode QR/barcodes in image files and print what each one is, as JSON lines")
    p.add_argument("files", nargs="+", metavar="FILE", help="image files (PNG, JPEG, ...)")
    p.add_argument("--decoder", choices=("pyzbar", "zxing"), default=None,
                   help="code decoder (default: devices.scanner.decoder of the config)")
    add_config_option(p)
    p.set_defaults(func=run)


def describe(data: bytes, ctx_of) -> dict:
    """What one decoded payload is: our own signed token (gate pass or invitation, verified offline), an
    identity document, or nothing we know. `ctx_of()` gives the AppContext, built only when a token needs keys."""
    from kiosk.domain.identity import InvalidPayload, identity_json, parse_identity_payload
    from kiosk.domain.tokens import KIND_DEMO_PASS, KIND_GATE_PASS, KIND_INVITATION, peek_kind

    text = data.decode("utf-8", errors="replace").strip()
    kind = peek_kind(text)
    if kind == KIND_GATE_PASS:
        return {"type": "gate_pass", **ctx_of().passes.verify(text).to_dict()}
    if kind == KIND_DEMO_PASS:
        return {"type": "demo_pass", "valid": False, "reason": "demo"}
    if kind == KIND_INVITATION:
        return {"type": "invitation", **ctx_of().identity.invitation(text).to_dict()}
    try:
        return {"type": "identity", **identity_json(parse_identity_payload(data))}
    except InvalidPayload as exc:
        return {"type": "unrecognized", "error": exc.code, "reason": exc.reason, "message": exc.message()}


def run(args) -> int:
    from kiosk.app.scanning import code_decoder

    cfg = config_from_args(args)
    decoder = code_decoder(cfg, args.decoder)
    contexts = []

    def ctx_of():
        if not contexts:
            contexts.append(context_from_args(args, config=cfg))
        return contexts[0]

    try:
        return _scan_files(args.files, decoder, ctx_of)
    finally:
        for ctx in contexts:
            ctx.close()


def _scan_files(files: list[str], decoder, ctx_of) -> int:
    from kiosk.cli.common import read_image_file

    found = 0
    for path in files:
        frame = read_image_file(path, UnreadableImage)
        symbols = decoder.decode(frame)
        if not symbols:
            print(f"kiosk: no code found in {path}", file=sys.stderr)
        for symbol in symbols:
            found += 1
            text = symbol.data.decode("utf-8", errors="replace")
            line = {"file": path, "symbology": symbol.symbology, "text": text, **describe(symbol.data, ctx_of)}
            print(json.dumps(line, ensure_ascii=False))
    return 0 if found else 1
