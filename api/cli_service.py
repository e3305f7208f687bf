"""The service's commands: `roster serve` and `roster token create`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session

from api.settings import Settings

if TYPE_CHECKING:  # the models load SQLAlchemy's tables: only where a command needs them
    from api.models import WeekRow
    from roster.model import Scenario

COMMANDS = ("serve", "token")
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "airline_week"
ROLES = ("supervisor", "adviser", "crisis", "admin")


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `serve` and `token` on the `roster` command's subparsers."""
    serve = commands.add_parser(
        "serve",
        help="start the HTTP service",
        description="Start the roster service (REST API, docs at /docs). The database is "
        "DATABASE_URL (default: roster.db in the working directory), migrated at start-up.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on [127.0.0.1]")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on [8000]")
    serve.add_argument(
        "--example",
        nargs="?",
        const=str(EXAMPLE),
        metavar="SCENARIO",
        help="first load a scenario (default: examples/airline_week), solve and publish its "
        "week unless already done, and print a supervisor token",
    )
    token = commands.add_parser(
        "token", help="manage bearer tokens", description="Manage the service's bearer tokens."
    )
    actions = token.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    create = actions.add_parser(
        "create",
        help="make a token and print it (once)",
        description="Make a bearer token for a role and print it; only its hash is stored.",
    )
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--adviser", metavar="ID", help="the adviser, for the adviser role")
    create.add_argument("--label", default="", help="a note to tell tokens apart")


def run(args: argparse.Namespace) -> int:
    """Carry out `serve` or `token`; the exit code."""
    from sqlalchemy.exc import OperationalError

    from api.errors import ServiceError

    settings = Settings()
    try:
        if args.command == "token":
            return token_create(settings, args.role, args.adviser, args.label)
        return serve(settings, args.host, args.port, args.example)
    except ServiceError as err:
        print(f"roster: error: {err}", file=sys.stderr)
        return 2
    except OperationalError as err:
        print(f"roster: error: database {settings.database_url}: {err.orig}", file=sys.stderr)
        return 2


def token_create(settings: Settings, role: str, adviser: str | None, label: str) -> int:
    from api.auth import create_token
    from api.db import make_engine, migrate

    engine = make_engine(settings.database_url)
    migrate(engine)
    with Session(engine) as session:
        row, token = create_token(session, role=role, adviser_id=adviser, label=label)  # type: ignore[arg-type]
    print(token)
    print(f"{role} token {row.id} made; it is shown only this once", file=sys.stderr)
    return 0


def import_folder(session: Session, scenario: Path) -> tuple[Scenario, WeekRow]:
    """Read a scenario folder (its demand CSV, forecast and carry-in too) into the tables,
    uncommitted."""
    from api.convert import import_scenario
    from roster.demand import read_demand_csv
    from roster.forecast import read_forecast_csv
    from roster.io import load_scenario, read_carry_in, scenario_path
    from roster.timegrid import Grid

    file = scenario_path(scenario)
    loaded = load_scenario(file)
    grid = Grid.for_week(loaded.week.monday, loaded.week.timezone, loaded.week.interval_minutes)
    frame = forecast = carry_in = None
    if loaded.demand.csv:
        frame = read_demand_csv(file.parent / loaded.demand.csv, loaded, grid)
    if loaded.demand.forecast:
        forecast = read_forecast_csv(file.parent / loaded.demand.forecast, loaded, grid)
    if loaded.carry_in:
        carry_in = read_carry_in(file.parent / loaded.carry_in, loaded, grid.end)
    return loaded, import_scenario(session, loaded, frame, forecast, carry_in)


def load_example(
    settings: Settings, scenario: Path, *, quiet: bool = False, time_limit: float | None = None
) -> tuple[int, str]:
    """Load a scenario, solve and publish its week unless published already; (week id, token).

    Running it again on the same database loads nothing twice and solves nothing again.
    """
    from api.auth import create_token
    from api.convert import take_snapshot
    from api.db import make_engine, migrate
    from api.jobs import record_result
    from api.models import JobRow, VersionRow
    from api.versions import publish
    from api.worker import solve_snapshot

    engine = make_engine(settings.database_url)
    migrate(engine)
    with Session(engine) as session:
        loaded, week = import_folder(session, scenario)
        session.commit()
        assert week.id is not None
        if week.published_version_id is None:
            job = JobRow(week_id=week.id, state="running", snapshot=take_snapshot(session, week))
            session.add(job)
            session.commit()
            session.refresh(job)
            if not quiet:
                print(
                    f"solving {loaded.name} ({len(loaded.advisers)} advisers)...", file=sys.stderr
                )
            result = solve_snapshot(job.snapshot, time_limit)
            assert job.id is not None
            record_result(session, job_id=job.id, result=result)
            session.refresh(job)
            if job.version_id is None:
                raise SystemExit(f"roster: the example has no roster: {job.message}")
            publish(session, version_id=job.version_id, expected_revision=None)
            version = session.get(VersionRow, job.version_id)
            if not quiet and version is not None:
                print(
                    f"published version {version.number}: objective {version.objective:,.0f}, "
                    f"bound {version.lower_bound:,.0f}",
                    file=sys.stderr,
                )
        _, token = create_token(session, role="supervisor", label="roster serve --example")
        week_id = week.id
    engine.dispose()
    return week_id, token


def serve(settings: Settings, host: str, port: int, example: str | None) -> int:
    import uvicorn

    from api.app import create_app

    base = f"http://{host}:{port}"
    if example is not None:
        week_id, token = load_example(settings, Path(example))
        print(f"roster service: {base}  (database {settings.database_url})")
        print(f"interactive API docs: {base}/docs")
        print(f"supervisor board: {base}/board/  (paste the token below)")
        print(f"supervisor token (shown once): {token}")
        print(f'try: curl -H "Authorization: Bearer {token}" {base}/weeks/{week_id}/roster')
        sys.stdout.flush()
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
    return 0
