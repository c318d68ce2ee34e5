"""The reference central buku tamu server: implements kiosk/central/openapi.json for demos and tests."""
