"""Forecasts: a service goal on each channel, and a week's forecast rows."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.db import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channel") as batch:
        batch.add_column(sa.Column("service", sa.JSON(), nullable=True))
    op.create_table(
        "forecast",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("interval_start", UTCDateTime(), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=32), nullable=False),
        sa.Column("volume", sa.Float(), nullable=False),
        sa.Column("aht_seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["week_id"], ["week.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "week_id", "interval_start", "channel", "language", name="uq_forecast_cell"
        ),
    )


def downgrade() -> None:
    op.drop_table("forecast")
    with op.batch_alter_table("channel") as batch:
        batch.drop_column("service")
