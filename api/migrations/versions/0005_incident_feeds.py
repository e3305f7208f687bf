"""Incident feeds: a feed may belong to an incident (the crisis cell's surge duties)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # named constraints: SQLite's batch mode rebuilds the table and must find them to drop them
    with op.batch_alter_table("feed") as batch:
        batch.add_column(sa.Column("incident_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_feed_incident_id_incident", "incident", ["incident_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_unique_constraint("uq_feed_incident_id", ["incident_id"])


def downgrade() -> None:
    with op.batch_alter_table("feed") as batch:
        batch.drop_constraint("uq_feed_incident_id", type_="unique")
        batch.drop_constraint("fk_feed_incident_id_incident", type_="foreignkey")
        batch.drop_column("incident_id")
