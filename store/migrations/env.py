"""Alembic's environment: migrations run on the connection `store.db.init_db` hands over (inside
its transaction and lock), or, from the `alembic` command, on DATABASE_URL / the settings' URL."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import store.audit
import store.models  # noqa: F401  (the tables autogenerate compares against)

target_metadata = SQLModel.metadata


def run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:  # the alembic command line
    from settings import get_settings
    from store.db import make_engine, transaction

    with transaction(make_engine(get_settings().resolved_database_url)) as conn:
        run(conn)
