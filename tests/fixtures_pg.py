"""The central tests' PostgreSQL: one throwaway server per test session (kiosk/central/pgtemp.py), a fresh
database per test or module."""
from __future__ import annotations

import pytest

from kiosk.central.pgtemp import PostgresServer


@pytest.fixture(scope="session")
def postgres_server():
    try:
        server = PostgresServer().start()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres_server) -> str:
    """A fresh, empty database on the test PostgreSQL server."""
    return postgres_server.create_database()
