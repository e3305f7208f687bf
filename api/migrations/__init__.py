"""Alembic migrations of the service's database; run by `api.db.migrate` at start-up."""
