"""The office's host directory from a kiosk config, in the central server's shape (`kiosk central serve --seed-config`)."""
from __future__ import annotations

from kiosk.config import Config
from kiosk.store.hosts import Host
from kiosk.sync.mapping import host_to_central


def central_host_directory(cfg: Config) -> list[dict]:
    return [host_to_central(Host(h.id, h.name, h.section, h.position, h.phone)) for h in cfg.hosts]
