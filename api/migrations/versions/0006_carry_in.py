"""Carry-in: the blocks worked before a week, as uploaded or imported with its scenario."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.db import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "carry_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_id", sa.Integer(), nullable=False),
        sa.Column("adviser_id", sa.String(length=64), nullable=False),
        sa.Column("activity", sa.String(length=64), nullable=False),
        sa.Column("start", UTCDateTime(), nullable=False),
        sa.Column("end", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["week_id"], ["week.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_carry_in_week_id", "carry_in", ["week_id"])


def downgrade() -> None:
    op.drop_index("ix_carry_in_week_id", table_name="carry_in")
    op.drop_table("carry_in")
