"""Random but valid made-up identities for synthetic e-KTP cards: no real person, only plausible combinations.

Names, streets and villages are assembled from common Indonesian words; the NIK is encoded from the
identity's own region, birth date and sex (`PP RR DD ddmmyy SSSS`, day + 40 for women), so it passes the
NIK rules and agrees with the printed birth date and sex.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

# A small sample of real administrative codes (Kemendagri numbering, the one NIKs use): province,
# regency/city, kecamatan. Public facts about places, not about people.
REGION_SAMPLE: tuple[tuple[str, str, str, str, str, str], ...] = (
    # province code, province, regency code, regency, district code, district
    ("31", "DKI JAKARTA", "71", "KOTA JAKARTA PUSAT", "01", "GAMBIR"),
    ("31", "DKI JAKARTA", "71", "KOTA JAKARTA PUSAT", "06", "MENTENG"),
    ("31", "DKI JAKARTA", "71", "KOTA JAKARTA PUSAT", "07", "TANAH ABANG"),
    ("51", "BALI", "05", "KABUPATEN KLUNGKUNG", "01", "NUSAPENIDA"),
    ("51", "BALI", "05", "KABUPATEN KLUNGKUNG", "02", "BANJARANGKAN"),
    ("51", "BALI", "05", "KABUPATEN KLUNGKUNG", "03", "KLUNGKUNG"),
    ("51", "BALI", "05", "KABUPATEN KLUNGKUNG", "04", "DAWAN"),
    ("62", "KALIMANTAN TENGAH", "03", "KABUPATEN KAPUAS", "01", "SELAT"),
    ("53", "NUSA TENGGARA TIMUR", "05", "KABUPATEN ALOR", "01", "TELUK MUTIARA"),
    ("35", "JAWA TIMUR", "78", "KOTA SURABAYA", "01", "KARANG PILANG"),
    ("32", "JAWA BARAT", "73", "KOTA BANDUNG", "01", "SUKASARI"),
    ("33", "JAWA TENGAH", "74", "KOTA SEMARANG", "01", "SEMARANG TENGAH"),
)

FIRST_NAMES_M = (
    "AGUS", "BUDI", "DEDI", "EKO", "FAJAR", "HENDRA", "IRWAN", "JOKO", "KURNIAWAN", "MUHAMMAD", "NYOMAN",
    "PUTU", "RUDI", "SLAMET", "TEGUH", "WAYAN", "YUSUF", "ARIF", "BAMBANG", "DIMAS", "GEDE", "RIZKY",
)
FIRST_NAMES_F = (
    "AYU", "DEWI", "FITRI", "INDAH", "KADEK", "LESTARI", "MADE", "NUR", "PUTRI", "RATNA", "SITI", "SRI",
    "WULAN", "YULI", "ANISA", "CITRA", "EKA", "KOMANG", "MAYA", "RINA", "TUTI", "WIDYA",
)
LAST_NAMES = (
    "SANTOSO", "WIJAYA", "SAPUTRA", "HIDAYAT", "LESTARI", "PRATAMA", "KUSUMA", "SETIAWAN", "NUGROHO", "RAHAYU",
    "SURYANI", "HARTONO", "PURNAMA", "SUSANTI", "WIBOWO", "HANDAYANI", "ASTUTI", "FIRMANSYAH", "GUNAWAN",
    "MAHENDRA", "ARDIANSYAH", "UTAMI", "YULIANTI", "SUDARSO",
)
STREETS = (
    "JL. MAWAR", "JL. MELATI", "JL. KENANGA", "JL. MERDEKA", "JL. DIPONEGORO", "JL. SUDIRMAN", "JL. GAJAH MADA",
    "GG. DAMAI", "JL. PAHLAWAN", "JL. CEMPAKA", "DUSUN KRAJAN", "KP. BARU", "BR. DINAS TENGAH", "JL. ANGGREK",
)
VILLAGES = (
    "SUKAMAJU", "MEKARSARI", "SUKARAME", "KARANGANYAR", "SIDOMULYO", "TAMANSARI", "MEKARJAYA", "SUMBERSARI",
    "PASIRJAYA", "CEMPAKA BARU", "KEBON JERUK", "MARGAHAYU", "GELGEL", "TOJAN", "KAMPUNG BARU",
)
BIRTH_PLACES = (
    "JAKARTA", "BANDUNG", "SURABAYA", "SEMARANG", "DENPASAR", "KLUNGKUNG", "KUALA KAPUAS", "KALABAHI", "MEDAN",
    "MAKASSAR", "YOGYAKARTA", "MALANG", "BOGOR", "PALANGKA RAYA", "KUPANG", "SOLO",
)
RELIGIONS = ("ISLAM", "KRISTEN", "KATOLIK", "HINDU", "BUDHA", "KONGHUCU")
MARITAL = ("BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI")
OCCUPATIONS = (
    "KARYAWAN SWASTA", "WIRASWASTA", "PELAJAR/MAHASISWA", "PEGAWAI NEGERI SIPIL", "MENGURUS RUMAH TANGGA",
    "PETANI/PEKEBUN", "PEDAGANG", "GURU", "BELUM/TIDAK BEKERJA", "NELAYAN/PERIKANAN", "BURUH HARIAN LEPAS",
)
BLOOD = ("A", "B", "AB", "O", "-")


@dataclass(frozen=True)
class SyntheticIdentity:
    """The printed face of one made-up e-KTP; field names match `kiosk.domain.ktp.KtpFields`."""

    nik: str
    name: str
    birth_place: str
    birth_date: date
    sex: str  # "male" | "female"
    blood_type: str
    address: str
    rt_rw: str
    village: str
    district: str
    religion: str
    marital_status: str
    occupation: str
    nationality: str
    valid_until: str
    province: str
    regency: str
    issued_at: date
    issue_place: str = field(default="")

    @property
    def sex_text(self) -> str:
        return "LAKI-LAKI" if self.sex == "male" else "PEREMPUAN"


def encode_nik(province: str, regency: str, district: str, birth: date, sex: str, serial: int) -> str:
    day = birth.day + (40 if sex == "female" else 0)
    return f"{province}{regency}{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def random_identity(rng: random.Random, *, today: date = date(2026, 11, 1)) -> SyntheticIdentity:
    prov_code, province, reg_code, regency, dist_code, district = rng.choice(REGION_SAMPLE)
    sex = rng.choice(("male", "female"))
    # Adults 17-80; the NIK's yy must not be read as the wrong century, which holds for 1946-2009 births.
    birth = today - timedelta(days=rng.randint(17 * 366, 80 * 365))
    first = rng.choice(FIRST_NAMES_M if sex == "male" else FIRST_NAMES_F)
    parts = [first] + rng.sample(LAST_NAMES, rng.choice((1, 1, 2)))
    name = " ".join(parts)
    street = f"{rng.choice(STREETS)} NO. {rng.randint(1, 150)}"
    issued = today - timedelta(days=rng.randint(30, 9 * 365))
    marital = "BELUM KAWIN" if today.year - birth.year < 20 else rng.choice(MARITAL)
    regency_short = regency.removeprefix("KABUPATEN ").removeprefix("KOTA ")
    return SyntheticIdentity(
        nik=encode_nik(prov_code, reg_code, dist_code, birth, sex, rng.randint(1, 9999)),
        name=name,
        birth_place=rng.choice(BIRTH_PLACES),
        birth_date=birth,
        sex=sex,
        blood_type=rng.choice(BLOOD),
        address=street,
        rt_rw=f"{rng.randint(1, 20):03d}/{rng.randint(1, 15):03d}",
        village=rng.choice(VILLAGES),
        district=district,
        religion=rng.choice(RELIGIONS),
        marital_status=marital,
        occupation=rng.choice(OCCUPATIONS),
        nationality="WNI",
        valid_until="SEUMUR HIDUP",
        province=province,
        regency=regency,
        issued_at=issued,
        issue_place=regency_short,
    )


# --- broader identities for the evaluation: naming traditions across Indonesia, every region ------

# Each tradition: (men's names, women's names), as they are printed on the KTP (uppercase, with
# particles, titles and abbreviations as people use them). Made up from common words and particles.
TRADITIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "balinese": (
        ("I WAYAN SUDIARTA", "I MADE ARSANA", "I NYOMAN SUARJANA", "I KETUT MERTA", "I PUTU GEDE ARYA",
         "I GUSTI NGURAH RAI PUTRA", "IDA BAGUS MADE OKA", "ANAK AGUNG GEDE AGUNG", "I DEWA GEDE SUKARDA",
         "I KOMANG ADI SAPUTRA", "I GEDE WIRAWAN", "COKORDA GEDE RAKA"),
        ("NI KETUT SARI", "NI WAYAN SUKARNI", "NI MADE AYU LESTARI", "NI LUH PUTU ARIANI", "NI NYOMAN RAI",
         "IDA AYU MADE SRI", "ANAK AGUNG ISTRI MIRAH", "NI KOMANG TRIANI", "DESAK MADE SUARNI",
         "I GUSTI AYU KADE SRI", "NI PUTU EKA YANTI"),
    ),
    "bugis_makassar": (
        ("ANDI MUH. RAHMAN", "LA ODE MUHAMMAD SYARIF", "H. ABD. RAHMAN DG. NGITUNG", "ANDI ARUNG PALAKKA",
         "LA ODE ALIMUDDIN", "A. MAKKASAU", "MUH. ASRI DG. SIKKI", "ANDI BASO MAPPATOBA"),
        ("WA ODE NURHAYATI", "ANDI ST. AISYAH", "HJ. ST. NURBAYA", "WA ODE SITTI RAHMAH", "ANDI TENRI AJENG",
         "HJ. A. MASNIAR", "ST. HADIJAH DG. TAYU"),
    ),
    "batak": (
        ("MARTUA SIMANJUNTAK", "BONAR P. NAINGGOLAN", "JOHANNES SITUMORANG", "TUMPAL H. SIREGAR",
         "DAULAT LUMBAN TOBING", "PARLINDUNGAN HUTAPEA"),
        ("ROSLINA BR. SIREGAR", "TIURMA BORU SITUMORANG", "DAMERIA BR SITOMPUL", "MARIANI BR. GINTING",
         "LAMSARIA BORU NAPITUPULU", "HOTMAULI BR. PANJAITAN"),
    ),
    "javanese": (
        ("SUPARMAN", "BAMBANG SOESILO", "SUKIRNO", "R. BAMBANG HARYONO", "SLAMET RIYADI", "MUHAMMAD NUR HUDA",
         "AGUS SALIM", "TJIPTO MANGOENKOESOEMO"),
        ("SRI WAHYUNI", "SITI AMINAH", "RR. SITI SUNDARI", "TUTIK HANDAYANI", "SUMIYATI", "HJ. SITI MUNAWAROH",
         "ENDANG SRI RAHAYU"),
    ),
    "sundanese": (
        ("ASEP SUNANDAR", "UJANG SUPRIATNA", "CECEP HIDAYAT", "DEDE KURNIA", "AANG SUHENDAR", "H. OTONG"),
        ("EUIS KOMALASARI", "NENG YAYAH", "IMAS MASRIAH", "CUCU SUMIATI", "ENUNG NURHAYATI", "HJ. EEN ROHAENI"),
    ),
    "minang": (
        ("YUSRIZAL DT. RAJO BASA", "AHMAD ST. MARAJO", "AFRIZAL", "BUYUNG ST. SATI", "H. ZULKIFLI DT. BANDARO",
         "ERIZAL CHANIAGO"),
        ("ROSNIDAR", "NURHAYATI", "YULI ANDRIANI", "HJ. ROSMAWATI", "DESI MAISYARAH", "SITI NUR'AINI"),
    ),
    "chinese_indonesian": (
        ("LIEM SWIE KING", "THE KIAN HOK", "HENDRA GUNAWAN TJAHJADI", "GO TIK SWAN", "TAN JOE HOK",
         "OEI HONG DJIEN", "KWIK KIAN GIE"),
        ("LIE SIAN NIO", "TJOA SIOE LAN", "MELIANA TANOTO", "ONG LAY HWA", "THIO MEI LING", "LILY SUSANTI HALIM"),
    ),
    "papuan": (
        ("YOHANES WENDA", "FRANS KAISIEPO", "AGUSTINUS MANDACAN", "MARTHEN INDEY", "YAKOBUS KOGOYA",
         "OKTOVIANUS MAY", "SEM KARUBABA"),
        ("MARIA KOGOYA", "ELISABETH YOKU", "YOSINA RUMBIAK", "MARTHA WAROMI", "NAOMI MARASIAN",
         "DORKAS D'FRETES"),
    ),
    "other": (
        ("MA'RUF AMIN", "ABDUL-RAHMAN", "M. FAJAR", "DR. IR. H. SUTOYO, M.SI", "IRWAN", "KURNIAWAN"),
        ("NUR'AINI", "SITI KHADIJAH-PUTRI", "R.A. KARTINI", "A. NUR ANISA", "MAYA", "LESTARI"),
    ),
}

STREETS_MORE = STREETS + (
    "BR. PAKETAN", "LINGK. BANJAR SENGGUAN", "JL. POROS MAKASSAR", "JL. SISINGAMANGARAJA", "LR. KENARI",
    "JL. SULTAN HASANUDDIN", "KOMP. GRIYA ASRI BLOK C2", "JL. RAYA ABEPURA", "JORONG KOTO TUO", "JL. CIHAMPELAS",
)
VILLAGES_MORE = VILLAGES + (
    "SEMARAPURA KAUH", "PAKSEBALI", "BENTENG", "BALANG BARU", "TUKTUK SIADONG", "SUNGAI PUAR", "PASAR BARU",
    "KOTARAJA", "SUKAPURA", "WAENA", "TANJUNG UMA",
)


def _region_names() -> list[tuple[str, str, str, str, str, str]]:
    """Every current district with its regency and province, printed the way the card's header prints
    them (code, name) x 3; from the region table (kiosk.domain.regions)."""
    from kiosk.domain import regions

    table = regions.table()
    out = []
    for code, region in table.items():
        if len(code) != 8 or region.retired:
            continue
        prov, reg = table.get(code[:2]), table.get(code[:5])
        if prov is None or reg is None or prov.retired or reg.retired:
            continue
        out.append((code[:2], prov.name, code[3:5], reg.name, code[6:8], region.name))
    return out


_REGIONS: list | None = None


def card_province(name: str) -> str:
    upper = name.upper()
    return upper.replace("DAERAH KHUSUS IBUKOTA", "DKI").replace("DAERAH ISTIMEWA", "DI")


def card_regency(name: str, rng: random.Random) -> str:
    upper = name.upper()
    if upper.startswith("KOTA ADMINISTRASI "):  # DKI's cities: printed as "JAKARTA PUSAT" or "KOTA JAKARTA PUSAT"
        return rng.choice((upper.removeprefix("KOTA ADMINISTRASI "), "KOTA " + upper.removeprefix("KOTA ADMINISTRASI ")))
    return upper


def varied_identity(rng: random.Random, *, today: date = date(2026, 11, 1)) -> SyntheticIdentity:
    """A made-up identity from any district of the region table and any naming tradition."""
    global _REGIONS
    if _REGIONS is None:
        _REGIONS = _region_names()
    prov_code, province, reg_code, regency, dist_code, district = rng.choice(_REGIONS)
    sex = rng.choice(("male", "female"))
    tradition = rng.choice(sorted(TRADITIONS))
    name = rng.choice(TRADITIONS[tradition][0 if sex == "male" else 1])
    birth = today - timedelta(days=rng.randint(17 * 366, 80 * 365))
    street = f"{rng.choice(STREETS_MORE)} NO. {rng.randint(1, 150)}"
    issued = today - timedelta(days=rng.randint(30, 9 * 365))
    marital = "BELUM KAWIN" if today.year - birth.year < 20 else rng.choice(MARITAL)
    regency_printed = card_regency(regency, rng)
    return SyntheticIdentity(
        nik=encode_nik(prov_code, reg_code, dist_code, birth, sex, rng.randint(1, 9999)),
        name=name,
        birth_place=rng.choice(BIRTH_PLACES + ("GIANYAR", "WATAMPONE", "TARUTUNG", "BUKITTINGGI", "JAYAPURA",
                                               "SINGKAWANG", "TASIKMALAYA", "BAU-BAU")),
        birth_date=birth,
        sex=sex,
        blood_type=rng.choice(BLOOD),
        address=street,
        rt_rw=f"{rng.randint(1, 20):03d}/{rng.randint(1, 15):03d}",
        village=rng.choice(VILLAGES_MORE),
        district=district.upper(),
        religion=rng.choice(RELIGIONS),
        marital_status=marital,
        occupation=rng.choice(OCCUPATIONS),
        nationality="WNI",
        valid_until="SEUMUR HIDUP",
        province=card_province(province),
        regency=regency_printed,
        issued_at=issued,
        issue_place=regency_printed.removeprefix("KABUPATEN ").removeprefix("KOTA "),
    )
