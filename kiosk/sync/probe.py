"""Reachability probes for `kiosk selftest`: the central API and the notification channel's credentials.

Outgoing calls live in kiosk/sync; these ask once, with the configured timeouts, and change nothing.
"""
from __future__ import annotations

import requests

from kiosk.sync.errors import DeliveryError


def probe_central(client) -> str:
    """Read the office's host directory (authenticated): proves the URL, TLS and the token. Raises DeliveryError."""
    hosts = client.hosts()
    return f"{client.base_url} answers ({len(hosts)} hosts)"


def probe_notifier(cfg) -> tuple[bool, str]:
    """(ok, detail) for the configured channel's credentials, without sending any message."""
    n = cfg.notifier
    timeout = (cfg.central.connect_timeout_s, cfg.central.read_timeout_s)
    if n.kind == "simulated":
        return True, "simulated channel (no credentials needed)"
    missing = [k for k in ("url", "token") if not getattr(n, k)]
    if n.kind == "whatsapp_cloud" and not n.phone_number_id:
        missing.append("phone_number_id")
    if missing:
        return False, "missing notifier." + ", notifier.".join(missing)
    if n.kind == "whatsapp_cloud":
        # GET /<version>/<phone-number-id> answers 200 only to a valid token for that number.
        url = f"{n.url.rstrip('/')}/{n.phone_number_id}"
        headers = {"Authorization": f"Bearer {n.token}"}
    else:
        # A gateway has no standard "who am I"; a HEAD/GET with the token proves reachability and (often) the token.
        url = n.url
        headers = {"Authorization": n.token}
    try:
        resp = requests.get(url, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        raise DeliveryError("notifier", f"unreachable ({type(exc).__name__})", transient=True) from None
    if resp.status_code in (401, 403):
        return False, f"credentials refused (HTTP {resp.status_code})"
    if resp.status_code >= 500:
        return False, f"server error (HTTP {resp.status_code})"
    return True, f"{n.kind} answers (HTTP {resp.status_code})"
