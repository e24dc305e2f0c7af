"""Tables of the consent ledger (created only by migration ``0002_consent_ledger``).

Nothing here is encrypted because nothing here is personal beyond the keyed
pseudonym, which is the lookup key: no sender id, name, tax id or text is written.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# One row per decision of a consumer: given, refused or withdrawn.
consent_ledger = sa.Table(
    "sigilo_consent_ledger",
    metadata,
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
    sa.Index("ix_sigilo_consent_ledger_pseudonym", "pseudonym", "recorded_at"),
)

# What is left of a consumer's ledger after an erasure: proof that it happened.
erasure_receipts = sa.Table(
    "sigilo_erasure_receipts",
    metadata,
    sa.Column("reference", sa.String(32), primary_key=True),
    sa.Column("pseudonym", sa.String(64), nullable=False),
    sa.Column("erased_at", sa.Float, nullable=False),
    sa.Column("requested_by", sa.String(16), nullable=False),
    sa.Column("categories", sa.String(400), nullable=False),
    sa.Index("ix_sigilo_erasure_receipts_pseudonym", "pseudonym", "erased_at"),
)
