"""A small PDF writer for the desk's report downloads: A4 pages, headings, paragraphs, tables and bar charts
in the standard Helvetica fonts (no font files, no dependency). Text is encoded as WinAnsi (cp1252), which
covers Indonesian; a character outside it prints as "?".

Layout is a cursor running down the page; a table or chart that does not fit starts a new page (a table
repeats its header there).
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field

A4 = (595.28, 841.89)
MARGIN = 42.0
GREEN = (0.043, 0.365, 0.118)
GOLD = (0.788, 0.635, 0.153)
INK = (0.07, 0.07, 0.07)
MUTED = (0.35, 0.35, 0.35)
GRID = (0.85, 0.85, 0.85)


def _esc(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").replace(b"\r", b" ").replace(b"\n", b" ")


def text_width(text: str, size: float, bold: bool = False) -> float:
    """An estimate of Helvetica's width (average glyph widths), enough to clip and right-align."""
    w = 0.0
    for ch in text:
        if ch in "il.,:;'|!":
            w += 0.28
        elif ch in "mwMW@":
            w += 0.85
        elif ch.isupper() or ch.isdigit():
            w += 0.64 if ch.isupper() else 0.556
        elif ch == " ":
            w += 0.278
        else:
            w += 0.52
    return w * size * (1.06 if bold else 1.0)


def clip(text: str, width: float, size: float, bold: bool = False) -> str:
    if text_width(text, size, bold) <= width:
        return text
    while text and text_width(text + "…", size, bold) > width:
        text = text[:-1]
    return text + "…"


@dataclass
class _Page:
    ops: list[bytes] = field(default_factory=list)


class PdfDoc:
    def __init__(self, title: str, footer: str = "") -> None:
        self.title, self.footer = title, footer
        self.width, self.height = A4
        self.pages: list[_Page] = []
        self.y = 0.0
        self.new_page()

    # --- primitives (y measured from the top of the page) ---

    def new_page(self) -> None:
        self.pages.append(_Page())
        self.y = MARGIN

    @property
    def _ops(self) -> list[bytes]:
        return self.pages[-1].ops

    def text(self, x: float, y: float, text: str, size: float = 10, bold: bool = False, color=INK) -> None:
        r, g, b = color
        self._ops.append(b"BT /%s %.1f Tf %.3f %.3f %.3f rg %.2f %.2f Td (%s) Tj ET" % (
            b"F2" if bold else b"F1", size, r, g, b, x, self.height - y, _esc(text)))

    def rect(self, x: float, y: float, w: float, h: float, fill=GRID) -> None:
        r, g, b = fill
        self._ops.append(b"%.3f %.3f %.3f rg %.2f %.2f %.2f %.2f re f" % (r, g, b, x, self.height - y - h, w, h))

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.5, color=GRID) -> None:
        r, g, b = color
        self._ops.append(b"%.3f %.3f %.3f RG %.2f w %.2f %.2f m %.2f %.2f l S" % (
            r, g, b, width, x1, self.height - y1, x2, self.height - y2))

    # --- flow ---

    def need(self, height: float) -> None:
        if self.y + height > self.height - MARGIN - 14:
            self.new_page()

    def heading(self, text: str, size: float = 14) -> None:
        self.need(size + 20)
        self.y += size + 6
        self.text(MARGIN, self.y, text, size, bold=True, color=GREEN)
        self.y += 4
        self.line(MARGIN, self.y, self.width - MARGIN, self.y, 1.2, GOLD)
        self.y += 10

    def para(self, text: str, size: float = 9.5, color=INK) -> None:
        words, line, lines = text.split(), "", []
        room = self.width - 2 * MARGIN
        for w in words:
            cand = f"{line} {w}".strip()
            if text_width(cand, size) > room and line:
                lines.append(line)
                line = w
            else:
                line = cand
        if line:
            lines.append(line)
        for ln in lines:
            self.need(size + 4)
            self.y += size + 3
            self.text(MARGIN, self.y, ln, size, color=color)
        self.y += 6

    def table(self, header: list[str], rows: list[list[str]], widths: list[float], size: float = 8.5,
              align: str = "") -> None:
        """`widths` are fractions of the text width; `align` a letter per column (l or r)."""
        room = self.width - 2 * MARGIN
        cols = [w * room for w in widths]
        align = align or "l" * len(cols)
        row_h = size + 6

        def draw(cells: list[str], bold: bool, fill=None, color=INK) -> None:
            if fill:
                self.rect(MARGIN, self.y, room, row_h, fill)
            x = MARGIN
            for cell, w, a in zip(cells, cols, align, strict=False):
                t = clip(str(cell), w - 6, size, bold)
                tx = x + w - 3 - text_width(t, size, bold) if a == "r" else x + 3
                self.text(tx, self.y + size + 1.5, t, size, bold, color)
                x += w
            self.y += row_h
            self.line(MARGIN, self.y, MARGIN + room, self.y, 0.4)

        self.need(row_h * 2)
        draw(header, True, GREEN, (1, 1, 1))
        for r in rows:
            if self.y + row_h > self.height - MARGIN - 14:
                self.new_page()
                draw(header, True, GREEN, (1, 1, 1))
            draw(r, False)
        self.y += 10

    def bars(self, items: list[tuple[str, float | None]], top: float, *, unit: str = "", marks: tuple[float, ...] = (),
             colour=GREEN, label_frac: float = 0.38) -> None:
        """Horizontal bars from 0 to `top`, one per (label, value), with optional vertical marks (e.g. limits)."""
        room = self.width - 2 * MARGIN
        label_w = room * label_frac
        bar_w = room - label_w - 50
        row_h = 15
        self.need(row_h * len(items) + 10)
        y0 = self.y
        for label, value in items:
            self.text(MARGIN, self.y + 10, clip(label, label_w - 6, 8.5), 8.5)
            if value is None:  # nothing measured
                self.text(MARGIN + label_w + 4, self.y + 10, "-", 8, color=MUTED)
                self.y += row_h
                continue
            w = max(0.0, min(1.0, value / top if top else 0.0)) * bar_w
            self.rect(MARGIN + label_w, self.y + 2, w, row_h - 5, colour)
            self.text(MARGIN + label_w + w + 4, self.y + 10, f"{value:.2f}{unit}", 8)
            self.y += row_h
        for m in marks:
            x = MARGIN + label_w + bar_w * (m / top if top else 0)
            self.line(x, y0, x, self.y, 0.8, GOLD)
        self.y += 8

    # --- output ---

    def to_bytes(self) -> bytes:
        objs: list[bytes] = []

        def add(body: bytes) -> int:
            objs.append(body)
            return len(objs)

        catalog = add(b"")  # filled in below
        pages_id = add(b"")
        f1 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        f2 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
        kids = []
        total = len(self.pages)
        for n, page in enumerate(self.pages, 1):
            ops = list(page.ops)
            foot = f"{self.footer} · {n}/{total}" if self.footer else f"{n}/{total}"
            ops.append(b"BT /F1 7.5 Tf 0.35 0.35 0.35 rg %.2f %.2f Td (%s) Tj ET" % (MARGIN, MARGIN / 2, _esc(foot)))
            stream = zlib.compress(b"\n".join(ops))
            content = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream))
            kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Contents %d 0 R "
                            b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>"
                            % (pages_id, self.width, self.height, content, f1, f2)))
        objs[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
        objs[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
            b" ".join(b"%d 0 R" % k for k in kids), len(kids))
        info = add(b"<< /Title (%s) /Producer (kejari-kiosk central desk) >>" % _esc(self.title))
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for i, body in enumerate(objs, 1):
            offsets.append(len(out))
            out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
        for off in offsets:
            out += b"%010d 00000 n \n" % off
        out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(objs) + 1, catalog, info, xref)
        return bytes(out)
