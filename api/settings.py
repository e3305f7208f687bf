"""The service's settings, read once from the environment (and a `.env` file if present)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the data lives and how many solves run at once.

    `DATABASE_URL` is an SQLAlchemy URL: `sqlite:///roster.db` (the default, a file in the
    working directory) or `postgresql://user:password@host:5432/name` (driven by psycopg 3).
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(default="sqlite:///roster.db", validation_alias="DATABASE_URL")
    solver_jobs: int = Field(
        default=1,
        ge=1,
        le=16,
        validation_alias="ROSTER_SOLVER_JOBS",
        description="Solves that may run at the same time, each in its own process",
    )
    cache_versions: int = Field(
        default=32,
        ge=0,
        validation_alias="ROSTER_CACHE_VERSIONS",
        description="Rosters kept serialised in memory (versions never change once made)",
    )
    cache_adviser_shifts: int = Field(
        default=10_000,
        ge=0,
        validation_alias="ROSTER_CACHE_ADVISER_SHIFTS",
        description="One adviser's shifts in one published version, kept serialised (~3 KiB)",
    )
    token_cache_seconds: float = Field(
        default=5,
        ge=0,
        le=300,
        validation_alias="ROSTER_TOKEN_CACHE_SECONDS",
        description="How long a valid token's lookup is reused; revoking through the API "
        "takes effect at once, revoking from another process within this time",
    )
