"""Synthetic e-KTP images: the card face of a made-up identity, and that card as a kiosk camera would see it.

The simulator of the KTP reader (it sits beside `ktp_reader.py`). The layout follows the real e-KTP
face: province and regency header, NIK, the labelled fields with colons, photo at the right with the
issue place and date under it, and a signature. Fonts are of the same kind as the real card and come
from Debian packages: Liberation Sans (metric twin of Arial; `fonts-liberation2`) for the text and
OCR-A (`fonts-ocr-a`) for the NIK digits; the evaluation splits (`generate(..., split=...)`) add
FreeSans, DejaVu, Liberation Sans Narrow and Roboto, and vary the layout. Nothing here comes from a real person: identities are
assembled by `ktp_identity`, the photo is a drawn silhouette.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from kiosk.devices.ktp_identity import SyntheticIdentity, random_identity, varied_identity
from kiosk.domain.errors import KioskError

# The card is rendered at about 300 dpi: ID-1 is 85.6 x 54 mm.
CARD_W, CARD_H = 1012, 638
FONT_DIRS = (
    "/usr/share/fonts/truetype/liberation2",
    "/usr/share/fonts/truetype/liberation",
    "/usr/share/fonts/truetype/ocr-a",
    "/usr/share/fonts/truetype/dejavu",
)
FONT_FILES = {
    "regular": ("LiberationSans-Regular.ttf", "DejaVuSans.ttf"),
    "bold": ("LiberationSans-Bold.ttf", "DejaVuSans-Bold.ttf"),
    "nik": ("OCRA.ttf", "DejaVuSansMono-Bold.ttf"),
}

LABELS = (
    ("Nama", "name"),
    ("Tempat/Tgl Lahir", "birth"),
    ("Jenis Kelamin", "sex"),
    ("Alamat", "address"),
    ("RT/RW", "rt_rw"),
    ("Kel/Desa", "village"),
    ("Kecamatan", "district"),
    ("Agama", "religion"),
    ("Status Perkawinan", "marital_status"),
    ("Pekerjaan", "occupation"),
    ("Kewarganegaraan", "nationality"),
    ("Berlaku Hingga", "valid_until"),
)


class FontMissing(KioskError):
    code = "font_missing"

    def __init__(self, role: str) -> None:
        super().__init__(role=role)


_font_cache: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def font(role: str, size: int) -> ImageFont.FreeTypeFont:
    key = (role, size)
    if key not in _font_cache:
        for name in FONT_FILES[role]:
            for folder in FONT_DIRS:
                path = Path(folder) / name
                if path.exists():
                    _font_cache[key] = ImageFont.truetype(str(path), size)
                    break
            if key in _font_cache:
                break
        else:
            raise FontMissing(role)
    return _font_cache[key]


# Font families for the evaluation splits: (text, bold, NIK digits). Only fonts from the Debian packages
# bootstrap.sh installs (fonts-dejavu-core, fonts-liberation, fonts-liberation2, fonts-freefont-ttf,
# fonts-ocr-a; for tuning only fonts-courier-prime, fonts-noto-mono, fonts-inconsolata) or inside a pip wheel we install (Kivy ships Roboto). The held-out split uses families
# the tune split never shows the parser.
SPLIT_FONTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "tune": (
        ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono-Bold.ttf"),
        ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "OCRA.ttf"),
        ("FreeSans.ttf", "FreeSansBold.ttf", "LiberationMono-Bold.ttf"),
        # More monospace NIK faces of other designs, bold and regular (none of the held-out families):
        ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "Courier Prime Bold.otf"),
        ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "NotoMono-Regular.ttf"),
        ("FreeSans.ttf", "FreeSansBold.ttf", "Inconsolata.otf"),
        ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "DejaVuSansMono.ttf"),
    ),
    "heldout": (
        ("Roboto-Regular.ttf", "Roboto-Bold.ttf", "OCRABold.ttf"),
        ("LiberationSansNarrow-Regular.ttf", "LiberationSansNarrow-Bold.ttf", "FreeMonoBold.ttf"),
        ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf", "RobotoMono-Regular.ttf"),
    ),
}
SPLITS = tuple(SPLIT_FONTS)
# Seeds of the held-out split start here; the tune split's stay below (disjoint by construction).
HELDOUT_SEED0 = 5_000_000


def _font_dirs() -> list[Path]:
    dirs = [Path(d) for d in FONT_DIRS] + [Path(f"/usr/share/fonts/{d}") for d in (
        "truetype/freefont", "truetype/noto", "truetype/inconsolata", "opentype/courier-prime")]
    import importlib.util

    spec = importlib.util.find_spec("kivy")  # not imported: only where its wheel keeps its fonts
    if spec and spec.submodule_search_locations:
        dirs.append(Path(list(spec.submodule_search_locations)[0]) / "data" / "fonts")
    return dirs


def font_file(name: str, size: int) -> ImageFont.FreeTypeFont | None:
    key = (name, size)
    if key not in _font_cache:
        for folder in _font_dirs():
            path = folder / name
            if path.exists():
                _font_cache[key] = ImageFont.truetype(str(path), size)
                break
        else:
            return None
    return _font_cache[key]


def split_fonts(split: str) -> list[tuple[str, str, str]]:
    """The font families of a split that are installed here (a missing family is left out)."""
    found = [fam for fam in SPLIT_FONTS[split] if all(font_file(f, 20) is not None for f in fam)]
    if not found:
        raise FontMissing(split)
    return found


def field_values(ident: SyntheticIdentity) -> dict[str, str]:
    return {
        "name": ident.name,
        "birth": f"{ident.birth_place}, {ident.birth_date:%d-%m-%Y}",
        "sex": ident.sex_text,
        "address": ident.address,
        "rt_rw": ident.rt_rw,
        "village": ident.village,
        "district": ident.district,
        "religion": ident.religion,
        "marital_status": ident.marital_status,
        "occupation": ident.occupation,
        "nationality": ident.nationality,
        "valid_until": ident.valid_until,
    }


def _background(rng: random.Random) -> Image.Image:
    """Light blue with the faint wave pattern of the real card (drawn, not copied)."""
    y = np.linspace(0, 1, CARD_H)[:, None]
    x = np.linspace(0, 1, CARD_W)[None, :]
    base = np.stack(
        [
            205 + 25 * x + 10 * y,  # R
            225 + 15 * x + 5 * y,  # G
            245 + 0 * x + 5 * y,  # B
        ],
        axis=-1,
    )
    phase = rng.uniform(0, math.tau)
    waves = 6 * np.sin(40 * x + 9 * np.sin(6 * y + phase)) * np.cos(25 * y)
    img = np.clip(base + waves[..., None], 0, 255).astype(np.uint8)
    return Image.fromarray(img, "RGB")


def _photo_placeholder(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int]) -> None:
    """A red-backed frame with a grey silhouette: where the holder's photo is, with no face."""
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=(196, 52, 48))
    cx, w = (x0 + x1) // 2, x1 - x0
    head_r = w // 5
    draw.ellipse((cx - head_r, y0 + 40, cx + head_r, y0 + 40 + 2 * head_r + 20), fill=(150, 150, 150))
    draw.chord((x0 + 15, y0 + 2 * head_r + 70, x1 - 15, y1 + 120), 180, 360, fill=(150, 150, 150))


def _signature(draw: ImageDraw.ImageDraw, rng: random.Random, x0: int, y0: int, w: int, h: int) -> None:
    points = []
    for i in range(40):
        t = i / 39
        points.append((x0 + t * w, y0 + h / 2 + math.sin(t * rng.uniform(8, 14) + rng.uniform(0, 3)) * h / 3))
    draw.line(points, fill=(30, 30, 60), width=3)


def render_card(ident: SyntheticIdentity, rng: random.Random | None = None) -> np.ndarray:
    """The flat card face as a BGR array of CARD_W x CARD_H."""
    rng = rng or random.Random(0)
    img = _background(rng)
    draw = ImageDraw.Draw(img)
    ink = (20, 20, 20)
    header = font("bold", 34)
    for i, text in enumerate((f"PROVINSI {ident.province}", ident.regency)):
        width = draw.textlength(text, font=header)
        draw.text(((CARD_W - width) / 2, 18 + i * 42), text, font=header, fill=ink)
    draw.text((28, 118), "NIK", font=font("bold", 40), fill=ink)
    draw.text((228, 118), ":", font=font("bold", 40), fill=ink)
    draw.text((258, 118), ident.nik, font=font("nik", 40), fill=ink)

    label_font, value_font = font("regular", 25), font("regular", 25)
    values = field_values(ident)
    y = 188
    for label, key in LABELS:
        indent = 28
        draw.text((indent, y), label, font=label_font, fill=ink)
        draw.text((262, y), ":", font=label_font, fill=ink)
        draw.text((282, y), values[key], font=value_font, fill=ink)
        if key == "sex":
            draw.text((520, y), "Gol. Darah", font=label_font, fill=ink)
            draw.text((650, y), f": {ident.blood_type}", font=label_font, fill=ink)
        y += 36
    _photo_placeholder(draw, (775, 150, 975, 410))
    small = font("regular", 22)
    for i, text in enumerate((ident.issue_place, f"{ident.issued_at:%d-%m-%Y}")):
        width = draw.textlength(text, font=small)
        draw.text((875 - width / 2, 420 + i * 28), text, font=small, fill=ink)
    _signature(draw, rng, 790, 490, 170, 60)
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


def render_card_varied(ident: SyntheticIdentity, rng: random.Random, split: str) -> np.ndarray:
    """The card face in one of the split's font families and a layout varied within the official one:
    label, colon and value columns, NIK position and size, row pitch, text size, photo position."""
    regular, bold, nik_font = rng.choice(split_fonts(split))
    img = _background(rng)
    draw = ImageDraw.Draw(img)
    ink = tuple(rng.randint(5, 40) for _ in range(3))
    size = rng.randint(22, 27)
    header_size = rng.randint(30, 36)
    header = font_file(bold, header_size)
    photo_x = rng.randint(760, 800)
    photo_w = rng.randint(185, 205)
    for i, text in enumerate((f"PROVINSI {ident.province}", ident.regency)):
        f = header
        while draw.textlength(text, font=f) > CARD_W - 40 and f.size > 20:
            f = font_file(bold, f.size - 2)
        width = draw.textlength(text, font=f)
        draw.text(((CARD_W - width) / 2, 14 + rng.randint(0, 8) + i * (header_size + 8)), text, font=f, fill=ink)
    label_x = rng.randint(20, 44)
    widest = max(draw.textlength(label, font=font_file(regular, size)) for label, _key in LABELS)
    colon_x = label_x + max(rng.randint(205, 235), int(widest) + rng.randint(6, 16))
    value_x = colon_x + rng.randint(14, 28)
    nik_size = rng.randint(34, 42)
    nik_y = 2 * header_size + 30 + rng.randint(0, 14)
    draw.text((label_x, nik_y), "NIK", font=font_file(bold, nik_size), fill=ink)
    nik_colon_x = colon_x - rng.randint(0, 20)
    draw.text((nik_colon_x, nik_y), ":", font=font_file(bold, nik_size), fill=ink)
    nik_x = nik_colon_x + rng.randint(22, 60)
    nik_f = font_file(nik_font, nik_size)
    while draw.textlength(ident.nik, font=nik_f) > photo_x - nik_x - 10 and nik_f.size > 24:
        nik_f = font_file(nik_font, nik_f.size - 2)
    draw.text((nik_x, nik_y + (nik_size - nik_f.size) // 2), ident.nik, font=nik_f, fill=ink)
    f = font_file(regular, size)
    values = field_values(ident)
    pitch = size + rng.randint(8, 13)
    y = nik_y + nik_size + rng.randint(14, 26)
    blood_x = value_x + rng.randint(220, 260)
    for label, key in LABELS:
        draw.text((label_x, y), label, font=f, fill=ink)
        draw.text((colon_x, y), ":", font=f, fill=ink)
        value = values[key]
        vf = f
        while draw.textlength(value, font=vf) > photo_x - value_x - 12 and vf.size > 14:
            vf = font_file(regular, vf.size - 1)
        draw.text((value_x, y + (size - vf.size)), value, font=vf, fill=ink)
        if key == "sex":
            draw.text((blood_x, y), "Gol. Darah", font=f, fill=ink)
            draw.text((blood_x + draw.textlength("Gol. Darah ", font=f), y), f": {ident.blood_type}", font=f, fill=ink)
        y += pitch
    photo_y = nik_y + rng.randint(10, 40)
    _photo_placeholder(draw, (photo_x, photo_y, photo_x + photo_w, photo_y + int(photo_w * 1.3)))
    small = font_file(regular, size - 3)
    base_y = photo_y + int(photo_w * 1.3) + 10
    for i, text in enumerate((ident.issue_place, f"{ident.issued_at:%d-%m-%Y}")):
        width = draw.textlength(text, font=small)
        draw.text((photo_x + photo_w / 2 - width / 2, base_y + i * (size + 2)), text, font=small, fill=ink)
    _signature(draw, rng, photo_x + 15, base_y + 2 * size + 10, photo_w - 30, 50)
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


@dataclass(frozen=True)
class Degradation:
    """How a camera sees the card; all zero/neutral is a clean, well-lit, straight-on view."""

    card_width_frac: float = 0.72  # card width / frame width
    tilt: float = 0.0  # corner jitter as a fraction of the card size (perspective)
    rotation_deg: float = 0.0
    blur_sigma: float = 0.0
    glare: float = 0.0  # peak added brightness of one specular spot, 0..255
    light: float = 1.0  # brightness factor (low light < 1)
    noise_sigma: float = 1.5
    jpeg_quality: int = 92

    @classmethod
    def random_degraded(cls, rng: random.Random) -> Degradation:
        """Realistic but readable trouble: a bit of everything, each at a random strength."""
        return cls(
            card_width_frac=rng.uniform(0.55, 0.8),
            tilt=rng.uniform(0.0, 0.06),
            rotation_deg=rng.uniform(-6, 6),
            blur_sigma=rng.choice((0.0, rng.uniform(0.5, 1.4))),
            glare=rng.choice((0.0, rng.uniform(40, 110))),
            light=rng.choice((1.0, rng.uniform(0.45, 0.8))),
            noise_sigma=rng.uniform(2, 7),
            jpeg_quality=rng.randint(45, 85),
        )

    @classmethod
    def random_hard(cls, rng: random.Random) -> Degradation:
        """The evaluation's degraded cards: as random_degraded, with stronger blur (up to sigma 2)."""
        return cls(
            card_width_frac=rng.uniform(0.55, 0.8),
            tilt=rng.uniform(0.0, 0.06),
            rotation_deg=rng.uniform(-6, 6),
            blur_sigma=rng.choice((0.0, rng.uniform(0.5, 1.4), rng.uniform(1.4, 2.0))),
            glare=rng.choice((0.0, rng.uniform(40, 110))),
            light=rng.choice((1.0, rng.uniform(0.45, 0.8))),
            noise_sigma=rng.uniform(2, 7),
            jpeg_quality=rng.randint(45, 85),
        )

    @classmethod
    def random_clean(cls, rng: random.Random) -> Degradation:
        return cls(
            card_width_frac=rng.uniform(0.7, 0.8),
            tilt=rng.uniform(0, 0.015),
            rotation_deg=rng.uniform(-1.5, 1.5),
        )


def _desk(rng: random.Random, w: int, h: int) -> np.ndarray:
    """A darkish, textured surface behind the card (a counter top, a hand, a sleeve)."""
    colour = np.array([rng.randint(30, 110) for _ in range(3)], dtype=np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grad = 0.75 + 0.35 * (xx / w) * rng.uniform(0.3, 1) + 0.15 * (yy / h)
    texture = cv2.GaussianBlur(np.random.default_rng(rng.randint(0, 2**31)).normal(0, 12, (h, w)).astype(np.float32), (0, 0), 3)
    return np.clip(colour[None, None, :] * grad[..., None] + texture[..., None], 0, 255).astype(np.uint8)


def place_in_frame(
    card: np.ndarray, deg: Degradation, rng: random.Random, frame_size: tuple[int, int] = (1280, 720)
) -> tuple[np.ndarray, np.ndarray]:
    """The camera frame and the card's four corners in it (tl, tr, br, bl)."""
    frame, corners, _jpeg = _camera_view(card, deg, rng, frame_size)
    return frame, corners


def _camera_view(
    card: np.ndarray, deg: Degradation, rng: random.Random, frame_size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, bytes]:
    fw, fh = frame_size
    ch, cw = card.shape[:2]
    scale = deg.card_width_frac * fw / cw
    w, h = cw * scale, ch * scale
    cx = fw / 2 + rng.uniform(-0.5, 0.5) * (fw - w) * 0.5
    cy = fh / 2 + rng.uniform(-0.5, 0.5) * max(fh - h, 0) * 0.5
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]], dtype=np.float32)
    corners += np.array([[rng.uniform(-1, 1) * deg.tilt * w, rng.uniform(-1, 1) * deg.tilt * h] for _ in range(4)],
                        dtype=np.float32)
    a = math.radians(deg.rotation_deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]], dtype=np.float32)
    corners = corners @ rot.T + np.array([cx, cy], dtype=np.float32)
    src = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, corners)
    frame = _desk(rng, fw, fh)
    warped = cv2.warpPerspective(card, matrix, (fw, fh), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((ch, cw), 255, np.uint8), matrix, (fw, fh))
    frame[mask > 0] = warped[mask > 0]
    out = frame.astype(np.float32)
    if deg.glare > 0:
        gx, gy = corners.mean(axis=0) + np.array([rng.uniform(-0.3, 0.3) * w, rng.uniform(-0.3, 0.3) * h])
        yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
        radius = rng.uniform(0.08, 0.18) * w
        spot = deg.glare * np.exp(-(((xx - gx) ** 2) + ((yy - gy) ** 2)) / (2 * radius**2))
        out += spot[..., None] * (mask[..., None] > 0)
    out *= deg.light
    nrng = np.random.default_rng(rng.randint(0, 2**31))
    out += nrng.normal(0, deg.noise_sigma, out.shape)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if deg.blur_sigma > 0:
        out = cv2.GaussianBlur(out, (0, 0), deg.blur_sigma)
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, deg.jpeg_quality])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR), corners, buf.tobytes()


@dataclass(frozen=True)
class SyntheticKtp:
    identity: SyntheticIdentity
    degradation: Degradation
    frame: np.ndarray  # BGR camera frame
    corners: np.ndarray  # 4x2 float32 (tl, tr, br, bl)
    jpeg: bytes = b""  # the frame as the camera's JPEG (decodes to exactly `frame`)


def generate(seed: int, *, degraded: bool = False, split: str | None = None) -> SyntheticKtp:
    """One card, fully determined by its seed. Without `split`: the demo's card (one font, the sample
    regions, common names). With `split` ("tune" or "heldout"): any district, every naming tradition,
    the split's fonts, a varied layout and, degraded, stronger blur; held-out seeds are offset by
    HELDOUT_SEED0 so the two splits never share a card."""
    if split is None:
        rng = random.Random(seed)
        ident = random_identity(rng)
        deg = Degradation.random_degraded(rng) if degraded else Degradation.random_clean(rng)
        face = render_card(ident, rng)
    else:
        if split not in SPLIT_FONTS:
            raise ValueError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
        rng = random.Random(f"{split}:{seed + (HELDOUT_SEED0 if split == 'heldout' else 0)}")
        ident = varied_identity(rng, split=split)
        face = render_card_varied(ident, rng, split)
        # The whole card in view (a guest holding it half out of the picture is told to, not read):
        # views whose corners leave the frame are drawn again.
        for _attempt in range(20):
            deg = Degradation.random_hard(rng) if degraded else Degradation.random_clean(rng)
            frame, corners, jpeg = _camera_view(face, deg, rng, (1280, 720))
            if corners.min() >= 8 and corners[:, 0].max() <= 1280 - 8 and corners[:, 1].max() <= 720 - 8:
                break
        return SyntheticKtp(ident, deg, frame, corners, jpeg)
    frame, corners, jpeg = _camera_view(face, deg, rng, (1280, 720))
    return SyntheticKtp(ident, deg, frame, corners, jpeg)


def write_sample(folder: Path, count: int, *, seed: int = 1, degraded: bool = False,
                 split: str | None = None) -> list[SyntheticKtp]:
    """Write `count` camera frames as JPEG files (what the simulated camera reads) and return their truth."""
    folder.mkdir(parents=True, exist_ok=True)
    cards = [generate(seed + i, degraded=degraded, split=split) for i in range(count)]
    for i, card in enumerate(cards):
        (folder / f"ktp_{i:03d}.jpg").write_bytes(card.jpeg)
    return cards


# How long (in camera frames) each moment of a guest showing the card lasts: nothing, too far, glare, then held.
SCAN_MOMENTS = (("desk", 8), ("far", 12), ("glare", 12), ("held", 45))


def demo_identity(seed: int = 11) -> SyntheticIdentity:
    """The made-up guest whose card the simulated scan camera shows."""
    return random_identity(random.Random(seed))


def scan_sequence(ident: SyntheticIdentity | None = None, *, seed: int = 11) -> list[tuple[str, np.ndarray]]:
    """The distinct frames of a guest showing `ident`'s card to the camera: an empty desk, the card too far,
    the card under a lamp's glare, then the card held still (clean). Each is (moment, BGR frame)."""
    ident = ident or demo_identity(seed)
    card = render_card(ident, random.Random(seed))
    desk = _desk(random.Random(seed), 1280, 720)
    held = Degradation.random_clean(random.Random(seed + 1))
    views = {
        "far": Degradation(card_width_frac=0.3),
        "glare": replace(held, glare=140.0),
        "held": held,
    }
    frames = [("desk", desk)]
    for moment, deg in views.items():
        frames.append((moment, _camera_view(card, deg, random.Random(seed + 1), (1280, 720))[0]))
    return frames


class SimulatedKtpCamera:
    """A FrameSource playing `scan_sequence` in a loop at `fps`: what `kiosk run --simulate` shows the scan step.

    The frames are generated on the first `read()`, i.e. on the camera's own thread, so opening the
    camera never delays the screen."""

    def __init__(self, fps: float = 15, ident: SyntheticIdentity | None = None, *, seed: int = 11,
                 pace: bool = True) -> None:
        self.ident, self.seed = ident, seed
        self._interval = 1.0 / fps if pace and fps > 0 else 0.0
        self._frames: list[np.ndarray] | None = None
        self._pos = 0
        self._next_due = 0.0
        self.closed = False

    def _playlist(self) -> list[np.ndarray]:
        moments = dict(scan_sequence(self.ident, seed=self.seed))
        return [moments[name] for name, count in SCAN_MOMENTS for _ in range(count)]

    def read(self) -> np.ndarray | None:
        if self.closed:
            return None
        if self._frames is None:
            self._frames = self._playlist()
        if self._interval:
            now = time.monotonic()
            if now < self._next_due:
                time.sleep(self._next_due - now)
            self._next_due = max(now, self._next_due) + self._interval
        frame = self._frames[self._pos % len(self._frames)]
        self._pos += 1
        return frame.copy()

    def close(self) -> None:
        self.closed = True
