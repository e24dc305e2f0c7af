"""Tables of the operators' console (created only by migration ``0003_operators_audit``).

None of them holds a consumer's personal data: operators, their sessions, the audit
log (pseudonyms only), a non-personal search index, settings and retention runs.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

_BIG_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")

operators = sa.Table(
    "sigilo_operators",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    # the TOTP secret, encrypted with the store's key ring (associated data: username)
    sa.Column("totp_secret", sa.LargeBinary, nullable=True),
    sa.Column("totp_last_step", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.Float, nullable=False, server_default="0"),
    sa.Column("created_at", sa.Float, nullable=False),
)

operator_sessions = sa.Table(
    "sigilo_operator_sessions",
    metadata,
    # SHA-256 of the bearer token: a database dump gives no usable session
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("operator_id", sa.Integer, nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_seen_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)

audit_log = sa.Table(
    "sigilo_audit_log",
    metadata,
    sa.Column("seq", _BIG_ID, primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("operator", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("pseudonym", sa.String(64), nullable=True),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("detail", sa.String(200), nullable=False, server_default=""),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

conversation_index = sa.Table(
    "sigilo_conversation_index",
    metadata,
    sa.Column("pseudonym", sa.String(64), primary_key=True),
    sa.Column("first_event_at", sa.Float, nullable=False),
    sa.Column("last_event_at", sa.Float, nullable=False),
    sa.Column("channel", sa.String(32), nullable=False, server_default=""),
    sa.Column("language", sa.String(8), nullable=False, server_default=""),
    sa.Column("consent", sa.String(16), nullable=False, server_default="unknown"),
    # names (never values) of the personal slots currently set, comma-separated
    sa.Column("personal_slots", sa.String(200), nullable=False, server_default=""),
    sa.Column("holds_personal", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_sigilo_conversation_index_last", "last_event_at"),
)

settings = sa.Table(
    "sigilo_settings",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
)

retention_runs = sa.Table(
    "sigilo_retention_runs",
    metadata,
    sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("months", sa.Integer, nullable=False),
    sa.Column("sessions", sa.Integer, nullable=False),
    sa.Column("events", sa.Integer, nullable=False),
    sa.Column("senders", sa.Integer, nullable=False),
    sa.Column("started_by", sa.String(64), nullable=False),
)
