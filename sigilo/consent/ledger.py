"""Reads and writes of the consent ledger, on a connection the caller owns.

The store's hook calls these inside its transaction; :mod:`sigilo.access` reads.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sigilo.consent.schema import consent_ledger, erasure_receipts

DECISIONS = ("given", "refused", "withdrawn")
REFERENCE_PREFIX = "ER-"
# Consonants only: a reference can never look like (or be redacted as) a number,
# a tax id or a word.
_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
_REFERENCE_LENGTH = 10  # 20**10 ≈ 2**43 references


@dataclass(frozen=True)
class Decision:
    """One recorded consent decision."""

    decision: str
    purpose: str
    recorded_at: float
    channel: str
    notice_sha256: str


@dataclass(frozen=True)
class Receipt:
    """What remains of an erasure: no personal data but the pseudonym it was filed under."""

    reference: str
    erased_at: float
    requested_by: str
    categories: tuple[str, ...]


def new_reference() -> str:
    """A fresh receipt reference such as ``ER-KQZTBMHXWD``."""
    return REFERENCE_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(_REFERENCE_LENGTH))


def is_reference(value: object) -> bool:
    """True for a well-formed receipt reference."""
    if not isinstance(value, str) or not value.startswith(REFERENCE_PREFIX):
        return False
    body = value[len(REFERENCE_PREFIX) :]
    return len(body) == _REFERENCE_LENGTH and all(c in _ALPHABET for c in body)


def record_decision(
    conn: Connection,
    pseudonym: str,
    decision: str,
    *,
    purpose: str,
    channel: str,
    notice_sha256: str,
    at: float | None = None,
) -> None:
    """Appends one decision (``given``, ``refused`` or ``withdrawn``)."""
    if decision not in DECISIONS:
        raise ValueError(f"unknown consent decision {decision!r}")
    conn.execute(
        sa.insert(consent_ledger).values(
            pseudonym=pseudonym,
            recorded_at=time.time() if at is None else at,
            decision=decision,
            purpose=purpose[:64],
            channel=(channel or "unknown")[:32],
            notice_sha256=notice_sha256,
        )
    )


def decisions(conn: Connection, pseudonym: str, purpose: str | None = None) -> list[Decision]:
    """The consumer's decisions, oldest first."""
    query = sa.select(consent_ledger).where(consent_ledger.c.pseudonym == pseudonym)
    if purpose is not None:
        query = query.where(consent_ledger.c.purpose == purpose)
    rows = conn.execute(query.order_by(consent_ledger.c.recorded_at, consent_ledger.c.id)).all()
    return [
        Decision(row.decision, row.purpose, row.recorded_at, row.channel, row.notice_sha256)
        for row in rows
    ]


def latest_decision(conn: Connection, pseudonym: str, purpose: str) -> str | None:
    """The newest decision for ``purpose``, or None when there is none."""
    return conn.execute(
        sa.select(consent_ledger.c.decision)
        .where(consent_ledger.c.pseudonym == pseudonym, consent_ledger.c.purpose == purpose)
        .order_by(consent_ledger.c.recorded_at.desc(), consent_ledger.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def erase(
    conn: Connection,
    pseudonym: str,
    *,
    categories: tuple[str, ...],
    requested_by: str,
    reference: str | None = None,
    at: float | None = None,
) -> Receipt:
    """Deletes the consumer's decisions and files the erasure receipt.

    A ``reference`` already used (a replayed turn) keeps its first receipt when it is
    the same consumer's, and is replaced by a fresh one otherwise: an erasure must
    never fail over its receipt.
    """
    conn.execute(sa.delete(consent_ledger).where(consent_ledger.c.pseudonym == pseudonym))
    if reference is not None:
        existing = receipt(conn, reference)
        if existing is not None:
            owner = conn.execute(
                sa.select(erasure_receipts.c.pseudonym).where(
                    erasure_receipts.c.reference == reference
                )
            ).scalar_one()
            if owner == pseudonym:
                return existing
            reference = None
    filed = Receipt(
        reference=reference or new_reference(),
        erased_at=time.time() if at is None else at,
        requested_by=requested_by,
        categories=tuple(categories),
    )
    conn.execute(
        sa.insert(erasure_receipts).values(
            reference=filed.reference,
            pseudonym=pseudonym,
            erased_at=filed.erased_at,
            requested_by=requested_by[:16],
            categories=",".join(filed.categories)[:400],
        )
    )
    return filed


def _receipt(row: sa.Row) -> Receipt:
    return Receipt(
        row.reference,
        row.erased_at,
        row.requested_by,
        tuple(filter(None, row.categories.split(","))),
    )


def receipt(conn: Connection, reference: str) -> Receipt | None:
    """The receipt with ``reference``."""
    row = conn.execute(
        sa.select(erasure_receipts).where(erasure_receipts.c.reference == reference)
    ).first()
    return _receipt(row) if row is not None else None


def receipts(conn: Connection, pseudonym: str) -> list[Receipt]:
    """The consumer's erasure receipts, oldest first."""
    rows = conn.execute(
        sa.select(erasure_receipts)
        .where(erasure_receipts.c.pseudonym == pseudonym)
        .order_by(erasure_receipts.c.erased_at)
    ).all()
    return [_receipt(row) for row in rows]
