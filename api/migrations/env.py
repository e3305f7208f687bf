"""Alembic environment: migrate on the connection `api.db.migrate` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import api.incident_models  # (registers its tables on the metadata, as api.models does)
import api.models  # noqa: F401  (registers the tables on the metadata)

target_metadata = SQLModel.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # the `alembic` command line: a URL in the config
        engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as owned:
            _migrate(owned)
        return
    _migrate(connection)


def _migrate(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()


run()
