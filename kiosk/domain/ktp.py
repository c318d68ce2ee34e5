"""From OCR lines of an e-KTP face to fields with confidences, and the NIK checked against what is printed.

Pure: lines of text and their OCR confidence in, a `KtpReading` out. Labels are matched loosely (OCR
drops colons, reads ':' as '1', merges words); values of closed vocabularies (religion, marital status,
sex, ...) are snapped to the nearest official wording, which lowers their confidence by the distance.
Letter-for-digit fixes (O->0, I->1, B->8, ...) are applied only where only digits are printed: the
NIK, the birth date and RT/RW, never to names or addresses.

A NIK that breaks the NIK rules, or encodes a birth date or sex other than the printed ones, becomes a
flag: the guest is asked to confirm or type it, never silently accepted.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date

from kiosk.domain.nik import InvalidNIK, parse_nik

LOW_CONFIDENCE = 0.80

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
    confidence: float  # 0..1; below LOW_CONFIDENCE the confirm screen highlights the field

    @property
    def low(self) -> bool:
        return self.confidence < LOW_CONFIDENCE


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

    def value(self, name: str) -> str:
        reading = self.fields.get(name)
        return reading.value if reading else ""

    @property
    def birth_date(self) -> date | None:
        return _parse_date(self.value("birth_date"))

    @property
    def sex(self) -> str:
        return SEXES.get(self.value("sex"), "")

    def low_confidence(self, threshold: float = LOW_CONFIDENCE) -> list[str]:
        """Fields to highlight: read with low confidence, missing, or named by a flag."""
        flagged = {f.field for f in self.flags}
        return [name for name, r in self.fields.items() if r.confidence < threshold or not r.value or name in flagged]

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
    kept = [ch for ch in text if ch.isalnum() or ch in "|!"]
    fixed = "".join(kept).translate(DIGIT_FIXES)
    digits = "".join(ch for ch in fixed if ch.isdigit())
    return digits, sum(1 for ch in kept if not ch.isdigit())


def _split_label(text: str) -> tuple[str | None, str, float]:
    """(field, value, label similarity) for one line, matching its first words against the labels."""
    text = _norm(text)
    words = text.split(" ")
    best: tuple[str | None, str, float] = (None, text, 0.0)
    for key, label in LABELS:
        n = len(label.split(" "))
        for take in {n, n - 1, n + 1} - {0}:
            if take > len(words):
                continue
            head = " ".join(words[:take]).rstrip(":;")
            score = _similar(head, label)
            if score > best[2]:
                best = (key, " ".join(words[take:]), score)
    key, value, score = best
    if score < 0.72:
        return None, text, score
    # The colon after the label is often read as ':', ';', '1', 'i' or '|', or glued to the value.
    value = re.sub(r"^\s*[:;|!]\s*", "", value)
    value = re.sub(r"^[1iIl]\s+", "", value)
    return key, value.strip(), score


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


def _field(value: str, conf: float) -> FieldReading:
    return FieldReading(_norm(value), max(0.0, min(conf, 1.0)))


def parse_ktp(
    lines: list[tuple[str, float]],
    *,
    nik_line: tuple[str, float] | None = None,
    today: date | None = None,
) -> KtpReading:
    """Fields of the card from OCR lines (top to bottom) and, when read on its own, the NIK line."""
    out: dict[str, FieldReading] = {}
    header = [(t, c) for t, c in lines[:3] if re.match(r"^\W*(PROV|KAB|KOTA)", _norm(t).upper())]
    for text, conf in header:
        upper = _norm(text).upper()
        if upper.startswith("PROV"):
            out["province"] = _field(re.sub(r"^PROV\w*\s*", "", upper), conf)
        else:
            out["regency"] = _field(upper, conf)
    for text, conf in lines:
        key, value, label_score = _split_label(text)
        if key is None or key in out:
            continue
        conf *= min(1.0, 0.2 + label_score)
        if key == "nik":
            out["nik"] = _nik_reading(value, conf)
        elif key == "birth":
            _birth(out, value, conf)
        elif key == "sex":
            _sex_and_blood(out, value, conf)
        elif key == "rt_rw":
            digits, fixes = digits_only(value)
            good = len(digits) == 6
            rt_rw = f"{digits[:3]}/{digits[3:]}" if good else value
            out["rt_rw"] = _field(rt_rw, conf * (1.0 if good else 0.5) * (0.95**fixes))
        elif key in ("religion", "marital_status", "nationality", "occupation"):
            vocab = {"religion": RELIGIONS, "marital_status": MARITAL, "nationality": NATIONALITIES,
                     "occupation": OCCUPATIONS}[key]
            snapped, score = snap(value.upper(), vocab)
            out[key] = _field(snapped, conf * (score if snapped in vocab else 0.6))
        elif key == "valid_until":
            if _similar(value, "SEUMUR HIDUP") >= 0.7:
                out[key] = _field("SEUMUR HIDUP", conf * _similar(value, "SEUMUR HIDUP"))
            else:
                when = _parse_date(value)
                out[key] = _field(f"{when:%d-%m-%Y}" if when else value, conf * (1.0 if when else 0.5))
        else:
            out[key] = _field(value.upper(), conf)
    if nik_line is not None:
        single = _nik_reading(*nik_line)
        current = out.get("nik")
        # The NIK read on its own (digit-only recognition) wins when it has 16 digits.
        if len(single.value) == 16 or current is None or len(current.value) != 16:
            if current and current.value == single.value:
                single = FieldReading(single.value, max(single.confidence, current.confidence))
            out["nik"] = single
    for name in ("nik", "name", "birth_place", "birth_date", "sex", "address"):
        out.setdefault(name, FieldReading("", 0.0))
    return KtpReading(out, tuple(cross_check(out, today=today)))


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
    out["birth_date"] = _field(f"{when:%d-%m-%Y}" if when else "", conf if when else 0.0)


def _sex_and_blood(out: dict[str, FieldReading], value: str, conf: float) -> None:
    m = re.search(r"G\s*[o0]\s*[l1I]\s*\.?\s*D\w*", value, re.IGNORECASE)
    sex_part, blood_part = (value[: m.start()], value[m.end():]) if m else (value, "")
    snapped, score = snap(sex_part.strip().upper(), tuple(SEXES))
    out["sex"] = _field(snapped, conf * (score if snapped in SEXES else 0.5))
    blood = re.sub(r"^[\s:;1|]+", "", blood_part).strip().upper().replace("0", "O")
    if m:
        out["blood_type"] = _field(blood if blood in BLOOD_TYPES else blood, conf if blood in BLOOD_TYPES else conf * 0.5)


def _flag(code: str, field_name: str, text_id: str, text_en: str) -> KtpFlag:
    return KtpFlag(code, field_name, text_id, text_en)


def cross_check(fields: dict[str, FieldReading], *, today: date | None = None) -> list[KtpFlag]:
    """The NIK against the NIK rules and against the printed birth date and sex."""
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
