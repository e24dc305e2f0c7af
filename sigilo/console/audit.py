"""The audit log: append-only, hash-chained, keyed.

Each entry records who (operator username), when, what (action, outcome, a short
non-personal detail) and about whom (the conversation's pseudonym, never a sender id,
name or text). Its hash is an HMAC over the previous entry's hash and the entry's own
fields, with a key derived from the store's pseudonym key: editing, removing or
reordering an entry breaks the chain, and the chain cannot be recomputed without the
key. The database refuses UPDATE and DELETE on the table (triggers of the migration).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy.engine import Engine

from sigilo.console.schema import audit_log

GENESIS = "0" * 64
_RETRIES = 20


def chain_key(pseudonym_key: bytes) -> bytes:
    """The audit chain's HMAC key, derived from (never equal to) the pseudonym key."""
    return hmac.new(pseudonym_key, b"sigilo audit chain v1", hashlib.sha256).digest()


@dataclass(frozen=True)
class Entry:
    """One audit entry."""

    seq: int
    at: str
    operator: str
    action: str
    pseudonym: str | None
    outcome: str
    detail: str
    prev_hash: str
    hash: str


def entry_hash(key: bytes, seq: int, at: str, fields: tuple[str, ...], prev_hash: str) -> str:
    """HMAC-SHA256 over the previous hash and the entry's fields (canonical JSON)."""
    body = json.dumps([prev_hash, seq, at, *fields], ensure_ascii=True, separators=(",", ":"))
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _clip(value: str, size: int) -> str:
    return value[:size]


class AuditLog:
    """Appends to and verifies the audit chain of one database."""

    def __init__(self, engine: Engine, key: bytes) -> None:
        """Binds the database and the chain key (:func:`chain_key`)."""
        self.engine = engine
        self._key = key

    def record(
        self,
        operator: str,
        action: str,
        pseudonym: str | None = None,
        outcome: str = "ok",
        detail: str = "",
    ) -> Entry:
        """Appends one entry and returns it.

        Concurrent writers race for the next ``seq`` (the primary key); the loser
        retries on the new head, so the chain never forks.
        """
        fields = (
            _clip(operator, 64),
            _clip(action, 32),
            pseudonym or "",
            _clip(outcome, 16),
            _clip(detail, 200),
        )
        for attempt in range(_RETRIES):
            try:
                with self.engine.begin() as conn:
                    head = conn.execute(
                        sa.select(audit_log.c.seq, audit_log.c.hash)
                        .order_by(audit_log.c.seq.desc())
                        .limit(1)
                    ).first()
                    seq, prev = (head.seq + 1, head.hash) if head else (1, GENESIS)
                    at = _now()
                    digest = entry_hash(self._key, seq, at, fields, prev)
                    conn.execute(
                        sa.insert(audit_log).values(
                            seq=seq,
                            at=at,
                            operator=fields[0],
                            action=fields[1],
                            pseudonym=pseudonym,
                            outcome=fields[3],
                            detail=fields[4],
                            prev_hash=prev,
                            hash=digest,
                        )
                    )
                return Entry(seq, at, fields[0], fields[1], pseudonym, *fields[3:], prev, digest)
            except (sqlalchemy.exc.IntegrityError, sqlalchemy.exc.OperationalError):
                if attempt == _RETRIES - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def entries(
        self, limit: int | None = None, before: int | None = None, newest_first: bool = False
    ) -> list[Entry]:
        """Entries in chain order (or newest first), optionally a page of them."""
        query = sa.select(audit_log)
        if before is not None:
            query = query.where(audit_log.c.seq < before)
        order = audit_log.c.seq.desc() if newest_first else audit_log.c.seq
        query = query.order_by(order)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [Entry(**row._mapping) for row in conn.execute(query)]

    def _stream(self) -> Iterator[Entry]:
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True).execute(
                sa.select(audit_log).order_by(audit_log.c.seq)
            )
            for row in result:
                yield Entry(**row._mapping)

    def verify(self, expect_head: tuple[int, str] | None = None) -> VerifyResult:
        """Walks the whole chain; reports the first broken entry, if any.

        Args:
            expect_head: ``(seq, hash)`` of a head recorded earlier (outside the
                database): the chain must still hold that entry unchanged, which
                detects entries removed from the end since.
        """
        prev, expected_seq, count = GENESIS, 1, 0
        seen_head = expect_head is None
        for entry in self._stream():
            count += 1
            fields = (entry.operator, entry.action, entry.pseudonym or "")
            fields += (entry.outcome, entry.detail)
            if entry.seq != expected_seq:
                kind = "removed" if entry.seq > expected_seq else "reordered or duplicated"
                return VerifyResult(False, count, entry.seq, f"entry {expected_seq} {kind}")
            if entry.prev_hash != prev:
                return VerifyResult(False, count, entry.seq, "chain link broken")
            digest = entry_hash(self._key, entry.seq, entry.at, fields, entry.prev_hash)
            if not hmac.compare_digest(digest, entry.hash):
                return VerifyResult(False, count, entry.seq, "entry edited")
            if expect_head is not None and entry.seq == expect_head[0]:
                if not hmac.compare_digest(entry.hash, expect_head[1]):
                    return VerifyResult(False, count, entry.seq, "differs from expected head")
                seen_head = True
            prev, expected_seq = entry.hash, expected_seq + 1
        if not seen_head:
            return VerifyResult(False, count, expected_seq, "entries removed from the end")
        return VerifyResult(True, count, None, "intact", head=f"{expected_seq - 1}:{prev}")


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of :meth:`AuditLog.verify`."""

    ok: bool
    entries: int
    broken_at: int | None
    reason: str
    head: str = ""
