"""How a scanner frames a code, and taking that framing off: terminators, STX/ETX, AIM identifiers, prefix/suffix.

Scanners ship with many framings: a code ended by CR (the usual default), CRLF, LF or Tab; wrapped
in STX ... ETX; led by an AIM symbology identifier (`]Q1` QR, `]C0` Code 128, `]d2` Data Matrix,
`]L0` PDF417, `]E0` EAN-13); or with a prefix/suffix an installer programmed. `CodeFramer` cuts a
byte stream into codes and strips all of that. A code whose terminator never comes (a scanner
programmed without one, or a byte lost) ends after `inter_char_timeout_s` of silence, so it is never
glued to the next scan.

Pure: fed bytes with the time they arrived; the serial and HID scanners call it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

STX, ETX = 0x02, 0x03
# ISO/IEC 15424: "]" + symbology letter + modifier character.
_AIM = re.compile(rb"^\][A-Za-z][0-9A-Za-z]")
AIM_SYMBOLOGY = {
    "Q": "QRCODE", "C": "CODE128", "A": "CODE39", "E": "EAN13", "d": "DATAMATRIX", "L": "PDF417", "I": "I25",
    "e": "GS1", "z": "AZTEC",
}


@dataclass(frozen=True)
class Framing:
    """What to take off each code. Defaults fit scanners as shipped (CR/LF ends, optional STX/ETX and AIM)."""

    terminators: bytes = b"\r\n"
    inter_char_timeout_s: float = 0.08
    strip_stx_etx: bool = True
    strip_aim: bool = True
    prefix: bytes = b""
    suffix: bytes = b""
    max_len: int = 16384

    @classmethod
    def from_config(cls, cfg) -> Framing:
        return cls(
            terminators=_unescape(cfg.terminators),
            inter_char_timeout_s=cfg.inter_char_timeout_s,
            strip_stx_etx=cfg.strip_stx_etx,
            strip_aim=cfg.strip_aim,
            prefix=_unescape(cfg.prefix),
            suffix=_unescape(cfg.suffix),
        )


def _unescape(text: str) -> bytes:
    r"""Config text with \r \n \t \xNN escapes -> bytes."""
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


class CodeFramer:
    def __init__(self, framing: Framing | None = None) -> None:
        self.framing = framing or Framing()
        self._buffer = bytearray()
        self._last = 0.0

    def feed(self, data: bytes, now: float) -> list[tuple[bytes, str | None]]:
        """Codes completed by `data` (arrived at `now`), each with the symbology its AIM identifier names."""
        out = self.expire(now)
        f = self.framing
        for byte in data:
            if byte in f.terminators or (f.strip_stx_etx and byte == ETX):
                out += self._finish()
            elif f.strip_stx_etx and byte == STX:
                out += self._finish()  # a new frame starts: whatever was before it is a code of its own
            else:
                self._buffer.append(byte)
                if len(self._buffer) > f.max_len:  # a device that never ends a code: drop, never grow forever
                    self._buffer.clear()
        self._last = now
        return out

    def expire(self, now: float) -> list[tuple[bytes, str | None]]:
        """End an unterminated code once the scanner has been silent for the inter-character timeout."""
        if self._buffer and now - self._last >= self.framing.inter_char_timeout_s:
            return self._finish()
        return []

    def pending(self) -> bool:
        return bool(self._buffer)

    def reset(self) -> None:
        self._buffer.clear()

    def _finish(self) -> list[tuple[bytes, str | None]]:
        raw, self._buffer = bytes(self._buffer), bytearray()
        code, symbology = self.strip(raw)
        return [(code, symbology)] if code else []

    def strip(self, raw: bytes) -> tuple[bytes, str | None]:
        f = self.framing
        code = raw.strip(b"\x00")
        if f.prefix and code.startswith(f.prefix):
            code = code[len(f.prefix):]
        if f.suffix and code.endswith(f.suffix):
            code = code[: -len(f.suffix)]
        symbology = None
        if f.strip_aim and _AIM.match(code):
            symbology = AIM_SYMBOLOGY.get(chr(code[1]))
            code = code[3:]
        return code, symbology
