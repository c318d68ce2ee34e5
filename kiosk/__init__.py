"""Self-service guest registration kiosk for Indonesian prosecutor offices (Kejaksaan Negeri)."""

__version__ = "0.1.0"

# When this version was built: a device whose clock reads earlier is wrong (no RTC, no NTP yet). Raise it
# with every release; the gate refuses time-based verdicts before it.
BUILD_TIME = "2026-11-01T00:00:00+00:00"
