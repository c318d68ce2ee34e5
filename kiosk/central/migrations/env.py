"""Alembic environment of the central service: runs on the connection kiosk.central.db hands it."""
from __future__ import annotations

from alembic import context

from kiosk.central.models import meta

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=meta, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
