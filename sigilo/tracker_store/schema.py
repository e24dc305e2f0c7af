"""Tables of the privacy tracker store (created only by the Alembic migrations)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# One row per consumer: the erasure generation and the real sender id, encrypted.
senders = sa.Table(
    "sigilo_senders",
    metadata,
    sa.Column("pseudonym", sa.String(64), primary_key=True),
    sa.Column("generation", sa.Integer, nullable=False, server_default="0"),
    sa.Column("key_id", sa.String(32), nullable=False),
    sa.Column("sender", sa.LargeBinary, nullable=False),
    sa.Column("last_event_at", sa.Float, nullable=False),
)

# One row per stored event; payload redacted, then encrypted with
# associated data = pseudonym|generation|seq.
events = sa.Table(
    "sigilo_events",
    metadata,
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
    sa.Index("ix_sigilo_events_timestamp", "timestamp"),
    sa.Index("ix_sigilo_events_key_id", "key_id"),
    sa.Index("ix_sigilo_events_session", "pseudonym", "generation", "session_no", "timestamp"),
)
