"""The application factory: settings in, a FastAPI app with its database and job runner out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import errors, worker
from api.auth import TokenCache
from api.db import make_engine, migrate
from api.jobs import JobRunner, Target
from api.routes import (
    advisers,
    channels,
    feeds,
    incidents,
    jobs,
    teams,
    tokens,
    versions,
    weeks,
)
from api.settings import Settings
from api.versions import Cache

DESCRIPTION = """Weekly rosters for a multichannel contact centre.

Supervisors keep the data: channels, teams and their labour rules, advisers and their time
off, and weeks with their demand (or a forecast of contacts to size it from) and the blocks
carried in from the week before. They submit roster jobs, compare the versions the jobs make
(coverage, quality) and publish one. Advisers read their own shifts and subscribe to their
calendar feed, in their own time zone; supervisors make feeds for advisers and teams. The
crisis cell opens incidents on a week, records the volunteers' answers, has surge plans made,
publishes one as a new version of the week, and reads the incident's report and feed. Admins
manage tokens. Every request carries `Authorization: Bearer <token>`; make the first one with
`roster token create --role admin`. The supervisor board, a web page on this API, is at
`/board/`.
"""
BOARD = Path(__file__).parent / "static" / "board"


def create_app(settings: Settings | None = None, *, solve: Target = worker.run) -> FastAPI:
    """The service on `settings` (default: from the environment).

    The database is migrated and the job runner started when the app starts; `solve` is what a
    job's child process runs (tests pass a stand-in).
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        migrate(engine)
        runner = JobRunner(engine, parallel=settings.solver_jobs, target=solve)
        app.state.engine, app.state.runner = engine, runner
        app.state.cache = Cache(settings.cache_versions)
        app.state.adviser_cache = Cache(settings.cache_adviser_shifts)
        app.state.tokens = TokenCache(settings.token_cache_seconds)
        runner.start()
        try:
            yield
        finally:
            runner.stop()
            engine.dispose()

    app = FastAPI(title="roster", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    errors.install(app)
    for module in (channels, teams, advisers, weeks, jobs, versions, tokens, incidents, feeds):
        app.include_router(module.router)
    # the board is static files; it needs no token, the API calls it makes do
    app.mount("/board", StaticFiles(directory=BOARD, html=True), name="board")
    return app
