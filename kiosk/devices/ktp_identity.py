"""Random but valid made-up identities for synthetic e-KTP cards: no real person, only plausible combinations.

Names, streets and villages are assembled from common Indonesian words; the NIK is encoded from the
identity's own region, birth date and sex (`PP RR DD ddmmyy SSSS`, day + 40 for women), so it passes the
NIK rules and agrees with the printed birth date and sex.
"""
from __future__ import annotations

import random
import zlib
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

# Names are assembled per tradition from particles, titles and name words, as they are printed on the
# KTP (uppercase, with particles, titles and abbreviations as people use them); made up, no real person.
# The particles and titles are the traditions' own and shared by both splits; the name words are dealt
# to the splits (by a checksum of the word), so a held-out card carries names the tune split never showed.


def _W(words: str) -> tuple[str, ...]:
    return tuple(words.split())


NAME_WORDS: dict[str, tuple[str, ...]] = {
    "bali_given_m": _W("SUDIARTA ARSANA SUARJANA MERTA ARYA RAI OKA SUKARDA WIRAWAN RAKA ASTAWA SUTAMA WIDIADA "
                       "MERTAYASA PARWATA SUWITRA ARIMBAWA SUDARMA ANTARA SWASTIKA KARIASA PUTRAWAN DARMAWAN "
                       "ADNYANA SUARTIKA WIRYAWAN"),
    "bali_given_f": _W("SARI SUKARNI LESTARI ARIANI TRIANI SUARNI YANTI ASTITI MIRAH DEWI KARIANI WIDIASIH "
                       "SUSILAWATI PURNAMI ARDANI SRIASIH MURNIATI SUDARMI WARTINI KUSUMAWATI"),
    "bali_order": _W("WAYAN PUTU GEDE MADE KADEK NENGAH NYOMAN KOMANG KETUT"),
    "bugis_given_m": _W("RAHMAN SYARIF ALIMUDDIN MAKKASAU ASRI BASO MAPPATOBA ARUNG AMIRUDDIN SAMSUDDIN "
                        "NURDIN BAHRUN HASANUDDIN MAPPANYUKKI JUMADI SAHABUDDIN ILHAM TAUFIK"),
    "bugis_given_f": _W("NURHAYATI AISYAH NURBAYA RAHMAH TENRI MASNIAR HADIJAH SITTI NURAENI HASNAH "
                        "MARLINA SAENAB HALIJAH ROSMINI JUMRAH NURLINA"),
    "bugis_daeng": _W("NGITUNG SIKKI TAYU NGALLE LIWANG TOMPO NAI BATU MAJJA SAU BELLA RURU SIJALLING LOMPO "
                      "NYARRANG MANGNGASSA TUTU BUNDU"),
    "batak_given_m": _W("MARTUA BONAR JOHANNES TUMPAL DAULAT PARLINDUNGAN HOTMAN SAHAT BINSAR MANGATUR "
                        "RAJA TOGAR POLTAK JAHOT MARULI HORAS"),
    "batak_given_f": _W("ROSLINA TIURMA DAMERIA MARIANI LAMSARIA HOTMAULI RUGUN TIOMINAR RISMA NURMAIDA "
                        "SONTI LASMARIA ROMAULI DORMA"),
    "batak_marga": _W("SIMANJUNTAK NAINGGOLAN SITUMORANG SIREGAR HUTAPEA SITOMPUL GINTING NAPITUPULU "
                      "PANJAITAN SIHOMBING MANURUNG SIMATUPANG HARAHAP NASUTION PANGARIBUAN SINAGA TAMBUNAN "
                      "SIANIPAR HUTAGALUNG SEMBIRING TARIGAN PURBA") + ("LUMBAN TOBING", "LUMBAN GAOL"),
    "java": _W("SUPARMAN SUKIRNO BAMBANG SOESILO HARYONO SLAMET RIYADI PRIYO UTOMO WIDODO SUGENG PURWANTO "
               "DJOKO TJAHJONO WARSITO SUPRAPTO HARDJONO SUTRISNO KUSWORO MULYONO SUHARTO GIYANTO"),
    "java_f": _W("WAHYUNI AMINAH SUNDARI TUTIK HANDAYANI SUMIYATI ENDANG RAHAYU PARJIYEM SUPRIHATIN "
                 "SULASTRI WARSINAH SUKARSIH MURTINI NGATINI SRI SITI PONIRAH KASMIRAH"),
    "sunda": _W("ASEP UJANG CECEP DEDE AANG OTONG DADANG JAJANG YAYAN NANANG SUNANDAR SUPRIATNA HIDAYAT "
                "KURNIA SUHENDAR MULYANA SOBARI ROHMAT"),
    "sunda_f": _W("EUIS NENG IMAS CUCU ENUNG EEN KOKOM ICIH KOMALASARI YAYAH MASRIAH SUMIATI NURHAYATI "
                  "ROHAENI NINGSIH KURNIASIH ELIS TETI"),
    "minang_given_m": _W("YUSRIZAL AHMAD AFRIZAL BUYUNG ZULKIFLI ERIZAL SYAFRIL MASRUL NOVRIZAL JONI "
                         "HENDRI BASRIL AZWAR DASRIL"),
    "minang_given_f": _W("ROSNIDAR NURHAYATI YULI ANDRIANI ROSMAWATI DESI MAISYARAH NUR'AINI ASNIMAR "
                         "YUSNIDAR ERNAWATI NURBAITI ELFIDA DELMIATI"),
    "minang_gelar": ("RAJO BASA", "MARAJO", "SATI", "BANDARO", "PANGULU", "MANGKUTO", "BAGINDO", "MALANO",
                     "PAHLAWAN", "SINARO"),
    "minang_suku": _W("CHANIAGO PILIANG TANJUNG KOTO SIKUMBANG JAMBAK MANDAILING MELAYU GUCI SUMAGEK"),
    "chinese_sur": _W("LIEM THE GO TAN OEI KWIK LIE TJOA ONG THIO LIM KHO SIE WONG TJAN LAUW"),
    "chinese_syl": _W("SWIE KING KIAN HOK TIK SWAN JOE HONG DJIEN GIE SIAN NIO SIOE LAN LAY HWA MEI LING "
                      "BING KOK GWAN SENG"),
    "chinese_given": _W("HENDRA MELIANA LILY SUSANTI WILLIAM FELICIA KEVIN JESSICA STEVEN VIVIAN RUDY "
                        "LINDA ANTON YENNY"),
    "chinese_family": _W("GUNAWAN TJAHJADI TANOTO HALIM SALIM WIJAYA KUSUMA SANTOSO HARTONO SETIADI "
                         "TANUWIDJAJA SUGIARTO LIMANTO HALIMAN"),
    "papua_given_m": _W("YOHANES FRANS AGUSTINUS MARTHEN YAKOBUS OKTOVIANUS SEM PETRUS MARKUS YOSEPH NIKOLAS "
                        "HABEL DOMINGGUS ZAKEUS"),
    "papua_given_f": _W("MARIA ELISABETH YOSINA MARTHA NAOMI DORKAS YULIANA SARLOTA FERONIKA AGUSTINA "
                        "PAULINA ESTER"),
    "papua_marga": _W("WENDA KAISIEPO MANDACAN INDEY KOGOYA MAY KARUBABA YOKU RUMBIAK WAROMI MARASIAN "
                      "D'FRETES WANIMBO TABUNI MURIB RUMBEWAS AWOM MANSOBEN"),
    "common_m": _W("AGUS BUDI DEDI EKO FAJAR HENDRA IRWAN JOKO KURNIAWAN RUDI TEGUH YUSUF ARIF DIMAS RIZKY "
                   "MA'RUF ABDUL-RAHMAN SUTOYO"),
    "common_f": _W("AYU DEWI FITRI INDAH LESTARI NUR PUTRI RATNA WULAN ANISA CITRA MAYA RINA WIDYA "
                   "NUR'AINI KHADIJAH-PUTRI KARTINI"),
    "islamic_m": _W("MUHAMMAD ABDULLAH ABDUL RAHMAN HASAN HUSEIN IBRAHIM ISMAIL SYAMSUL ZAINAL NASRUDDIN"),
    "islamic_f": _W("SITI AMINAH FATIMAH KHADIJAH AISYAH ZAINAB MARYAM HALIMAH RUQAYAH SALMA"),
}


def _split_of(word: str) -> str:
    """The split a name word belongs to: fixed by the word itself (its first word), so a word in two
    pools is in one split only."""
    return ("tune", "heldout")[zlib.crc32(word.split(" ")[0].encode()) % 2]


def _words(rng: random.Random, pool: str, split: str | None, k: int = 1) -> list[str]:
    words = NAME_WORDS[pool]
    if split in ("tune", "heldout"):
        words = tuple(w for w in words if _split_of(w) == split)
    return rng.sample(words, k) if k <= len(words) else [rng.choice(words) for _ in range(k)]


def _one(rng: random.Random, pool: str, split: str | None) -> str:
    return _words(rng, pool, split)[0]


def _balinese(rng: random.Random, male: bool, split: str | None) -> str:
    given = " ".join(_words(rng, "bali_given_m" if male else "bali_given_f", split, rng.choice((1, 1, 2))))
    order = _one(rng, "bali_order", split)
    if male:
        head = rng.choice((f"I {order}", f"I {order}", f"I {order}", "I GUSTI NGURAH", "I GUSTI BAGUS", "IDA BAGUS",
                           f"IDA BAGUS {order}", "ANAK AGUNG GEDE", "I DEWA GEDE", f"I DEWA {order}", "COKORDA GEDE",
                           f"I {order} GEDE"))
    else:
        head = rng.choice((f"NI {order}", f"NI {order}", f"NI {order}", f"NI LUH {order}", "NI LUH", "IDA AYU",
                           f"IDA AYU {order}", "ANAK AGUNG ISTRI", "I GUSTI AYU", f"DESAK {order}", "DESAK AYU"))
    return f"{head} {given}"


def _bugis(rng: random.Random, male: bool, split: str | None) -> str:
    given = _one(rng, "bugis_given_m" if male else "bugis_given_f", split)
    if male:
        head = rng.choice(("ANDI", "ANDI MUH.", "LA ODE", "LA ODE MUHAMMAD", "A.", "MUH.", "H. ABD.", "H.", "LA", ""))
    else:
        head = rng.choice(("WA ODE", "ANDI", "ANDI ST.", "HJ.", "HJ. ST.", "HJ. A.", "ST.", "WA", ""))
    tail = rng.choice(("", "", f"DG. {_one(rng, 'bugis_daeng', split)}"))
    return " ".join(w for w in (head, given, tail) if w)


def _batak(rng: random.Random, male: bool, split: str | None) -> str:
    marga = _one(rng, "batak_marga", split)
    if male:
        given = _one(rng, "batak_given_m", split)
        middle = rng.choice(("", "", f"{rng.choice('ABHMPRST')}."))
        return " ".join(w for w in (given, middle, marga) if w)
    given = _one(rng, "batak_given_f", split)
    return f"{given} {rng.choice(('BR.', 'BR', 'BORU', 'BR.'))} {marga}"


def _javanese(rng: random.Random, male: bool, split: str | None) -> str:
    words = _words(rng, "java" if male else "java_f", split, rng.choice((1, 2, 2, 3)))
    title = rng.choice(("", "", "", "R." if male else "RR.", "H." if male else "HJ."))
    return " ".join(w for w in (title, *words) if w)


def _sundanese(rng: random.Random, male: bool, split: str | None) -> str:
    words = _words(rng, "sunda" if male else "sunda_f", split, rng.choice((1, 2, 2)))
    title = rng.choice(("", "", "", "H." if male else "HJ."))
    return " ".join(w for w in (title, *words) if w)


def _minang(rng: random.Random, male: bool, split: str | None) -> str:
    given = _one(rng, "minang_given_m" if male else "minang_given_f", split)
    if male:
        tail = rng.choice(("", f"DT. {_one(rng, 'minang_gelar', split)}", f"ST. {_one(rng, 'minang_gelar', split)}",
                           _one(rng, "minang_suku", split)))
        title = rng.choice(("", "", "H."))
    else:
        tail = rng.choice(("", "", _one(rng, "minang_suku", split)))
        title = rng.choice(("", "", "HJ."))
    return " ".join(w for w in (title, given, tail) if w)


def _chinese(rng: random.Random, male: bool, split: str | None) -> str:
    if rng.random() < 0.5:
        return " ".join((_one(rng, "chinese_sur", split), *_words(rng, "chinese_syl", split, 2)))
    given = _one(rng, "chinese_given", split)
    return " ".join((given, *_words(rng, "chinese_family", split, rng.choice((1, 1, 2)))))


def _papuan(rng: random.Random, male: bool, split: str | None) -> str:
    given = _one(rng, "papua_given_m" if male else "papua_given_f", split)
    middle = rng.choice(("", "", f"{rng.choice('ADFJMNPSY')}."))
    return " ".join(w for w in (given, middle, _one(rng, "papua_marga", split)) if w)


def _other(rng: random.Random, male: bool, split: str | None) -> str:
    words = [_one(rng, rng.choice(("common_m", "islamic_m") if male else ("common_f", "islamic_f")), split)
             for _ in range(rng.choice((1, 2, 2, 3)))]
    title = rng.choice(("", "", "", "DR.", "IR.", "DR. IR. H." if male else "DRA.", "M." if male else "A.",
                        "R.A." if not male else "H."))
    degree = rng.choice(("", "", "", "", ", S.H.", ", M.SI", ", S.PD", ", S.E."))
    name = " ".join(w for w in (title, *dict.fromkeys(words)) if w)
    return name + degree


NAMERS = {"balinese": _balinese, "bugis_makassar": _bugis, "batak": _batak, "javanese": _javanese,
          "sundanese": _sundanese, "minang": _minang, "chinese_indonesian": _chinese, "papuan": _papuan,
          "other": _other}
TRADITIONS = tuple(NAMERS)
# The words the traditions share between the splits (particles, titles, degrees, initials; dots and
# commas left out): every other word of a held-out name is one the tune split never shows.
PARTICLE_WORDS = frozenset(_W(
    "I NI LUH IDA BAGUS AYU ANAK AGUNG GEDE ISTRI GUSTI NGURAH DEWA DESAK COKORDA ANDI MUH LA ODE MUHAMMAD WA A H "
    "HJ ABD ST DG BR BORU R RR DT DR IR DRA M R.A S.H M.SI S.PD S.E"
)) | frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def tradition_name(rng: random.Random, tradition: str, sex: str, split: str | None = None) -> str:
    """A made-up name of `tradition` as printed on the card; with `split`, only that split's name words."""
    return NAMERS[tradition](rng, sex == "male", split)


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


def varied_identity(rng: random.Random, *, today: date = date(2026, 11, 1),
                    split: str | None = None) -> SyntheticIdentity:
    """A made-up identity from any district of the region table and any naming tradition; with `split`,
    a name from that split's name words only."""
    global _REGIONS
    if _REGIONS is None:
        _REGIONS = _region_names()
    prov_code, province, reg_code, regency, dist_code, district = rng.choice(_REGIONS)
    sex = rng.choice(("male", "female"))
    tradition = rng.choice(sorted(TRADITIONS))
    name = tradition_name(rng, tradition, sex, split)
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
