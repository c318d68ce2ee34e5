"""The one typed configuration of the kiosk: a TOML file, validated once at start-up.

Every section is a frozen dataclass; `load_config` walks the file against them and stops at the first
bad key with a `ConfigError` that names the key, the value found and what is expected. Unknown keys
are errors too, so a typo never silently falls back to a default.
"""
from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kiosk.domain.errors import KioskError

ROLES = ("guest", "security", "survey")
Role = Literal["guest", "security", "survey"]

# Repository root when running from a checkout; installs set KIOSK_HOME instead.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(KioskError):
    code = "config_error"

    def __init__(self, key: str, value: object, expected: str, source: str = "") -> None:
        where = f"{source}: " if source else ""
        shown = repr(value) if value is not _MISSING else "(missing)"
        # A key or file name from the file may hold a newline or a control character: the message stays one line.
        named = key if key.isprintable() else repr(key)[1:-1]
        where = where if where.isprintable() else repr(where)[1:-1]
        super().__init__(key=key, named=named, where=where, shown=shown, expected=expected)
        self.key = key
        self.value = value
        self.expected = expected

    def message(self) -> str:
        # The English sentence carries the key, the value and the expectation; one line for the CLI.
        return f"config error: {self.text_en}"


class ConfigNotFound(KioskError):
    """No config file where a kiosk looks for one: it never falls back to the simulated devices."""

    code = "config_not_found"

    def __init__(self, searched: list[str]) -> None:
        super().__init__(searched=", ".join(searched))


class _Missing:
    def __repr__(self) -> str:
        return "(missing)"


_MISSING = _Missing()


def _check(cond: bool, key: str, value: object, expected: str) -> None:
    if not cond:
        raise ConfigError(key, value, expected)


# --- sections ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeConfig:
    name: str = "Kejaksaan Negeri Contoh"
    address: str = "Jl. Contoh No. 1"
    phone: str = ""
    # At most 18 characters: the office code is signed into every gate pass, whose QR must stay at
    # version 6 (see kiosk/domain/gatepass.py).
    code: str = field(default="KEJARI-DEMO", metadata={"pattern": r"^[A-Z0-9-]{3,18}$"})
    slug: str = field(default="", metadata={"doc": "office slug on bukutamu.kejaksaan.go.id"})
    timezone: str = "Asia/Jakarta"
    working_hours: str = field(default="08:00-16:00", metadata={"pattern": r"^\d\d:\d\d-\d\d:\d\d$"})
    closing_time: str = field(default="17:00", metadata={"pattern": r"^\d\d:\d\d$"})
    collective_leave: list[str] = field(default_factory=list, metadata={"doc": "extra cuti bersama dates, YYYY-MM-DD"})


@dataclass(frozen=True)
class KioskConfig:
    role: Role = "guest"
    device_id: str = field(default="lobby-1", metadata={"pattern": r"^[a-z0-9][a-z0-9-]{0,31}$"})
    data_dir: str = "var/data"
    pass_validity_minutes: int = field(default=480, metadata={"min": 5, "max": 24 * 60})


@dataclass(frozen=True)
class PrinterConfig:
    kind: Literal["simulated", "usb", "serial", "network", "none"] = "simulated"
    paper_width_mm: Literal[58, 80] = 80
    profile: str = "TM-T20II"
    code_page: str = "CP858"
    native_qr: bool = False
    usb_vendor_id: int = 0x04B8
    usb_product_id: int = 0x0202
    serial_port: str = "/dev/ttyUSB0"
    serial_baudrate: int = 19200
    host: str = ""
    port: int = field(default=9100, metadata={"min": 1, "max": 65535})
    timeout_s: float = field(default=5.0, metadata={"min": 0.1, "max": 120})
    # badge: the compact pass to wear (photo beside the QR, name large; <= 100 mm on 80 mm paper, <= 120 mm
    # on 58 mm); receipt: the long pass with every field on its own lines (about 19 cm on 80 mm paper).
    pass_layout: Literal["badge", "receipt"] = "badge"
    print_photo: bool = field(default=False, metadata={"doc": "receipt layout: also print the photo (a badge always does)"})
    # A status answer is a byte within milliseconds; a printer silent this long does not answer status.
    status_timeout_s: float = field(default=0.5, metadata={"min": 0.05, "max": 10})
    # A printer that answers no status must have taken every byte of the job within this time.
    drain_timeout_s: float = field(default=5.0, metadata={"min": 0.1, "max": 120})
    poll_s: float = field(default=15.0, metadata={"min": 0.05, "max": 3600, "doc": "how often its status is read"})
    simulate_fault: Literal["", "paper_out", "offline", "cover_open", "paper_near_end", "no_status"] = ""


@dataclass(frozen=True)
class ScannerConfig:
    kind: Literal["simulated", "camera", "hid", "serial", "none"] = "simulated"
    decoder: Literal["pyzbar", "zxing"] = "zxing"  # measured in bench/scan.py: ~5x faster than pyzbar
    hid_device: str = field(default="", metadata={"doc": "/dev/input/by-id/... of a keyboard-wedge scanner"})
    serial_port: str = "/dev/ttyACM0"
    serial_baudrate: int = 9600
    debounce_s: float = field(default=2.0, metadata={"min": 0, "max": 60})
    symbologies: list[Literal["QRCODE", "MICROQR", "PDF417", "DATAMATRIX", "CODE128", "CODE39", "EAN13", "I25"]] = (
        field(default_factory=lambda: ["QRCODE"], metadata={"doc": "codes the camera decoder looks for"}))
    source: str = field(default="", metadata={"doc": "image/video file or folder for the simulated scanner"})
    # Framing of serial and keyboard-wedge scanners (escapes: \r \n \t \xNN).
    terminators: str = field(default="\\r\\n", metadata={"doc": "bytes that end a code"})
    inter_char_timeout_s: float = field(default=0.08, metadata={"min": 0.005, "max": 5, "doc": "silence that ends a code"})
    strip_stx_etx: bool = True
    strip_aim: bool = field(default=True, metadata={"doc": "drop an AIM identifier like ]Q1 before the code"})
    prefix: str = field(default="", metadata={"doc": "programmed prefix to drop"})
    suffix: str = field(default="", metadata={"doc": "programmed suffix to drop"})


@dataclass(frozen=True)
class CameraConfig:
    kind: Literal["simulated", "opencv", "none"] = "simulated"
    index: int = field(default=0, metadata={"min": 0, "max": 63})
    width: int = field(default=1280, metadata={"min": 160, "max": 4096})
    height: int = field(default=720, metadata={"min": 120, "max": 4096})
    fps: int = field(default=15, metadata={"min": 1, "max": 60})
    # Simulated: an image/video file or a folder of frames; empty = the built-in scenes (a generated e-KTP at
    # the scan step, the demo face at the photo step). A source that is named but missing is a camera fault.
    source: str = field(default="", metadata={"doc": "image/video file or folder (simulated); empty = built-in"})


_LOCKER_FAULT = (
    r"\s*(stuck:\d+|silentboard:\d+|answers_unlock|(silent|badsum|garbled|noise|split|dropunlock)(:\d+)?)\s*"
)
_LOCKER_FAULT_SCRIPT = rf"^({_LOCKER_FAULT}(,{_LOCKER_FAULT})*)?$"


@dataclass(frozen=True)
class LockerBoardConfig:
    address: int = field(default=0, metadata={"min": 0, "max": 15})
    doors: int = field(default=16, metadata={"min": 1, "max": 16})


@dataclass(frozen=True)
class LockersConfig:
    kind: Literal["simulated", "kerong_cu", "none"] = "simulated"
    port: str = "/dev/ttyUSB1"
    baudrate: int = 19200
    timeout_s: float = field(default=0.3, metadata={"min": 0.01, "max": 10})
    retries: int = field(default=2, metadata={"min": 0, "max": 10})
    boards: list[LockerBoardConfig] = field(default_factory=lambda: [LockerBoardConfig()])
    out_of_service: list[int] = field(default_factory=list, metadata={"doc": "door numbers (1-based)"})
    simulate_fault: str = field(
        default="", metadata={"doc": "emulator fault script, e.g. 'stuck:3'", "pattern": _LOCKER_FAULT_SCRIPT}
    )
    hook_closed_bit: int = field(default=1, metadata={"min": 0, "max": 1, "doc": "status bit value of a closed lock"})
    confirm_timeout_s: float = field(default=1.0, metadata={"min": 0.0, "max": 10})
    doors_tried: int = field(default=3, metadata={"min": 1, "max": 64})
    # An unlock frame lost on the wire is sent again this many times before the door is judged faulty.
    unlock_attempts: int = field(default=2, metadata={"min": 1, "max": 5})
    # Firmware that always answers an unlock with a status frame; otherwise the driver listens
    # unlock_reply_s after each unlock for an answer it then throws away (0: do not listen).
    unlock_replies: bool = False
    unlock_reply_s: float = field(default=0.05, metadata={"min": 0.0, "max": 2})
    poll_s: float = field(default=10.0, metadata={"min": 0.05, "max": 3600, "doc": "how often the bus is checked"})


@dataclass(frozen=True)
class KtpReaderConfig:
    # hybrid = Tesseract for the text lines + RapidOCR for the NIK line (measured best; see bench/ocr.py).
    ocr_engine: Literal["hybrid", "tesseract", "rapidocr"] = "hybrid"
    ocr_threads: int = field(default=1, metadata={"min": 1, "max": 16})
    min_card_area: float = field(default=0.18, metadata={"min": 0.01, "max": 0.95})
    min_focus: float = field(default=250.0, metadata={"min": 0, "max": 100000})
    max_glare: float = field(default=0.004, metadata={"min": 0, "max": 1})
    steady_frames: int = field(default=2, metadata={"min": 1, "max": 30})
    timeout_s: float = field(default=60.0, metadata={"min": 1, "max": 600})


@dataclass(frozen=True)
class DevicesConfig:
    printer: PrinterConfig = field(default_factory=PrinterConfig)
    backup_printer: PrinterConfig = field(default_factory=lambda: PrinterConfig(kind="none"))
    scanner: ScannerConfig = field(default_factory=ScannerConfig)
    camera: CameraConfig = field(default_factory=CameraConfig)
    lockers: LockersConfig = field(default_factory=LockersConfig)
    ktp: KtpReaderConfig = field(default_factory=KtpReaderConfig)


@dataclass(frozen=True)
class CentralConfig:
    url: str = field(default="", metadata={"pattern": r"^(|https?://\S+)$"})
    token: str = ""
    token_file: str = field(default="", metadata={"doc": "the device's credential file (kiosk central credential issue); "
                                                         "used instead of token"})
    connect_timeout_s: float = field(default=3.05, metadata={"min": 0.1, "max": 60})
    read_timeout_s: float = field(default=10.0, metadata={"min": 0.1, "max": 300})
    verify_tls: bool = True
    pull_interval_s: float = field(default=5.0, metadata={"min": 0.5, "max": 3600})
    retry_base_s: float = field(default=1.0, metadata={"min": 0.01, "max": 600, "doc": "first retry delay (doubles)"})
    retry_max_s: float = field(default=300.0, metadata={"min": 0.1, "max": 86400, "doc": "longest retry delay"})
    batch_size: int = field(default=100, metadata={"min": 1, "max": 10000, "doc": "outbox messages per pass"})
    batch_push: bool = field(default=True, metadata={"doc": "push many messages per request (central's batch endpoint)"})
    max_attempts: int = field(default=8, metadata={"min": 1, "max": 1000, "doc": "failed answers to one message before "
                                                   "it is parked for staff (an unreachable server costs none)"})


@dataclass(frozen=True)
class NotifierConfig:
    kind: Literal["none", "simulated", "whatsapp_cloud", "http_gateway"] = "simulated"
    url: str = field(default="", metadata={"pattern": r"^(|https?://\S+)$"})
    token: str = ""
    phone_number_id: str = ""
    template: str = "kunjungan_tamu"
    template_language: str = "id"
    intel_head_host_id: str = field(default="", metadata={"doc": "host id of the Head of Intelligence (Kasi Intel)"})


@dataclass(frozen=True)
class PrivacyConfig:
    retention_days: int = field(default=30, metadata={"min": 1, "max": 3650})
    photo_reuse_days: int = field(default=30, metadata={
        "min": 0, "max": 3650, "doc": "a proven returning guest may reuse a photo this recent (0: never)"})
    key_file: str = "var/keys/data.key"
    signing_key_file: str = "var/keys/pass_signing.key"
    verify_keys_dir: str = "var/keys/verify"


@dataclass(frozen=True)
class UiConfig:
    language: Literal["id", "en"] = "id"
    idle_timeout_s: int = field(default=90, metadata={"min": 10, "max": 3600})
    fullscreen: bool = False
    width: int = field(default=1280, metadata={"min": 320, "max": 7680})
    height: int = field(default=800, metadata={"min": 240, "max": 4320})
    display: str = field(
        default="auto",
        metadata={"pattern": r"^(auto|\d{1,3}(\.\d{1,2})?(in|dpi))$",
                  "doc": "panel size: auto (EDID, else the usual panel for the resolution), e.g. 7in, 21.5in, 133dpi"},
    )
    large_text: bool = False
    high_contrast: bool = False
    staff_pin_hash: str = field(default="", metadata={"doc": "argon2 hash of the staff PIN"})
    staff_pin_attempts: int = field(default=5, metadata={"min": 1, "max": 20})
    staff_lockout_s: int = field(default=300, metadata={"min": 10, "max": 86400})
    # Wrong PINs are forgotten after this long without one (and after the lock-out ends): a visitor in the
    # lobby can delay staff, never lock them out for good.
    staff_pin_forget_s: int = field(default=900, metadata={"min": 60, "max": 86400})


@dataclass(frozen=True)
class HostEntry:
    id: str
    name: str
    section: str = ""
    position: str = ""
    phone: str = field(default="", metadata={"pattern": r"^(|\+?[0-9]{8,15})$"})


@dataclass(frozen=True)
class PurposeEntry:
    id: str
    label_id: str
    label_en: str
    routes_to_intel: bool = False


DEFAULT_PURPOSES = [
    PurposeEntry("meet_employee", "Bertemu pegawai", "Meet an employee"),
    PurposeEntry("complaint", "Laporan / pengaduan (Intelijen)", "Report / complaint (Intelligence)", True),
    PurposeEntry("ptsp_service", "Layanan PTSP", "PTSP services"),
    PurposeEntry("evidence", "Pengambilan barang bukti", "Collect evidence items"),
    PurposeEntry("other", "Keperluan lain", "Other"),
]


@dataclass(frozen=True)
class SurveyConfig:
    age_groups: list[str] = field(default_factory=lambda: ["<20", "20-29", "30-39", "40-49", "50-59", ">=60"])
    education: list[str] = field(default_factory=lambda: ["SD", "SMP", "SMA", "D1-D3", "D4/S1", "S2", "S3"])
    occupation: list[str] = field(
        default_factory=lambda: ["PNS", "TNI/Polri", "Pegawai swasta", "Wiraswasta", "Pelajar/Mahasiswa", "Lainnya"]
    )
    yearly_population: int = field(default=0, metadata={"min": 0, "doc": "visitors per year, for the sample size"})


@dataclass(frozen=True)
class LoggingConfig:
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    file: str = field(default="", metadata={"doc": "JSON-lines log file; empty logs to stderr"})
    max_bytes: int = field(default=5_000_000, metadata={"min": 10_000})
    backups: int = field(default=5, metadata={"min": 0, "max": 100})


@dataclass(frozen=True)
class Config:
    office: OfficeConfig = field(default_factory=OfficeConfig)
    kiosk: KioskConfig = field(default_factory=KioskConfig)
    devices: DevicesConfig = field(default_factory=DevicesConfig)
    central: CentralConfig = field(default_factory=CentralConfig)
    notifier: NotifierConfig = field(default_factory=NotifierConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    ui: UiConfig = field(default_factory=UiConfig)
    survey: SurveyConfig = field(default_factory=SurveyConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    hosts: list[HostEntry] = field(default_factory=list)
    purposes: list[PurposeEntry] = field(default_factory=lambda: list(DEFAULT_PURPOSES))
    # Where the file was read from; relative paths in the file resolve against its folder's parent
    # when that folder is named `config`, else against the folder itself.
    base_dir: str = field(default=str(PROJECT_ROOT), metadata={"internal": True})

    def path(self, value: str) -> Path:
        """Resolve a path from the config (absolute, or relative to the config's base directory)."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else Path(self.base_dir) / p

    @property
    def data_dir(self) -> Path:
        return self.path(self.kiosk.data_dir)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "kiosk.sqlite3"

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)


# --- loading ----------------------------------------------------------------------------------


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin is list:
        return f"a list of {_type_name(typing.get_args(tp)[0])}"
    if dataclasses.is_dataclass(tp):
        return f"a table [{tp.__name__}]"
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(tp, str(tp))


def _convert(tp: Any, value: Any, key: str, meta: typing.Mapping[str, Any]) -> Any:
    origin = typing.get_origin(tp)
    if origin is Literal:
        _check(value in typing.get_args(tp) and type(value) is not bool, key, value, _type_name(tp))
        return value
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return None if value is None else _convert(args[0], value, key, meta)
    if origin is list:
        _check(isinstance(value, list), key, value, _type_name(tp))
        (item_tp,) = typing.get_args(tp)
        return [_convert(item_tp, v, f"{key}[{i}]", {}) for i, v in enumerate(value)]
    if dataclasses.is_dataclass(tp):
        _check(isinstance(value, dict), key, value, _type_name(tp))
        return _build(tp, value, key)
    if tp is bool:
        _check(isinstance(value, bool), key, value, "true or false")
        return value
    if tp is int:
        _check(isinstance(value, int) and not isinstance(value, bool), key, value, "an integer")
    elif tp is float:
        _check(isinstance(value, (int, float)) and not isinstance(value, bool), key, value, "a number")
        value = float(value)
    elif tp is str:
        _check(isinstance(value, str), key, value, "a string")
        pattern = meta.get("pattern")
        if pattern:
            _check(re.fullmatch(pattern, value) is not None, key, value, f"text matching {pattern}")
    if "min" in meta:
        _check(value >= meta["min"], key, value, f"a value of at least {meta['min']}")
    if "max" in meta:
        _check(value <= meta["max"], key, value, f"a value of at most {meta['max']}")
    return value


def _build(cls: type, data: dict[str, Any], prefix: str) -> Any:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
    for name in data:
        if name not in fields:
            where = f"{prefix}.{name}" if prefix else name
            raise ConfigError(where, data[name], "no such key (check the spelling against config/kiosk.example.toml)")
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        key = f"{prefix}.{name}" if prefix else name
        if name in data:
            kwargs[name] = _convert(hints[name], data[name], key, f.metadata)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(key, _MISSING, f"{_type_name(hints[name])} (this key is required)")
    return cls(**kwargs)


def _check_unique(values: list, key_pattern: str, expected: str) -> None:
    """The second use of a value is the error (the first one is where it belongs)."""
    seen: set = set()
    for i, value in enumerate(values):
        _check(value not in seen, key_pattern.format(i), value, expected)
        seen.add(value)


def _validate_cross(cfg: Config) -> None:
    """Rules that span keys."""
    ids = [h.id for h in cfg.hosts]
    _check_unique(ids, "hosts[{}].id", "a host id used only once")
    purpose_ids = [p.id for p in cfg.purposes]
    _check(len(purpose_ids) > 0, "purposes", [], "at least one purpose")
    _check_unique(purpose_ids, "purposes[{}].id", "a purpose id used only once")
    if cfg.notifier.intel_head_host_id:
        _check(
            cfg.notifier.intel_head_host_id in ids,
            "notifier.intel_head_host_id",
            cfg.notifier.intel_head_host_id,
            "the id of one of the [[hosts]]",
        )
    doors = sum(b.doors for b in cfg.devices.lockers.boards)
    addresses = [b.address for b in cfg.devices.lockers.boards]
    _check_unique(addresses, "devices.lockers.boards[{}].address", "a board address used once")
    for i, door in enumerate(cfg.devices.lockers.out_of_service):
        _check(1 <= door <= doors, f"devices.lockers.out_of_service[{i}]", door, f"a door number from 1 to {doors}")
    if cfg.devices.printer.kind == "network":
        _check(bool(cfg.devices.printer.host), "devices.printer.host", "", "a host name or IP for a network printer")
    start, _, end = cfg.office.working_hours.partition("-")
    _check(_is_clock_time(start) and _is_clock_time(end), "office.working_hours", cfg.office.working_hours,
           "two times of day HH:MM-HH:MM")
    _check(start < end, "office.working_hours", cfg.office.working_hours, "a start time before the end time")
    _check(_is_clock_time(cfg.office.closing_time), "office.closing_time", cfg.office.closing_time, "a time of day HH:MM")
    _check(_is_time_zone(cfg.office.timezone), "office.timezone", cfg.office.timezone,
           "an IANA time zone name such as 'Asia/Jakarta', 'Asia/Makassar' or 'Asia/Jayapura'")
    for i, day in enumerate(cfg.office.collective_leave):
        _check(_is_date(day), f"office.collective_leave[{i}]", day, "a date YYYY-MM-DD")


def _is_clock_time(text: str) -> bool:
    from datetime import time

    try:
        time.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_date(text: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_time_zone(name: str) -> bool:
    """A zone the office's clock can use now (checked at load, so `config check` catches it, not a report)."""
    from zoneinfo import ZoneInfo

    if not name or name != name.strip() or "\x00" in name:
        return False
    try:
        ZoneInfo(name)
    except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError; bad paths are ValueError
        return False
    return True


def parse_config(data: dict[str, Any], base_dir: Path | str = PROJECT_ROOT, source: str = "") -> Config:
    try:
        cfg = _build(Config, data, "")
        cfg = dataclasses.replace(cfg, base_dir=str(base_dir))
        _validate_cross(cfg)
    except ConfigError as exc:
        if source:
            raise ConfigError(exc.key, exc.value, exc.expected, source) from None
        raise
    return cfg


# A real config is a few kilobytes; the limit keeps /dev/zero or a wrong file from filling memory.
MAX_CONFIG_BYTES = 1 << 20


def default_config_path() -> Path:
    env = os.environ.get("KIOSK_CONFIG")
    if env:
        return Path(env)
    return PROJECT_ROOT / "config" / "kiosk.toml"


def load_config(path: Path | str | None = None) -> Config:
    """Read and validate the config file; `None` means $KIOSK_CONFIG or config/kiosk.toml."""
    from kiosk.files import UnusableFile, read_bounded

    p = Path(path) if path is not None else default_config_path()
    try:
        raw = read_bounded(p, MAX_CONFIG_BYTES, "config")
    except FileNotFoundError:
        raise ConfigError("(file)", str(p), "an existing config file (copy config/kiosk.example.toml)") from None
    except UnusableFile:
        raise ConfigError("(file)", str(p), f"a regular file of at most {MAX_CONFIG_BYTES} bytes") from None
    except OSError as exc:
        raise ConfigError("(file)", str(p), f"a readable file ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("(file)", str(p), "a UTF-8 text file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("(syntax)", str(exc), "valid TOML", str(p)) from None
    except RecursionError:  # tables or arrays nested thousands deep
        raise ConfigError("(syntax)", "nested too deeply", "TOML without deeply nested tables or arrays", str(p)) from None
    folder = p.resolve().parent
    base = folder.parent if folder.name == "config" else folder
    return parse_config(data, base_dir=base, source=str(p))
