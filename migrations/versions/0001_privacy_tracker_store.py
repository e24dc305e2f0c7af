"""Privacy tracker store: senders and encrypted events.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Creates the senders and events tables."""
    op.create_table(
        "sigilo_senders",
        sa.Column("pseudonym", sa.String(64), primary_key=True),
        sa.Column("generation", sa.Integer, nullable=False, server_default="0"),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("sender", sa.LargeBinary, nullable=False),
        sa.Column("last_event_at", sa.Float, nullable=False),
    )
    op.create_table(
        "sigilo_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("session_no", sa.Integer, nullable=False),
        sa.Column("type_name", sa.String(32), nullable=False),
        sa.Column("timestamp", sa.Float, nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("pseudonym", "generation", "seq", name="uq_sigilo_events_identity"),
    )
    op.create_index("ix_sigilo_events_timestamp", "sigilo_events", ["timestamp"])
    op.create_index("ix_sigilo_events_key_id", "sigilo_events", ["key_id"])
    op.create_index(
        "ix_sigilo_events_session",
        "sigilo_events",
        ["pseudonym", "generation", "session_no", "timestamp"],
    )


def downgrade() -> None:
    """Drops the store's tables (and every conversation in them)."""
    op.drop_table("sigilo_events")
    op.drop_table("sigilo_senders")
