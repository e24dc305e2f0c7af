"""Consent ledger: consent decisions and erasure receipts.

Revision ID: 0002_consent_ledger
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_consent_ledger"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Creates the ledger and receipts tables."""
    op.create_table(
        "sigilo_consent_ledger",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.Float, nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("notice_sha256", sa.String(64), nullable=False),
    )
    op.create_index(
        "ix_sigilo_consent_ledger_pseudonym", "sigilo_consent_ledger", ["pseudonym", "recorded_at"]
    )
    op.create_table(
        "sigilo_erasure_receipts",
        sa.Column("reference", sa.String(32), primary_key=True),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("erased_at", sa.Float, nullable=False),
        sa.Column("requested_by", sa.String(16), nullable=False),
        sa.Column("categories", sa.String(400), nullable=False),
    )
    op.create_index(
        "ix_sigilo_erasure_receipts_pseudonym",
        "sigilo_erasure_receipts",
        ["pseudonym", "erased_at"],
    )


def downgrade() -> None:
    """Drops the ledger tables (and the proof of every consent and erasure in them)."""
    op.drop_table("sigilo_erasure_receipts")
    op.drop_table("sigilo_consent_ledger")
