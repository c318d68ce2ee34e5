"""Settings of the central service, from the environment (systemd EnvironmentFile) and files: secrets are
never taken from the command line, where `ps` shows them to every user of the machine."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

from kiosk.domain.errors import KioskError


class CentralSettingsError(KioskError):
    code = "central_settings"

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(name=name, detail=detail)


@dataclass(frozen=True)
class CentralSettings:
    db_url: str = "sqlite:///var/central/central.sqlite3"  # KIOSK_CENTRAL_DB (or KIOSK_CENTRAL_DB_FILE)
    key_file: str = "var/central/central.key"  # KIOSK_CENTRAL_KEY_FILE: encryption, photo links, subject keys
    app_secret: str = ""  # KIOSK_WA_APP_SECRET or KIOSK_WA_APP_SECRET_FILE: WhatsApp webhook signatures
    verify_token: str = ""  # KIOSK_WA_VERIFY_TOKEN(_FILE): WhatsApp webhook subscription check
    public_url: str = ""  # KIOSK_CENTRAL_PUBLIC_URL: base of the photo links sent to hosts
    photo_link_ttl_s: int = 6 * 3600  # KIOSK_CENTRAL_PHOTO_LINK_TTL_S
    retention_days: int = 30  # KIOSK_CENTRAL_RETENTION_DAYS
    max_body_bytes: int = 8_000_000  # KIOSK_CENTRAL_MAX_BODY_BYTES
    body_timeout_s: float = 15.0  # KIOSK_CENTRAL_BODY_TIMEOUT_S: a client slower than this to send its body gets 408
    max_inflight: int = 256  # KIOSK_CENTRAL_MAX_INFLIGHT: requests at once per worker before 429
    pool_size: int = 10  # KIOSK_CENTRAL_POOL_SIZE: database connections per worker (and as many overflow)
    timezone: str = "Asia/Makassar"  # KIOSK_CENTRAL_TIMEZONE: the offices' local day for the desk's "today" (WITA)
    # Complaints by WhatsApp (kiosk/central/complaints.py, seed 004):
    wa_token: str = ""  # KIOSK_WA_TOKEN or KIOSK_WA_TOKEN_FILE: the Cloud API bearer token the central sends with
    wa_graph_url: str = "https://graph.facebook.com/v21.0"  # KIOSK_CENTRAL_WA_GRAPH_URL
    wa_media_hosts: str = "lookaside.fbsbx.com"  # KIOSK_CENTRAL_WA_MEDIA_HOSTS: hosts media downloads may come from
    wa_phone_numbers: str = ""  # KIOSK_CENTRAL_WA_PHONE_NUMBERS: "<phone_number_id>=<OFFICE>,..." the offices' numbers
    wa_language: str = "id"  # KIOSK_CENTRAL_WA_LANGUAGE: the templates' language code
    working_hours: str = "08:00-16:00"  # KIOSK_CENTRAL_WORKING_HOURS: Monday-Friday, minus holidays and cuti bersama
    collective_leave: str = ""  # KIOSK_CENTRAL_COLLECTIVE_LEAVE: extra days off "2026-12-24,2026-12-26" (decrees change)
    complaint_hours: float = 3.0  # KIOSK_CENTRAL_COMPLAINT_HOURS: answer within this much working time
    complaint_alert_hours: float = 2.0  # KIOSK_CENTRAL_COMPLAINT_ALERT_HOURS: alert the intel head at this mark
    complaint_intel_host: str = "kasi-intel"  # KIOSK_CENTRAL_COMPLAINT_INTEL_HOST: the host directory id alerted
    complaint_media_max_bytes: int = 5_000_000  # KIOSK_CENTRAL_COMPLAINT_MEDIA_MAX_BYTES: larger evidence is refused
    # The desk's own WhatsApp messages (kiosk/central/desk_office.py), sent by the same outbox as the complaints':
    wa_invitation_template: str = "undangan_tamu"  # KIOSK_CENTRAL_WA_INVITATION_TEMPLATE: QR image header + 5 params
    wa_host_template: str = "kunjungan_tamu"  # KIOSK_CENTRAL_WA_HOST_TEMPLATE: the kiosk's host notice (reminders)
    open_on_loopback: bool = False  # set by `serve` when bound to loopback: with no credential issued, no auth

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> CentralSettings:
        env = dict(os.environ if env is None else env)
        values: dict = {}

        def secret(name: str) -> str | None:
            if env.get(name + "_FILE"):
                try:
                    return Path(env[name + "_FILE"]).read_text().strip()
                except OSError as exc:
                    raise CentralSettingsError(name + "_FILE", f"{env[name + '_FILE']}: {exc.strerror}") from None
            return env.get(name)

        for field_name, env_name in (("db_url", "KIOSK_CENTRAL_DB"), ("app_secret", "KIOSK_WA_APP_SECRET"),
                                     ("verify_token", "KIOSK_WA_VERIFY_TOKEN"), ("wa_token", "KIOSK_WA_TOKEN")):
            v = secret(env_name)
            if v:
                values[field_name] = v
        for f in fields(cls):
            name = "KIOSK_CENTRAL_" + f.name.upper()
            if f.name in ("db_url",) or name not in env:
                continue
            raw = env[name]
            try:
                values[f.name] = (raw.lower() in ("1", "true", "yes")) if f.type == "bool" else \
                    int(raw) if f.type == "int" else float(raw) if f.type == "float" else raw
            except ValueError:
                raise CentralSettingsError(name, f"{raw!r} is not a {f.type}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def office_numbers(self) -> dict[str, str]:
        """phone_number_id -> office, from wa_phone_numbers."""
        out = {}
        for part in self.wa_phone_numbers.split(","):
            pid, _, office = part.strip().partition("=")
            if pid.strip() and office.strip():
                out[pid.strip()] = office.strip().upper()
        return out

    def number_of(self, office: str) -> str:
        """The office's own WhatsApp phone_number_id ("" when none is configured)."""
        return next((pid for pid, o in self.office_numbers().items() if o == office), "")

    def to_env(self) -> dict[str, str]:
        """The settings as environment for the worker processes (which rebuild them with from_env)."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out["KIOSK_CENTRAL_" + f.name.upper()] = ("1" if v else "0") if isinstance(v, bool) else str(v)
        out["KIOSK_CENTRAL_DB"] = self.db_url
        out["KIOSK_WA_APP_SECRET"] = self.app_secret
        out["KIOSK_WA_VERIFY_TOKEN"] = self.verify_token
        out["KIOSK_WA_TOKEN"] = self.wa_token
        for k in ("KIOSK_CENTRAL_DB_URL", "KIOSK_CENTRAL_APP_SECRET", "KIOSK_CENTRAL_VERIFY_TOKEN", "KIOSK_CENTRAL_WA_TOKEN"):
            out.pop(k, None)
        return out
