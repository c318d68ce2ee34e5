"""Self-service guest registration kiosk for Indonesian prosecutor offices (Kejaksaan Negeri)."""

__version__ = "0.1.0"
