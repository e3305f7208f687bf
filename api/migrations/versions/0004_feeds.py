"""Calendar feeds: per adviser or team, a hashed secret and the feed as last built."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("adviser_id", sa.String(length=64), nullable=True),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("secret_hash", sa.String(length=64), nullable=True),
        sa.Column("secret_created_at", UTCDateTime(), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("etag", sa.String(length=80), nullable=False),
        sa.Column("last_modified", UTCDateTime(), nullable=False),
        sa.Column("built_at", UTCDateTime(), nullable=False),
        sa.Column("builds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["adviser_id"], ["adviser.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["team"], ["team.name"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("adviser_id"),
        sa.UniqueConstraint("team"),
        sa.UniqueConstraint("secret_hash"),
    )


def downgrade() -> None:
    op.drop_table("feed")
