"""Metrics: daily counters per channel, language, kind and name.

Revision ID: m0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "m0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Creates the daily counters table."""
    op.create_table(
        "sigilo_metric_daily_counts",
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("day", "channel", "language", "kind", "name"),
    )


def downgrade() -> None:
    """Drops the daily counters table."""
    op.drop_table("sigilo_metric_daily_counts")
