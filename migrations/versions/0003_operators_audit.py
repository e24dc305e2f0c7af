"""Operators' console: operators, sessions, hash-chained audit log, search index,
settings and retention runs.

Revision ID: 0003_operators_audit
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_operators_audit"
down_revision = "0001"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")

# The audit log is append-only in the database too: UPDATE and DELETE are refused.
# (Whoever can drop the trigger can still tamper; the hash chain then tells.)
_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER sigilo_audit_log_no_{verb.lower()} BEFORE {verb} ON sigilo_audit_log
    BEGIN SELECT RAISE(ABORT, 'sigilo_audit_log is append-only'); END"""
    for verb in ("UPDATE", "DELETE")
]
_POSTGRES_TRIGGERS = [
    """CREATE FUNCTION sigilo_audit_log_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'sigilo_audit_log is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER sigilo_audit_log_append_only BEFORE UPDATE OR DELETE ON sigilo_audit_log
    FOR EACH ROW EXECUTE FUNCTION sigilo_audit_log_append_only()""",
]


def upgrade() -> None:
    """Creates the console's tables."""
    op.create_table(
        "sigilo_operators",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("totp_secret", sa.LargeBinary, nullable=True),
        sa.Column("totp_last_step", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.Float, nullable=False, server_default="0"),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "sigilo_operator_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("operator_id", sa.Integer, nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("last_seen_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index(
        "ix_sigilo_operator_sessions_operator_id", "sigilo_operator_sessions", ["operator_id"]
    )
    op.create_table(
        "sigilo_audit_log",
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
    op.create_table(
        "sigilo_conversation_index",
        sa.Column("pseudonym", sa.String(64), primary_key=True),
        sa.Column("first_event_at", sa.Float, nullable=False),
        sa.Column("last_event_at", sa.Float, nullable=False),
        sa.Column("channel", sa.String(32), nullable=False, server_default=""),
        sa.Column("language", sa.String(8), nullable=False, server_default=""),
        sa.Column("consent", sa.String(16), nullable=False, server_default="unknown"),
        sa.Column("personal_slots", sa.String(200), nullable=False, server_default=""),
        sa.Column("holds_personal", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index(
        "ix_sigilo_conversation_index_last", "sigilo_conversation_index", ["last_event_at"]
    )
    op.create_table(
        "sigilo_settings",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(255), nullable=False),
    )
    op.create_table(
        "sigilo_retention_runs",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("months", sa.Integer, nullable=False),
        sa.Column("sessions", sa.Integer, nullable=False),
        sa.Column("events", sa.Integer, nullable=False),
        sa.Column("senders", sa.Integer, nullable=False),
        sa.Column("started_by", sa.String(64), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for statement in _POSTGRES_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    """Drops the console's tables (the audit log with them)."""
    for table in (
        "sigilo_retention_runs",
        "sigilo_settings",
        "sigilo_conversation_index",
        "sigilo_audit_log",
        "sigilo_operator_sessions",
        "sigilo_operators",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS sigilo_audit_log_append_only()")
