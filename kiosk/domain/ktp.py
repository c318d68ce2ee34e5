"""From OCR lines of an e-KTP face to fields with confidences, and the NIK checked against what is printed.

Pure: lines of text and their OCR confidence in, a `KtpReading` out. Labels are matched loosely (OCR
drops colons, reads ':' as '1', merges words); values of closed vocabularies (religion, marital status,
sex, ...) are snapped to the nearest official wording, which lowers their confidence by the distance.
Letter-for-digit fixes (O->0, I->1, B->8, ...) are applied only where only digits are printed: the
NIK, the birth date and RT/RW, never to names or addresses.

Layout by labels: when the lines carry boxes, the labels are matched to lines in their printed order
(an ordered assignment, so a stray line near the card's edge cannot take "Nama" from the real one) and
lines between two labels that start in the value column continue the value above them. A value that
runs into the next label is cut there and marked as doubtful; so is a value that does not fit its own
pattern (a name with digits, an RT/RW that is not 3+3 digits, ...).

A NIK that breaks the NIK rules, or encodes a birth date or sex other than the printed ones, becomes a
flag: the guest is asked to confirm or type it, never silently accepted.
"""
from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass, field, replace
from datetime import date

from kiosk.domain import regions
from kiosk.domain.nik import InvalidNIK, parse_nik

LOW_CONFIDENCE = 0.80
# Per field, the OCR confidence below which the confirm screen highlights it; calibrated on the tune
# split of the generated cards (bench/ocr.py --calibrate), LOW_CONFIDENCE where not measured.
# Measured: `python -m bench.ocr --split tune --cards 50 --engines hybrid --calibrate` (each field's
# lowest threshold leaving at most 0.5 % of the tune cards wrong and not highlighted), floored at 0.6.
# Address: 0.97 by that rule in the last calibration, from one tune card of 100 (read wrong at 0.962 by
# both engines alike); 0.5 at the goal's own 1 %. Kept at 0.91: at 0.97 the address of 95-100 % of the
# cards was highlighted, which says nothing to the guest. The Kecamatan needs less: a Kecamatan that reads
# as the NIK's district is confirmed by it (`_district_from_nik`).
THRESHOLDS: dict[str, float] = {
    "nik": 0.6, "name": 0.6, "birth_place": 0.78, "birth_date": 0.6, "sex": 0.6, "address": 0.91,
    "rt_rw": 0.6, "village": 0.6, "district": 0.93, "religion": 0.6, "marital_status": 0.6,
    "occupation": 0.6, "nationality": 0.6,
}
# A NIK digit whose recogniser probability is below this is doubtful: the reader reads the NIK again
# (another crop, another engine) and a disagreement is flagged.
DIGIT_DOUBT = 0.90

LABELS: tuple[tuple[str, str], ...] = (
    ("nik", "NIK"),
    ("name", "Nama"),
    ("birth", "Tempat/Tgl Lahir"),
    ("sex", "Jenis Kelamin"),
    ("address", "Alamat"),
    ("rt_rw", "RT/RW"),
    ("village", "Kel/Desa"),
    ("district", "Kecamatan"),
    ("religion", "Agama"),
    ("marital_status", "Status Perkawinan"),
    ("occupation", "Pekerjaan"),
    ("nationality", "Kewarganegaraan"),
    ("valid_until", "Berlaku Hingga"),
)
RELIGIONS = ("ISLAM", "KRISTEN", "KATOLIK", "HINDU", "BUDHA", "KONGHUCU", "KEPERCAYAAN TERHADAP TUHAN YME")
MARITAL = ("BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI")
SEXES = {"LAKI-LAKI": "male", "PEREMPUAN": "female"}
NATIONALITIES = ("WNI", "WNA")
OCCUPATIONS = (
    "BELUM/TIDAK BEKERJA", "MENGURUS RUMAH TANGGA", "PELAJAR/MAHASISWA", "PENSIUNAN", "PEGAWAI NEGERI SIPIL",
    "TENTARA NASIONAL INDONESIA", "KEPOLISIAN RI", "PERDAGANGAN", "PETANI/PEKEBUN", "PETERNAK", "NELAYAN/PERIKANAN",
    "INDUSTRI", "KONSTRUKSI", "TRANSPORTASI", "KARYAWAN SWASTA", "KARYAWAN BUMN", "KARYAWAN BUMD",
    "KARYAWAN HONORER", "BURUH HARIAN LEPAS", "BURUH TANI/PERKEBUNAN", "PEDAGANG", "GURU", "DOSEN", "DOKTER",
    "BIDAN", "PERAWAT", "WIRASWASTA", "SOPIR", "PENGACARA", "NOTARIS", "WARTAWAN", "USTADZ/MUBALIGH",
    "PENDETA", "PASTOR", "SENIMAN", "TUKANG JAHIT", "MEKANIK", "LAINNYA",
)
BLOOD_TYPES = ("A", "B", "AB", "O", "-")
# Letters OCR mistakes for digits, fixed only in digit-only fields.
DIGIT_FIXES = str.maketrans({
    "O": "0", "o": "0", "D": "0", "Q": "0", "U": "0",
    "I": "1", "l": "1", "i": "1", "|": "1", "!": "1", "L": "1", "J": "1", "T": "7",
    "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "G": "6", "b": "6", "A": "4", "g": "9", "q": "9",
})


@dataclass(frozen=True)
class FieldReading:
    value: str
    confidence: float  # 0..1; below the field's threshold the confirm screen highlights the field
    doubt: str = ""  # why the value itself is doubtful ("pattern", "swallowed_label", "reads_disagree", "colon_glued", ...)
    alternatives: tuple[str, ...] = ()  # other reads of the same field that gave a different value

    @property
    def low(self) -> bool:
        return self.confidence < LOW_CONFIDENCE or bool(self.doubt)


@dataclass(frozen=True)
class KtpFlag:
    """Something the guest must confirm or correct before the reading is used."""

    code: str
    field: str
    text_id: str
    text_en: str


@dataclass(frozen=True)
class KtpReading:
    fields: dict[str, FieldReading] = field(default_factory=dict)
    flags: tuple[KtpFlag, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)  # seconds per reading step (the reader's)

    def value(self, name: str) -> str:
        reading = self.fields.get(name)
        return reading.value if reading else ""

    @property
    def birth_date(self) -> date | None:
        return _parse_date(self.value("birth_date"))

    @property
    def sex(self) -> str:
        return SEXES.get(self.value("sex"), "")

    def low_confidence(self, threshold: float | None = None) -> list[str]:
        """Fields to highlight: read with low confidence, missing, doubtful in themselves, or named by a flag."""
        flagged = {f.field for f in self.flags}
        out = []
        for name, r in self.fields.items():
            limit = threshold if threshold is not None else THRESHOLDS.get(name, LOW_CONFIDENCE)
            if r.confidence < limit or not r.value or r.doubt or name in flagged:
                out.append(name)
        return out

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.flags)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.upper().replace(" ", ""), b.upper().replace(" ", "")).ratio()


def snap(value: str, vocabulary: tuple[str, ...] | list[str], minimum: float = 0.7) -> tuple[str, float]:
    """The closest official wording and how close it was (1.0 = exact); the raw value when none is close."""
    best, score = value, 0.0
    for word in vocabulary:
        s = _similar(value, word)
        if s > score:
            best, score = word, s
    return (best, score) if score >= minimum else (value, score)


def digits_only(text: str) -> tuple[str, int]:
    """Digits of a digit-only field after letter-for-digit fixes, and how many letters were fixed."""
    digits, _probs, fixes = _digits_with_probs(text, ())
    return digits, fixes


def _digits_with_probs(text: str, probs: tuple[float, ...]) -> tuple[str, list[float], int]:
    """Like digits_only, keeping each digit's recogniser probability (1.0 when unknown)."""
    out, out_p, fixes = [], [], 0
    for i, ch in enumerate(text):
        if not (ch.isalnum() or ch in "|!"):
            continue
        fixed = ch.translate(DIGIT_FIXES)
        if not fixed.isdigit():
            continue
        if not ch.isdigit():
            fixes += 1
        out.append(fixed)
        out_p.append(probs[i] if i < len(probs) else 1.0)
    return "".join(out), out_p, fixes


# --- layout: rows, labels, values ----------------------------------------------------------------

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Row:
    text: str
    confidence: float
    box: Box
    chars: tuple[float, ...] = ()

    @property
    def cy(self) -> float:
        return self.box[1] + self.box[3] / 2


def _rows(lines) -> list[Row]:
    """OCR lines as rows with boxes; lines given without a box are stacked in their order."""
    rows = []
    for i, line in enumerate(lines):
        if isinstance(line, Row):
            rows.append(line)
            continue
        text, conf = line[0], float(line[1])
        box = tuple(line[2]) if len(line) > 2 and line[2] is not None else (0, i * 40, 1000, 30)
        chars = tuple(line[3]) if len(line) > 3 and line[3] is not None else ()
        if _norm(text):
            rows.append(Row(text, conf, box, chars))
    return sorted(rows, key=lambda r: r.cy)


def _label_match(text: str, label: str) -> tuple[float, str]:
    """How well the start of `text` reads as `label` (0..1) and the text after it."""
    words = _norm(text).split(" ")
    n = len(label.split(" "))
    best = (0.0, text)
    for take in (n, n - 1, n + 1):
        if take < 1 or take > len(words):
            continue
        head = " ".join(words[:take])
        tail = " ".join(words[take:])
        # A colon glued to the label ("Nama:") or to the value (":BUDI") belongs to neither.
        if ":" in head and take == n:
            before, _, after = head.rpartition(":")
            head, tail = before, (after + " " + tail).strip()
        score = _similar(head.rstrip(":;"), label)
        if score > best[0]:
            best = (score, tail)
    return best


MIN_LABEL = 0.6  # a label read this loosely is still taken when the order of the labels confirms it


def _assign_labels(rows: list[Row]) -> dict[str, tuple[int, float, str]]:
    """field -> (row index, label similarity, value text): the labels in their printed order, top to
    bottom, each on at most one row, maximising the summed similarity (dynamic programming)."""
    n_lab, n_row = len(LABELS), len(rows)
    scores = [[_label_match(r.text, label) for r in rows] for _key, label in LABELS]
    neg = float("-inf")
    best = [[0.0] * (n_row + 1) for _ in range(n_lab + 1)]
    move = [[""] * (n_row + 1) for _ in range(n_lab + 1)]
    for i in range(1, n_lab + 1):
        best[i][0] = 0.0
        move[i][0] = "skip_label"
    for j in range(1, n_row + 1):
        move[0][j] = "skip_row"
    for i in range(1, n_lab + 1):
        for j in range(1, n_row + 1):
            options = [(best[i - 1][j], "skip_label"), (best[i][j - 1], "skip_row")]
            s = scores[i - 1][j - 1][0]
            gain = s - 0.5 if s >= MIN_LABEL else neg
            options.append((best[i - 1][j - 1] + gain, "take"))
            best[i][j], move[i][j] = max(options, key=lambda o: o[0])
    out: dict[str, tuple[int, float, str]] = {}
    i, j = n_lab, n_row
    while i > 0 and j > 0:
        m = move[i][j]
        if m == "take":
            s, value = scores[i - 1][j - 1]
            out[LABELS[i - 1][0]] = (j - 1, s, value)
            i, j = i - 1, j - 1
        elif m == "skip_label":
            i -= 1
        else:
            j -= 1
    # A label still missing may sit out of order (lines without boxes, a row misplaced by tilt): a clear
    # match on a row no label took is used.
    taken = {idx for idx, _s, _v in out.values()}
    for i, (key, _label) in enumerate(LABELS):
        if key in out:
            continue
        free = [(scores[i][j][0], j) for j in range(n_row) if j not in taken and scores[i][j][0] >= 0.72]
        if free:
            s, j = max(free)
            out[key] = (j, s, scores[i][j][1])
            taken.add(j)
    return out


def label_rows(lines) -> dict[str, Row]:
    """The row each label was found on (field -> row), for a reader that reads some rows again."""
    rows = _rows(lines)
    return {key: rows[idx] for key, (idx, _s, _v) in _assign_labels(rows).items()}


# Words of the labels, to find a label a value ran into ("... | ALAMAT : DUSUN ...").
_LABEL_WORDS = ("NIK", "NAMA", "TEMPAT", "TGL", "LAHIR", "TEMPAT/TGL", "JENIS", "KELAMIN", "ALAMAT", "RT/RW",
                "KEL/DESA", "KECAMATAN", "AGAMA", "STATUS", "PERKAWINAN", "PEKERJAAN", "KEWARGANEGARAAN",
                "BERLAKU", "HINGGA", "GOL.", "DARAH")


def _is_label_word(word: str) -> bool:
    w = word.upper().strip(":;|.,")
    if len(w) < 4:
        return w in ("NIK",) and word.strip().endswith(":")
    return any(_similar(w, lw.strip(".")) >= (0.9 if len(w) < 6 else 0.84) for lw in _LABEL_WORDS if len(lw) >= 4)


def cut_at_label(value: str) -> tuple[str, bool]:
    """The value up to the first label it ran into (or a 'label :' pair), and whether it was cut."""
    words = _norm(value).split(" ")
    for k, word in enumerate(words):
        if k == 0 and not word.strip(":;|"):
            continue
        glued_colon = k > 0 and word.endswith(":") and len(word) > 1
        next_colon = k + 1 < len(words) and words[k + 1] in (":", ";")
        if _is_label_word(word) or (k > 0 and (glued_colon or next_colon) and word[:1].isalpha()):
            kept = " ".join(words[:k]).rstrip(" |:;,")
            return kept, True
        if word in ("|", ":", ";") and k > 0:
            rest = words[k + 1:]
            if rest and _is_label_word(rest[0]):
                return " ".join(words[:k]).rstrip(" |:;,"), True
    return _norm(value), False


def _strip_colon(value: str) -> str:
    """The colon after a label, often read as ':', ';', '1', '|', '!', or a lone lowercase 'i'/'l'.
    An uppercase 'I' is kept: it is the Balinese name particle (I WAYAN, I GUSTI)."""
    value = re.sub(r"^\s*[:;|!]+\s*", "", value)
    value = re.sub(r"^[1il]\s*[:;|.,]\s*(?=\S)", "", value)  # "1:", "1.", "l;" before the value
    # The colon and the specks around it read as letters glued to it ("TOLLI:DAULAT", "LHI:LIE"): no
    # value has a colon, so a short head ending in one is the colon's.
    value = re.sub(r"^[^\s:;]{1,6}\s?[:;]\s*(?=\S)", "", value)
    value = re.sub(r"^[1il]\s+(?=\S)", "", value)
    # Specks and strokes read before the value (a bullet, a quote, a dash from the card's pattern).
    value = re.sub(r"^[^A-Za-z0-9]+", "", value)
    return value.strip()


_DATE = re.compile(r"([0-9OoIlDBSZ]{1,2})\s*[-./ ]\s*([0-9OoIlDBSZ]{1,2})\s*[-./ ]\s*([0-9OoIlDBSZ]{4})")


def _parse_date(text: str) -> date | None:
    m = _DATE.search(text or "")
    if not m:
        return None
    try:
        d, mth, y = (int(digits_only(g)[0] or "0") for g in m.groups())
        return date(y, mth, d)
    except ValueError:
        return None


def _field(value: str, conf: float, doubt: str = "") -> FieldReading:
    value = re.sub(r"[\s,;:|]+$", "", _norm(value))  # a speck or a stroke read after the value
    return FieldReading(value, max(0.0, min(conf, 1.0)), doubt)


# What a value of each field looks like once read; anything else is doubtful.
NAME_RE = re.compile(r"^[A-Z](?:[A-Z'.,\-]|\s(?=[A-Z]))*[A-Z.']$")
PLACE_RE = re.compile(r"^[A-Z][A-Z0-9 .'\-()/]*$")
PATTERNS: dict[str, re.Pattern[str]] = {
    "name": NAME_RE,
    "birth_place": PLACE_RE,
    "birth_date": re.compile(r"^\d{2}-\d{2}-\d{4}$"),
    "rt_rw": re.compile(r"^\d{3}/\d{3}$"),
    "village": PLACE_RE,
    "district": PLACE_RE,
    "address": re.compile(r"^[A-Z0-9][A-Z0-9 .,'/\-()&]*$"),
    "nik": re.compile(r"^\d{16}$"),
}


def _header(rows: list[Row], first_label_y: float) -> dict[str, FieldReading]:
    """Province and regency/city printed above the NIK: 'PROVINSI …' and the line after it."""
    out: dict[str, FieldReading] = {}
    above = [r for r in rows if r.cy < first_label_y]
    for k, row in enumerate(above):
        upper = _norm(row.text).upper()
        first = upper.split(" ")[0]
        if "province" not in out and (_similar(first, "PROVINSI") >= 0.75 or upper.startswith("PROV")):
            out["province"] = _field(upper.split(" ", 1)[1] if " " in upper else "", row.confidence)
            rest = above[k + 1:]
            if rest:
                out["regency"] = _field(_norm(rest[0].text).upper(), rest[0].confidence)
            break
    if "regency" not in out:
        for row in above:
            upper = _norm(row.text).upper()
            if re.match(r"^\W*(KAB|KOTA)", upper):
                out["regency"] = _field(upper, row.confidence)
                break
    return out


def parse_ktp(
    lines,
    *,
    nik_line: tuple[str, float] | None = None,
    nik_reads: list | None = None,
    rereads: dict[str, list] | None = None,
    today: date | None = None,
) -> KtpReading:
    """Fields of the card from OCR lines and, when read on their own, the NIK band.

    `lines`: (text, confidence) or (text, confidence, (x, y, w, h)[, per-character probabilities]).
    `nik_reads`: the NIK band read on its own, once or more (text, confidence[, per-character
    probabilities]); a second read that disagrees is kept as an alternative and marks the NIK doubtful.
    `rereads`: other reads of a field's whole row by another engine, {"name": [(text, conf), ...]}.
    """
    rows = _rows(lines)
    out: dict[str, FieldReading] = {}
    assigned = _assign_labels(rows)
    placed = sorted((idx, key) for key, (idx, _s, _v) in assigned.items())
    first_y = rows[placed[0][0]].box[1] if placed else float("inf")
    out.update(_header(rows, first_y))
    heights = sorted(rows[i].box[3] for i, _ in placed) or [30]
    text_h = heights[len(heights) // 2]
    label_x = sorted(rows[i].box[0] for i, _ in placed)[len(placed) // 2] if placed else 0
    used = {i for i, _ in placed}
    for pos, (idx, key) in enumerate(placed):
        row = rows[idx]
        _i, label_score, raw = assigned[key]
        value = _strip_colon(raw)
        # The value's own characters (the least sure of them) when the engine gives them, else the line's.
        tail = row.chars[len(row.chars) - len(value):] if value and len(row.chars) == len(row.text) else ()
        conf = (min(tail) if tail else row.confidence) * min(1.0, 0.2 + label_score)
        # Lines between this label and the next that start right of the label column continue the value.
        if key == "address":
            next_y = rows[placed[pos + 1][0]].box[1] if pos + 1 < len(placed) else float("inf")
            for k, other in enumerate(rows):
                if k in used or not (row.cy < other.cy and other.box[1] + other.box[3] / 2 < next_y):
                    continue
                if other.box[0] > label_x + 3 * text_h and other.cy - row.cy < 2.5 * text_h:
                    value = f"{value} {_norm(other.text)}"
                    conf = min(conf, other.confidence)
                    used.add(k)
        _field_from(out, key, value, conf)
        if key == "name" and out.get("name") and re.match(r"^\s*[:;]?\s*[\"'`,.|!]+(?=[A-Za-z])", raw):
            # A stray mark glued to the name where the colon was ('Nama "MAS'): a letter may be in it.
            out["name"] = replace(out["name"], doubt=out["name"].doubt or "colon_glued")
        if key == "name" and out.get("name") and name_has_speck(raw):
            out["name"] = replace(out["name"], doubt=out["name"].doubt or "speck")
    if nik_line is not None:
        nik_reads = [nik_line, *(nik_reads or [])]
    if nik_reads:
        _nik_from_reads(out, nik_reads, today=today)
    for key, reads in (rereads or {}).items():
        _reread(out, key, reads)
    # Every field of the card is present: one not read is empty, and so highlighted.
    for name in ("nik", "name", "birth_place", "birth_date", "sex", "address", "rt_rw", "village", "district",
                 "religion", "marital_status", "occupation", "nationality"):
        out.setdefault(name, FieldReading("", 0.0))
    for name, pattern in PATTERNS.items():
        f = out.get(name)
        if f and f.value and not f.doubt and not pattern.match(f.value):
            out[name] = replace(f, doubt="pattern")
    _district_from_nik(out, today=today)
    return KtpReading(out, tuple(cross_check(out, today=today)))


def _district_from_nik(out: dict[str, FieldReading], *, today: date | None = None) -> None:
    """The Kecamatan as the region table names the NIK's district, when the printed one reads as it: two
    sources agree (the NIK's digits and the printed line), so it is not highlighted for its OCR
    confidence alone. A Kecamatan that does not read as the NIK's is left as read (and the NIK flagged)."""
    nik, district = out.get("nik"), out.get("district")
    if not nik or not district or not district.value or nik.doubt or len(nik.value) != 16:
        return
    try:
        info = parse_nik(nik.value, today=today)
    except InvalidNIK:
        return
    if nik.confidence < THRESHOLDS["nik"] or not district_is_nearest(district.value, info.regency_code,
                                                                     info.district):
        return
    if region_agrees(district.value, info.district) and not district.doubt:
        official = _norm(info.district).upper()
        alternatives = district.alternatives + ((district.value,) if district.value != official else ())
        out["district"] = FieldReading(official, max(district.confidence, THRESHOLDS["district"]), "", alternatives)


def _field_from(out: dict[str, FieldReading], key: str, value: str, conf: float) -> None:
    if key == "sex":
        _sex_and_blood(out, value, conf)
        return
    value, cut = cut_at_label(value)
    doubt = "swallowed_label" if cut else ""
    if key != "name":
        # Only a name can start with the particle "I"; elsewhere a lone "I" first is the colon.
        value = re.sub(r"^I\s+(?=\S)", "", value)
    if key == "nik":
        out["nik"] = replace(_nik_reading(value, conf), doubt=doubt)
    elif key == "birth":
        _birth(out, value, conf)
        if cut:
            out["birth_date"] = replace(out["birth_date"], doubt=doubt)
    elif key == "rt_rw":
        digits, fixes = digits_only(value)
        good = len(digits) == 6
        rt_rw = f"{digits[:3]}/{digits[3:]}" if good else value
        out["rt_rw"] = _field(rt_rw, conf * (1.0 if good else 0.5) * (0.95**fixes), doubt)
    elif key in ("religion", "marital_status", "nationality", "occupation"):
        vocab = {"religion": RELIGIONS, "marital_status": MARITAL, "nationality": NATIONALITIES,
                 "occupation": OCCUPATIONS}[key]
        snapped, score = snap(value.upper(), vocab)
        if snapped not in vocab:
            doubt = doubt or "pattern"
        out[key] = _field(snapped, conf * (score if snapped in vocab else 0.6), doubt)
    elif key == "valid_until":
        if _similar(value, "SEUMUR HIDUP") >= 0.7:
            out[key] = _field("SEUMUR HIDUP", conf * _similar(value, "SEUMUR HIDUP"), doubt)
        else:
            when = _parse_date(value)
            out[key] = _field(f"{when:%d-%m-%Y}" if when else value, conf * (1.0 if when else 0.5),
                              doubt or ("" if when else "pattern"))
    elif key == "name":
        out[key] = _field(name_form(value), conf, doubt)
    elif key == "address":
        out[key] = _field(address_form(value), conf, doubt)
    else:
        out[key] = _field(value.upper(), conf, doubt)


def _reread(out: dict[str, FieldReading], key: str, reads: list) -> None:
    """Another engine's read of the field's row: the better-scored value wins; a disagreement is kept
    as an alternative and lowers the confidence to the loser's doubt."""
    current = out.get(key)
    label = dict(LABELS).get(key if key != "birth_place" else "birth", "")
    glued = specks = False
    for read in reads:
        text, conf = read[0], float(read[1])
        chars = tuple(read[2]) if len(read) > 2 and read[2] is not None else ()
        glued = glued or (key == "name" and _colon_swallowed(text, chars, label))
        speck = key == "name" and name_has_speck(_label_match(re.sub(
            rf"^\W*{re.escape(label)}\s*[:;]?\s*(?=\S)", f"{label} : ", text, flags=re.IGNORECASE), label)[1])
        specks = specks or speck
        if label:  # the label glued to the value: "NamaR.BAMBANG", "NAMA:I WAYAN", "AlamatJL."
            text = re.sub(rf"^\W*{re.escape(label)}\s*[:;]?\s*(?=\S)", f"{label} : ", text, flags=re.IGNORECASE)
        score, raw = _label_match(text, label) if label else (1.0, text)
        value = _strip_colon(raw if score >= MIN_LABEL else text)
        value, cut = cut_at_label(value)
        value = name_form(value) if key == "name" else (
            address_form(value) if key == "address" else space_after_dots(_norm(value).upper()))
        if not value:
            continue
        if current is None or not current.value:
            # The first engine read nothing here: one engine's read, confirmed by none, is highlighted.
            out[key] = current = _field(value, conf, "swallowed_label" if cut else "one_engine")
            continue
        if value == current.value:
            out[key] = current = replace(current, confidence=max(current.confidence, conf))
            continue
        if value.replace(" ", "") == current.value.replace(" ", ""):
            # Same letters, other word gaps: the gaps either engine saw are kept (both miss gaps more
            # often than they invent them); highlighted, since one of them may have invented one.
            merged = _respace_like(value, current.value, keep_own=True)
            out[key] = current = replace(current, value=merged, doubt=current.doubt or "reads_disagree",
                                         alternatives=(*current.alternatives, value))
            continue
        if key == "name":
            # One read is the other with a particle more or a letter dropped at the end (kept), or with
            # the colon's specks read as a junk head (dropped): the better one wins, highlighted.
            better = name_containment(current.value, value)
            if better is not None:
                loser = value if better == current.value else current.value
                out[key] = current = FieldReading(better, max(current.confidence, conf) if better == value
                                                  else current.confidence, current.doubt or "reads_disagree",
                                                  (*current.alternatives, loser))
                continue
        # Other letters: both reads get the gaps either saw, then the better one wins, highlighted.
        value = _respace_like(value, current.value, keep_own=True)
        current = replace(current, value=_respace_like(current.value, value, keep_own=True))
        fits = [bool(PATTERNS.get(key, re.compile(".")).match(v)) for v in (current.value, value)]
        winner_value, winner_conf = (value, conf) if (fits[1], conf) > (fits[0], current.confidence) else (
            current.value, current.confidence)
        loser = current.value if winner_value == value else value
        doubt = current.doubt if winner_value == current.value else ("swallowed_label" if cut else "")
        out[key] = current = FieldReading(winner_value, winner_conf, doubt or "reads_disagree",
                                          (*current.alternatives, loser))
    if key == "name" and current is not None and current.value:
        # Gaps merged from two reads: once more in the card's form ("BR . X" -> "BR. X").
        out[key] = current = replace(current, value=name_form(current.value),
                                     doubt=current.doubt or ("colon_glued" if glued else "") or ("speck" if specks else ""))


def _colon_swallowed(text: str, chars: tuple[float, ...], label: str) -> bool:
    """Whether the colon before a name was read glued to the name's first letter with a low probability:
    the recogniser may have taken a letter next to it for part of the colon ("Nama :MAS" for "IMAS")."""
    m = re.match(rf"^\W*{re.escape(label)}\s*([:;])(?=[A-Za-z])", text, flags=re.IGNORECASE)
    return bool(m) and len(chars) == len(text) and chars[m.start(1)] < 0.6


# Balinese birth-order and caste words that follow the particle "I"/"NI" ("I WAYAN", "NI LUH").
_AFTER_I = ("WAYAN", "MADE", "NYOMAN", "KETUT", "PUTU", "GEDE", "KOMANG", "KADEK", "GUSTI", "DEWA", "LUH", "NENGAH")


def _respace_like(letters: str, spaced: str, *, keep_own: bool = False) -> str:
    """`letters` (read without word gaps) with the word gaps of `spaced` (another read of the same
    words) put at the matching places; a leading I/NI before a Balinese name word gets its space.
    With `keep_own`, the gaps `letters` already has stay too."""
    own = set()
    if keep_own:
        k = 0
        for ch in letters:
            if ch == " ":
                own.add(k)
            else:
                k += 1
        letters = letters.replace(" ", "")
    compact = spaced.replace(" ", "")
    gaps, k = set(), 0
    for ch in spaced:
        if ch == " ":
            gaps.add(k)
        else:
            k += 1
    mapping = {}
    for block in difflib.SequenceMatcher(None, compact, letters, autojunk=False).get_matching_blocks():
        for d in range(block.size + 1):
            mapping.setdefault(block.a + d, block.b + d)
    cuts = sorted({mapping[g] for g in gaps if g in mapping and 0 < mapping[g] < len(letters)} | own)
    out, last = [], 0
    for c in cuts:
        out.append(letters[last:c])
        last = c
    out.append(letters[last:])
    return split_particle(" ".join(w for w in out if w))


def space_after_dots(text: str) -> str:
    """'A.MASNIAR' -> 'A. MASNIAR', 'NO.72' -> 'NO. 72': an abbreviation's dot is followed by a space
    on the card; kept tight only before one or two letters ('R.A.', 'M.SI')."""
    return re.sub(r"\.(?=[A-Z]{3,}|\d)", ". ", text)


# Abbreviations of an address, printed with their dot: jalan, gang, kampung, banjar, lingkungan,
# kompleks, lorong, nomor.
_ADDRESS_ABBREVIATIONS = ("JL", "GG", "KP", "BR", "LINGK", "KOMP", "LR", "NO")


def address_form(value: str) -> str:
    """An address as read, in the card's form: uppercase, no space before a dot or comma ("JL . MAWAR"),
    an abbreviation's dot put back ("JL MAWAR NO 5" -> "JL. MAWAR NO. 5"), a space after it."""
    text = re.sub(r"\s+(?=[.,])", "", _norm(value).upper())
    text = re.sub(r"\b(" + "|".join(_ADDRESS_ABBREVIATIONS) + r")(?= \w)", r"\1.", text)
    return space_after_dots(text)


def split_particle(name: str) -> str:
    """'IWAYAN …' -> 'I WAYAN …', 'NILUH …' -> 'NI LUH …': the narrow gap after the particle is often
    not seen; the words that follow it are few and never start a name with 'I' glued on."""
    m = re.match(r"^(N?I)(" + "|".join(_AFTER_I) + r")(?=\b|[A-Z]{3})", name)
    return f"{m.group(1)} {name[len(m.group(1)):]}" if m else name


# Particles and titles printed as words of a name, across the traditions: Balinese (I, NI, IDA BAGUS,
# ANAK AGUNG, ...), Bugis/Makassar and Buton (ANDI, LA ODE, WA ODE, DG.), Batak (BR., BORU), Minang (DT.,
# ST.), Javanese (R., RR.), Islamic and academic titles (H., HJ., DR., IR.), abbreviations (A., M., MUH.).
PARTICLES = frozenset((
    "I", "NI", "LUH", "IDA", "BAGUS", "AYU", "ANAK", "AGUNG", "GUSTI", "DEWA", "DESAK", "COKORDA", "NGURAH",
    "ANDI", "LA", "WA", "ODE", "DG.", "BR.", "BR", "BORU", "DT.", "ST.", "R.", "RR.", "R.A.", "H.", "HJ.",
    "DR.", "IR.", "DRA.", "A.", "M.", "MUH.", "MOH.", "ABD.",
))
# Particles that open a name: a short word read before one of them is a speck of the colon ("E NI WAYAN").
_OPENERS = ("I", "NI", "IDA", "ANAK", "LA", "WA", "ANDI", "H.", "HJ.", "R.", "RR.", "DR.", "IR.")
# Abbreviated particles and titles; OCR reads their dot as a comma ("HJ,", "DG,").
_DOTTED = ("DG", "BR", "DT", "ST", "R", "RR", "H", "HJ", "DR", "IR", "DRA", "A", "M", "MUH", "MOH", "ABD")
# Academic degrees after a name, printed after a comma ("..., S.H.", "..., M.SI").
_DEGREE = r"(?:S|M|DR|IR|A|B)\.[A-Z]{1,4}\.?(?:[A-Z]{1,4}\.?)?"
# Glued pairs of particle words that OCR reads as one word.
_GLUED_PAIRS = (("IDA", "AYU"), ("IDA", "BAGUS"), ("LA", "ODE"), ("WA", "ODE"), ("ANAK", "AGUNG"))


def name_form(value: str) -> str:
    """`_name_form`'s name."""
    return _name_form(value)[0]


def name_has_speck(raw: str) -> bool:
    """Whether the text before a name carried specks that were dropped (a short head glued to a colon,
    "THAHI : EUIS", or a short word before an opening particle, "E NI WAYAN"): the repair is likely, not
    sure, so the name is highlighted even when both engines agree after it."""
    head = re.match(r"^([^\s:;]{1,6})\s?[:;]\s*(?=\S)", re.sub(r"^\s*[:;|!]+\s*", "", raw))
    if head and not re.fullmatch(r"[1il|!]", head.group(1)):
        return True
    return _name_form(_strip_colon(raw))[1]


def _name_form(value: str) -> tuple[str, bool]:
    """A name as read, in the card's form: uppercase, one space between words, a space after an
    abbreviation's dot, the particles' dots ("HJ," -> "HJ."), a comma before a degree, glued particle
    words apart ("IDAAYU" -> "IDA AYU", "IWAYAN" -> "I WAYAN"). Changes only what the particles and
    titles decide; the name's own words are never changed."""
    name = re.sub(r"\s+(?=[.,])", "", _norm(value).upper())  # "ST . MARLINA", "RUQAYAH , M.SI"
    name = re.sub(r",(?=[A-Z])", ", ", name)
    name = _norm(re.sub(r"(?<![A-Z])-|-(?![A-Z])", " ", name))  # a hyphen joins two words or is a speck
    name = space_after_dots(re.sub(r"^H\s+J\.", "HJ.", name))
    name = re.sub(r"\b(" + "|".join(_DOTTED) + r")\s?,\s*(?=[A-Z])", r"\1. ", name)
    name = re.sub(r"(?<=[A-Z'])\.?\s+(?=" + _DEGREE + r"$)", ", ", name) if "," not in name else name
    words = name.split(" ")
    for first, second in _GLUED_PAIRS:
        rest = words[0][len(first + second):]
        if words[0].startswith(first + second) and (not rest or len(rest) >= 4):
            words[:1] = [first, second, rest]
    words = [w for w in words if w]
    dropped = False
    while len(words) > 2 and len(words[0]) <= 2 and "." not in words[0] and words[0] not in PARTICLES \
            and (words[1] in _OPENERS or words[1] + "." in _OPENERS):
        words.pop(0)
        dropped = True
    name = " ".join(words)
    # An abbreviated title or an initial is printed with its dot ("ST. MARLINA", "BONAR P. SIREGAR"); a
    # lone "I" is the Balinese particle, not an initial; "BR" is printed with and without one.
    name = re.sub(r"(?<![A-Z.'\-])(" + "|".join(d for d in _DOTTED if len(d) > 1 and d != "BR") + r"|[A-HJ-Z])(?= [A-Z])",
                  r"\1.", name)
    return split_particle(name), dropped


def _particle_words(words: list[str]) -> bool:
    return bool(words) and all(w in PARTICLES for w in words)


def name_containment(a: str, b: str) -> str | None:
    """Of two reads of one name whose letters differ only at an end, the right one, or None when they
    differ otherwise: a head that is particle words is kept ("I" dropped by one engine); a head glued
    to the first word or of short non-particle words is the colon's specks ("TLJOHANNES", "E NI WAYAN");
    one or two letters glued at the end were dropped by the other read ("ZULKIFL")."""
    la, lb = a.replace(" ", ""), b.replace(" ", "")
    if la == lb or not la or not lb:
        return None
    for long, short, l_long, l_short in ((a, b, la, lb), (b, a, lb, la)):
        extra = len(l_long) - len(l_short)
        if 0 < extra <= 8 and l_long.endswith(l_short):
            words = long.split(" ")
            head, k = [], 0
            while words and k < extra:
                head.append(words.pop(0))
                k += len(head[-1])
            if k == extra and _particle_words(head):
                return _respace_like(long, short, keep_own=True)
            glued = l_long[:extra]
            if (glued in ("I", "NI") and short.split(" ")[0] in _AFTER_I) or (len(glued) > 2 and glued in PARTICLES):
                return f"{glued} {short}"  # the particle glued to the next word ("IKETUT", "ANDIMUH.")
            if k > extra or all(len(w.rstrip(".")) <= 3 and w not in PARTICLES for w in head):
                return short
        if 0 < extra <= 2 and l_long.startswith(l_short) and not long[-extra - 1:].count(" ") \
                and long[-extra:].isalpha() and long[-extra] != long[-extra - 1]:
            return _respace_like(long, short, keep_own=True)
        if 0 < extra <= 2 and _thin_letters_more(l_short, l_long):
            return _respace_like(long, short, keep_own=True)
        if 0 < extra <= 3 and _collapsed_letters_more(l_short, l_long):
            return _respace_like(long, short, keep_own=True)
    if la.rstrip(".") != la or lb.rstrip(".") != lb:
        la, lb = la.rstrip("."), lb.rstrip(".")  # a degree's last dot lost in a blur ("S.H")
    if len(la) == len(lb) and la != lb and all(x == y or {x, y} == {"O", "Q"} for x, y in zip(la, lb, strict=True)):
        # Only O against Q: the Q's tail is lost in a blur more often than one is invented ("RUOAYAH").
        q_read, other = (a, b) if la.count("Q") > lb.count("Q") else (b, a)
        return _respace_like(q_read, other, keep_own=True)
    return None


_THIN = frozenset("ILTJ'.-")


def _collapsed_letters_more(short: str, long: str) -> bool:
    """Whether `long` is `short` with single letters added inside words, each a thin letter or a double
    letter's twin ("MAPPANYUKI" for "MAPPANYUKKI", "MAJA" for "MAJJA", "JUADI" for "JUMADI" is not):
    a blurred double letter is recognised as one (the recogniser's columns merge), an invented twin
    inside a word is rare."""
    ops = difflib.SequenceMatcher(None, short, long, autojunk=False).get_opcodes()
    changed = [(tag, j1, j2) for tag, _i1, _i2, j1, j2 in ops if tag != "equal"]
    if not changed or any(tag != "insert" or j2 - j1 != 1 for tag, j1, j2 in changed):
        return False
    for _tag, j1, _j2 in changed:
        start, end = j1, j1 + 1  # the run of this letter, which must lie inside a word
        while start > 0 and long[start - 1] == long[j1]:
            start -= 1
        while end < len(long) and long[end] == long[j1]:
            end += 1
        if start == 0 or end >= len(long) or not (long[start - 1] + long[j1] + long[end]).isalpha():
            return False
        if long[j1] not in _THIN and long[j1] not in (long[j1 - 1], long[j1 + 1]):
            return False
    return True


def _thin_letters_more(short: str, long: str) -> bool:
    """Whether `long` is `short` with only thin letters added (I, L, T, J, apostrophe, dot, hyphen):
    the letters a blurred line loses first ("FELCIA" for "FELICIA", "NURAINI" for "NUR'AINI")."""
    ops = difflib.SequenceMatcher(None, short, long, autojunk=False).get_opcodes()
    added = [long[j1:j2] for tag, _i1, _i2, j1, j2 in ops if tag != "equal"]
    # Inside the name, and not a letter doubled (a blurred letter read twice: "ISMAILL").
    inside = all(j1 > 0 and j2 < len(long) and long[j1 - 1] != long[j1] and long[j2 - 1] != long[j2]
                 for tag, _i1, _i2, j1, j2 in ops if tag != "equal")
    return all(tag in ("equal", "insert") for tag, *_ in ops) and bool(added) and inside \
        and set("".join(added)) <= _THIN


def nik_digit_probabilities(text: str, chars: tuple[float, ...] = ()) -> tuple[str, list[float]]:
    """The NIK digits of a band read on its own (its label, if read, removed) and each digit's probability."""
    m = re.match(r"^\W*N\s*[I1l|]\s*K\s*[:;]?", text, re.IGNORECASE)
    start = m.end() if m else 0
    digits, probs, _fixes = _digits_with_probs(text[start:], tuple(chars[start:]))
    if len(digits) > 16:
        # A stray ':' read as '1' before the number, or noise after it: keep the 16 at the likely end.
        keep_end = text[start:].strip()[:1] in ":;1|"
        digits, probs = (digits[-16:], probs[-16:]) if keep_end else (digits[:16], probs[:16])
    return digits, probs


def nik_is_doubtful(text: str, chars: tuple[float, ...] = ()) -> bool:
    """Whether a NIK read needs a second read: not 16 digits, or a digit below DIGIT_DOUBT."""
    digits, probs = nik_digit_probabilities(text, chars)
    return len(digits) != 16 or (bool(probs) and min(probs) < DIGIT_DOUBT)


def nik_agreement(nik: str, fields: dict[str, FieldReading], *, today: date | None = None) -> int:
    """How many of the things printed on the card a NIK agrees with (birth date, sex, province,
    regency/city, Kecamatan); -1 when it breaks the NIK rules."""
    try:
        info = parse_nik(nik, today=today)
    except InvalidNIK:
        return -1
    score = int(_parse_date(fields.get("birth_date", FieldReading("", 0.0)).value) == info.birth_date)
    score += int(SEXES.get(fields.get("sex", FieldReading("", 0.0)).value) == info.sex)
    for name, official in (("province", info.province), ("regency", info.regency), ("district", info.district)):
        printed = fields.get(name)
        score += int(bool(printed and printed.value and official) and region_agrees(printed.value, official))
    return score


def _nik_from_reads(out: dict[str, FieldReading], reads: list, *, today: date | None = None) -> None:
    """The NIK from reads of its band: the first full read wins; other full reads must agree with it.
    When they do not, the read that agrees with more of what the card prints (birth date, sex, region)
    is shown first; the disagreement stays flagged either way."""
    parsed = []
    for read in reads:
        text, conf = read[0], float(read[1])
        chars = tuple(read[2]) if len(read) > 2 and read[2] is not None else ()
        digits, probs = nik_digit_probabilities(text, chars)
        _d, fixes = digits_only(text)
        digit_conf = min(probs) if probs else conf
        c = min(conf, digit_conf) * (1.0 if len(digits) == 16 else 0.3)
        parsed.append((digits, c, probs))
    full = [(d, c) for d, c, _p in parsed if len(d) == 16]
    current = out.get("nik")
    if full:
        value, conf = full[0]
        others = tuple(sorted({d for d, _c in full[1:] if d != value}))
        # The NIK in the full-text read (another engine, whole card) only confirms: band reads are the
        # ones made for digits, and the full text misreads them far more often.
        if current and current.value == value:
            conf = max(conf, current.confidence)
        if any(d == value for d, _c in full[1:]):
            conf = max(conf, max(c for d, c in full[1:] if d == value))
        if others:
            ranked = sorted((value, *others), key=lambda d: -nik_agreement(d, out, today=today))
            if ranked[0] != value and nik_agreement(ranked[0], out, today=today) > nik_agreement(value, out, today=today):
                value, others = ranked[0], tuple(sorted(d for d in (value, *others) if d != ranked[0]))
                conf = max(c for d, c in full if d == value)
            # Band reads that the card's print cannot tell apart: the one the full-text read (the other
            # engine, the whole card) also gave is shown first.
            seen = current.value if current and len(current.value) == 16 else ""
            if seen != value and any(d == seen for d, _c in full) \
                    and nik_agreement(seen, out, today=today) >= nik_agreement(value, out, today=today):
                value, others = seen, tuple(sorted({d for d, _c in full if d != seen}))
                conf = max(c for d, c in full if d == value)
            voted = _nik_digit_vote([(d, p) for d, _c, p in parsed if len(d) == 16 and len(p) == 16], out,
                                    today=today)
            if voted and voted != value and nik_agreement(voted, out, today=today) > nik_agreement(value, out, today=today):
                value, others = voted, tuple(sorted({d for d, _c in full if d != voted}))
                conf = min(c for _d, c in full)
        out["nik"] = FieldReading(value, conf, "reads_disagree" if others else "", others)
    elif current is None or len(current.value) != 16:
        out["nik"] = FieldReading(*parsed[0][:2])


def _nik_digit_vote(reads: list[tuple[str, list[float]]], out: dict[str, FieldReading], *,
                    today: date | None = None, max_positions: int = 4) -> str:
    """Reads of the NIK band that disagree, combined digit by digit: each position where they differ takes
    any of the digits read there, and of these combinations the one that agrees with most of what the
    card prints (NIK rules, birth date, sex, region) wins, ties going to the digits read with the higher
    summed probability. Two reads each wrong at another digit still give the printed NIK. Empty when
    they differ in more than `max_positions` places (a misread band, not a misread digit)."""
    if len(reads) < 2:
        return ""
    differ = [i for i in range(16) if len({d[i] for d, _p in reads}) > 1]
    if not differ or len(differ) > max_positions:
        return ""
    choices = [sorted({d[i] for d, _p in reads}) for i in differ]
    best, best_key = "", None
    for combo in itertools.product(*choices):
        digits = list(reads[0][0])
        for i, ch in zip(differ, combo, strict=True):
            digits[i] = ch
        candidate = "".join(digits)
        vote = sum(p[i] for d, p in reads for i in differ if d[i] == candidate[i])
        key = (nik_agreement(candidate, out, today=today), vote)
        if best_key is None or key > best_key:
            best, best_key = candidate, key
    return best


def _nik_reading(text: str, conf: float) -> FieldReading:
    digits, fixes = digits_only(text)
    if len(digits) > 16:
        # A stray ':' read as '1' before the number, or noise after it: keep the 16 at the likely end.
        digits = digits[-16:] if text.strip()[:1] in ":;1|" else digits[:16]
        conf *= 0.8
    return FieldReading(digits, conf * (0.9**fixes) * (1.0 if len(digits) == 16 else 0.3))


def _birth(out: dict[str, FieldReading], value: str, conf: float) -> None:
    m = _DATE.search(value)
    when = _parse_date(value)
    place = value[: m.start()] if m else value
    place = re.sub(r"[\s,.;]+$", "", place).upper()
    out["birth_place"] = _field(place, conf if place else 0.0)
    out["birth_date"] = _field(f"{when:%d-%m-%Y}" if when else "", conf if when else 0.0,
                               "" if when else "pattern")


# "Gol. Darah" as OCR reads it: "GOL, DARAH", "GAL.", "GD.", "Go1 Darah", "Gol.Darah".
_BLOOD_LABEL = re.compile(r"\bG\s*[AOo0D]?\s*[lL1I|]?\s*[.,]?\s*(D\s*[AaRr]\w*|(?=\s*[:;]))", re.IGNORECASE)


def _sex_and_blood(out: dict[str, FieldReading], value: str, conf: float) -> None:
    """'LAKI-LAKI Gol. Darah : O': the sex is read from the start of the value by itself, so a blood-type
    label the OCR mangled does not take the sex with it."""
    text = _norm(value).upper()
    best, best_score, best_end = "", 0.0, 0
    compact = text.replace(" ", "")
    for word in SEXES:
        for extra in (-1, 0, 1):
            n = len(word) + extra
            if n <= 0 or n > len(compact):
                continue
            score = _similar(compact[:n], word)
            if score > best_score:
                best, best_score, best_end = word, score, n
    if best_score >= 0.7:
        out["sex"] = _field(best, conf * best_score, "" if best_score >= 0.85 else "pattern")
    else:
        out["sex"] = _field(text.split(" ")[0] if text else "", conf * 0.5, "pattern")
    # The rest, past the sex word: the blood-type label and the type.
    consumed, k = 0, 0
    while k < len(text) and consumed < best_end:
        if text[k] != " ":
            consumed += 1
        k += 1
    rest = text[k:]
    m = _BLOOD_LABEL.search(rest)
    if m or re.search(r"DARAH|D\s*A\s*R\s*A\s*H", rest):
        tail = re.split(r"DARAH|:", rest)[-1] if ("DARAH" in rest or ":" in rest) else rest[m.end():]
        blood = re.sub(r"^[\s:;1|.,]+", "", tail).strip().upper().replace("0", "O")
        out["blood_type"] = _field(blood, conf if blood in BLOOD_TYPES else conf * 0.5,
                                   "" if blood in BLOOD_TYPES else "pattern")


# --- cross-checks ---------------------------------------------------------------------------------

_REGION_WORDS = re.compile(r"\b(PROVINSI|PROV\.?|KABUPATEN|KAB\.?|KOTA|ADMINISTRASI|ADM\.?)\b")
_REGION_ALIASES = (("DAERAH KHUSUS IBUKOTA", "DKI"), ("DAERAH KHUSUS JAKARTA", "DKI JAKARTA"),
                   ("DAERAH ISTIMEWA", "DI"), ("D.I.", "DI"), ("D.K.I.", "DKI"))


def region_key(name: str) -> str:
    """A region's name reduced to what the card and the code table share: no 'PROVINSI', 'KABUPATEN',
    'KOTA', 'ADMINISTRASI', no spaces or punctuation; 'DAERAH KHUSUS IBUKOTA' is 'DKI'."""
    upper = _norm(name).upper()
    for long, short in _REGION_ALIASES:
        upper = upper.replace(long, short)
    upper = _REGION_WORDS.sub(" ", upper)
    return re.sub(r"[^A-Z0-9]", "", upper)


def region_agrees(printed: str, official: str, minimum: float = 0.8) -> bool:
    """Whether a printed region name (OCR) reads as the official one."""
    a, b = region_key(printed), region_key(official)
    if not a or not b:
        return True
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= minimum


def district_is_nearest(printed: str, regency_code: str, official: str) -> bool:
    """Whether the printed Kecamatan reads as `official` more than as any other current district of the
    regency: a NIK whose district digits flipped to a neighbour with a similar name is caught too."""
    if not official or not printed:
        return not official
    key = region_key(printed)

    def close(name: str) -> float:
        return difflib.SequenceMatcher(None, key, region_key(name)).ratio()

    others = [r.name for r in regions.districts(regency_code) if not r.retired_after and r.name != official]
    return all(close(official) >= close(name) for name in others)


def _flag(code: str, field_name: str, text_id: str, text_en: str) -> KtpFlag:
    return KtpFlag(code, field_name, text_id, text_en)


def cross_check(fields: dict[str, FieldReading], *, today: date | None = None) -> list[KtpFlag]:
    """The NIK against the NIK rules, against a second read of it, and against what the card prints:
    province, regency/city and Kecamatan, birth date and sex."""
    nik = fields.get("nik", FieldReading("", 0.0)).value
    if len(nik) != 16:
        return [_flag("nik_unreadable", "nik", "NIK tidak terbaca lengkap: mohon periksa atau ketik",
                      "The NIK could not be read in full: please check or type it")]
    try:
        info = parse_nik(nik, today=today)
    except InvalidNIK as exc:
        return [_flag(f"nik_invalid_{exc.part}", "nik", "NIK tidak sesuai aturan: mohon periksa atau ketik",
                      "The NIK breaks the NIK rules: please check or type it")]
    flags = [_flag("nik_warning", "nik", "Mohon periksa NIK", "Please check the NIK") for _ in info.warnings[:1]]
    nik_field = fields.get("nik", FieldReading("", 0.0))
    if any(alt != nik for alt in nik_field.alternatives):
        flags.append(_flag("nik_reads_disagree", "nik",
                           "NIK terbaca berbeda pada pembacaan kedua: mohon periksa",
                           "A second read of the NIK gave other digits: please check it"))
    # The region the NIK encodes against the region printed on the card (header and Kecamatan line).
    printed = [("province", info.province), ("regency", info.regency)]
    if info.district:
        printed.append(("district", info.district))
    wrong = [name for name, official in printed
             if fields.get(name) and fields[name].value and not region_agrees(fields[name].value, official)]
    district = fields.get("district")
    if info.district and district and district.value and not wrong \
            and not district_is_nearest(district.value, info.regency_code, info.district):
        wrong.append("district")
    if wrong:
        flags.append(_flag("nik_region_mismatch", "nik",
                           "Wilayah pada NIK berbeda dengan yang tercetak di KTP: mohon periksa NIK",
                           "The region in the NIK differs from the one printed on the card: please check the NIK"))
    printed = _parse_date(fields.get("birth_date", FieldReading("", 0.0)).value)
    if printed is None:
        flags.append(_flag("birth_date_unreadable", "birth_date", "Tanggal lahir tidak terbaca: mohon periksa",
                           "The birth date could not be read: please check it"))
    elif printed != info.birth_date:
        flags.append(_flag("nik_birth_date_mismatch", "birth_date",
                           "Tanggal lahir di NIK berbeda dengan yang tercetak: mohon konfirmasi",
                           "The birth date in the NIK differs from the printed one: please confirm"))
    sex = SEXES.get(fields.get("sex", FieldReading("", 0.0)).value)
    if sex is None:
        flags.append(_flag("sex_unreadable", "sex", "Jenis kelamin tidak terbaca: mohon periksa",
                           "Sex could not be read: please check it"))
    elif sex != info.sex:
        flags.append(_flag("nik_sex_mismatch", "sex", "Jenis kelamin di NIK berbeda dengan yang tercetak: mohon konfirmasi",
                           "The sex in the NIK differs from the printed one: please confirm"))
    return flags
