"""The central service's database: engine from a URL (PostgreSQL in production, SQLite for the demo) and
Alembic migrations to the newest schema."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event, inspect

from kiosk.domain.errors import KioskError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class CentralDatabaseError(KioskError):
    code = "central_database"

    def __init__(self, url: str, detail: str) -> None:
        where = url.split("://")[0] if "://" in url else url  # the scheme only: a URL may carry a password
        super().__init__(scheme=where, where=where, detail=detail)


def normalize_url(url: str) -> str:
    """postgresql:// and postgres:// mean the psycopg 3 driver (the one the central extra installs)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, *, pool_size: int = 10):
    url = normalize_url(url)
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record) -> None:
            # SQLAlchemy's BEGIN becomes ours: IMMEDIATE takes the write lock up front, so two pushes of
            # one key never both pass the "already stored?" check.
            dbapi_conn.isolation_level = None
            dbapi_conn.execute("PRAGMA journal_mode=WAL")
            dbapi_conn.execute("PRAGMA synchronous=FULL")

        @event.listens_for(engine, "begin")
        def _on_begin(conn) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=pool_size)


def _alembic_config(connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def migrate(engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (Alembic upgrade); safe to run on every start."""
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), revision)


def current_revision(engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def open_engine(url: str, *, upgrade: bool = True, pool_size: int = 10):
    """The engine, its schema migrated; a missing driver, a bad URL or an unreachable server is one clear error."""
    from sqlalchemy.exc import ArgumentError, OperationalError

    try:
        engine = make_engine(url, pool_size=pool_size)
        if upgrade:
            migrate(engine)
        else:
            inspect(engine).get_table_names()
    except ModuleNotFoundError as exc:
        raise CentralDatabaseError(url, f"driver '{exc.name}' is not installed (pip install '.[central]', "
                                        "then a URL postgresql://user@host/db)") from None
    except ArgumentError as exc:
        raise CentralDatabaseError(url, f"not a database URL ({exc})") from None
    except OperationalError as exc:
        raise CentralDatabaseError(url, str(exc.orig).strip().splitlines()[0]) from None
    return engine
