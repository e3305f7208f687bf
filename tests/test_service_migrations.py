"""The schema comes from the migrations, and they describe exactly the tables the code uses."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel

from api.db import make_engine, migrate
from api.models import ChannelRow

HEAD = "0005"


def test_the_migrations_build_the_tables_of_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_migrating_an_existing_database_keeps_its_data(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with Session(engine) as session:
        session.add(ChannelRow(name="social", kind="deferred"))
        session.commit()
    migrate(engine)  # a later start of the service on the same database
    with Session(engine) as session:
        assert session.get(ChannelRow, "social") is not None
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        assert "roster_shift" in inspect(connection).get_table_names()
    engine.dispose()


def test_a_database_of_the_first_schema_gains_forecasts_and_keeps_its_channels(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    migrate(engine, "0001")  # as the first version of the service left it
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO channel (name, kind) VALUES ('phone', 'realtime')"))
    migrate(engine)
    with Session(engine) as session:
        phone = session.get(ChannelRow, "phone")
        assert phone is not None and phone.kind == "realtime" and phone.service is None
    with engine.connect() as connection:
        assert "forecast" in inspect(connection).get_table_names()
    engine.dispose()
