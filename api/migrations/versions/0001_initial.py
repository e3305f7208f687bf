"""Initial schema: teams, advisers, channels, weeks, demand, jobs, roster versions, tokens."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.db import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("adviser_id", sa.String(length=64), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "channel",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "team",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("window", sa.JSON(), nullable=False),
        sa.Column("split", sa.JSON(), nullable=True),
        sa.Column("split_tolerance_points", sa.Float(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "week",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("monday", sa.Date(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("minimum", sa.JSON(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("solver", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("published_version_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("monday", "timezone", name="uq_week_monday_timezone"),
    )
    op.create_table(
        "adviser",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("split", sa.JSON(), nullable=True),
        sa.Column("split_tolerance_points", sa.Float(), nullable=True),
        sa.Column("contract_hours_per_week", sa.Float(), nullable=True),
        sa.Column("preferences", sa.JSON(), nullable=False),
        sa.Column("volunteer", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team"],
            ["team.name"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("adviser", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_adviser_team"), ["team"], unique=False)

    op.create_table(
        "demand",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("interval_start", UTCDateTime(), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=32), nullable=False),
        sa.Column("required", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["week_id"], ["week.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "week_id", "interval_start", "channel", "language", name="uq_demand_cell"
        ),
    )
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("time_limit_seconds", sa.Float(), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=True),
        sa.Column("objective", sa.Float(), nullable=True),
        sa.Column("bound", sa.Float(), nullable=True),
        sa.Column("progress_seconds", sa.Float(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("diagnosis", sa.JSON(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["week_id"], ["week.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_week_id"), ["week_id"], unique=False)

    op.create_table(
        "roster_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("objective", sa.Float(), nullable=True),
        sa.Column("lower_bound", sa.Float(), nullable=True),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.Column("solve_seconds", sa.Float(), nullable=False),
        sa.Column("penalties", sa.JSON(), nullable=False),
        sa.Column("violations", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["week_id"], ["week.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("week_id", "number", name="uq_version_week_number"),
    )
    with op.batch_alter_table("roster_version", schema=None) as batch_op:
        batch_op.create_index(
            "uq_version_published",
            ["week_id"],
            unique=True,
            sqlite_where=sa.text("state = 'published'"),
            postgresql_where=sa.text("state = 'published'"),
        )

    op.create_table(
        "roster_shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("adviser_id", sa.String(length=64), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("start", UTCDateTime(), nullable=False),
        sa.Column("end", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["roster_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("roster_shift", schema=None) as batch_op:
        batch_op.create_index(
            "ix_roster_shift_version_adviser", ["version_id", "adviser_id"], unique=False
        )

    op.create_table(
        "time_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("adviser_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("start", UTCDateTime(), nullable=True),
        sa.Column("end", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["adviser_id"], ["adviser.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("time_off", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_off_adviser_id"), ["adviser_id"], unique=False)

    op.create_table(
        "roster_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("start", UTCDateTime(), nullable=False),
        sa.Column("end", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["shift_id"], ["roster_shift.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("roster_activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_activity_shift_id"), ["shift_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_roster_activity_version_id"), ["version_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("roster_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_activity_version_id"))
        batch_op.drop_index(batch_op.f("ix_roster_activity_shift_id"))

    op.drop_table("roster_activity")
    with op.batch_alter_table("time_off", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_off_adviser_id"))

    op.drop_table("time_off")
    with op.batch_alter_table("roster_shift", schema=None) as batch_op:
        batch_op.drop_index("ix_roster_shift_version_adviser")

    op.drop_table("roster_shift")
    with op.batch_alter_table("roster_version", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_version_published",
            sqlite_where=sa.text("state = 'published'"),
            postgresql_where=sa.text("state = 'published'"),
        )

    op.drop_table("roster_version")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_week_id"))
        batch_op.drop_index(batch_op.f("ix_job_state"))

    op.drop_table("job")
    op.drop_table("demand")
    with op.batch_alter_table("adviser", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adviser_team"))

    op.drop_table("adviser")
    op.drop_table("week")
    op.drop_table("team")
    op.drop_table("channel")
    op.drop_table("api_token")
