"""The schema comes from the migrations, and they describe exactly the tables the code uses."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel, select

from api.db import MIGRATIONS, make_engine, migrate
from api.models import CarryInRow, ChannelRow, DemandRow, WeekRow

HEAD = "0006"


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


def test_a_database_at_0005_gains_the_carry_in_table_and_keeps_its_weeks(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    migrate(engine, "0005")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO week (id, name, monday, timezone, interval_minutes, minimum, "
                "weights, solver, revision, created_at) VALUES (1, 'airline week', '2026-11-23', "
                "'Europe/Paris', 15, '[]', '{}', '{}', 0, '2026-11-20 12:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO demand (week_id, interval_start, channel, language, required) "
                "VALUES (1, '2026-11-23 08:00:00', 'social', '', 2)"
            )
        )
    migrate(engine)
    with Session(engine) as session:
        week = session.get(WeekRow, 1)
        assert week is not None and week.name == "airline week"
        assert [d.required for d in session.exec(select(DemandRow))] == [2]
        session.add(
            CarryInRow(
                week_id=1,
                adviser_id="S001",
                activity="social",
                start=datetime(2026, 11, 22, 21, tzinfo=UTC),
                end=datetime(2026, 11, 23, 0, tzinfo=UTC),
            )
        )
        session.commit()
        carried = session.exec(select(CarryInRow)).one()
        assert (carried.week_id, carried.start) == (1, datetime(2026, 11, 22, 21, tzinfo=UTC))
    engine.dispose()


def test_the_carry_in_migration_is_undone_without_losing_the_weeks(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with Session(engine) as session:
        session.add(
            WeekRow(
                name="kept",
                monday=date(2026, 11, 23),
                timezone="Europe/Paris",
                minimum=[],
                weights={},
                solver={},
            )
        )
        session.commit()
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    with engine.connect() as connection:
        assert "carry_in" not in inspect(connection).get_table_names()
        assert connection.execute(text("SELECT name FROM week")).scalars().all() == ["kept"]
    engine.dispose()
