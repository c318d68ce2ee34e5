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
