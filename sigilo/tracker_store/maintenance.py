"""Maintenance of the store while servers run: retention sweep and re-encryption."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sigilo import crypto
from sigilo.keys import KeyRing
from sigilo.pseudonym import short
from sigilo.tracker_store.schema import events, senders

SECONDS_PER_MONTH = 30.44 * 86400
Progress = Callable[[str], None]


@dataclass
class SweepResult:
    """What a retention sweep deleted."""

    sessions: int = 0
    events: int = 0
    senders: int = 0
    seconds: float = 0.0


def cutoff_for(months: int, now: float | None = None) -> float:
    """The timestamp before which sessions expire; ``months`` must be 1 to 36."""
    if not 1 <= months <= 36:
        raise ValueError(f"retention must be 1 to 36 months, not {months}")
    return (time.time() if now is None else now) - months * SECONDS_PER_MONTH


def sweep(
    engine: Engine,
    months: int,
    batch_size: int = 500,
    now: float | None = None,
    progress: Progress | None = None,
) -> SweepResult:
    """Deletes whole sessions whose last event is older than the retention period.

    Works in batches of sessions, one short transaction each, so servers keep
    running. A session with any event newer than the cutoff is never touched: the
    check is part of each ``DELETE``, so a message arriving meanwhile keeps it.
    """
    cutoff = cutoff_for(months, now)
    started = time.monotonic()
    result = SweepResult()
    newer = events.alias("newer")
    still_active = sa.exists().where(
        newer.c.pseudonym == events.c.pseudonym,
        newer.c.generation == events.c.generation,
        newer.c.session_no == events.c.session_no,
        newer.c.timestamp >= cutoff,
    )
    while True:
        with engine.begin() as conn:
            sessions = conn.execute(
                sa.select(events.c.pseudonym, events.c.generation, events.c.session_no)
                .where(events.c.timestamp < cutoff, ~still_active)
                .distinct()
                .limit(batch_size)
            ).all()
            for pseudonym, generation, session_no in sessions:
                result.events += conn.execute(
                    sa.delete(events).where(
                        events.c.pseudonym == pseudonym,
                        events.c.generation == generation,
                        events.c.session_no == session_no,
                        ~sa.exists().where(
                            newer.c.pseudonym == pseudonym,
                            newer.c.generation == generation,
                            newer.c.session_no == session_no,
                            newer.c.timestamp >= cutoff,
                        ),
                    )
                ).rowcount
            result.sessions += len(sessions)
        if progress:
            progress(f"retention: {result.sessions} session(s), {result.events} event(s) deleted")
        if len(sessions) < batch_size:
            break
    with engine.begin() as conn:
        result.senders = conn.execute(
            sa.delete(senders).where(
                senders.c.last_event_at < cutoff,
                ~sa.exists().where(events.c.pseudonym == senders.c.pseudonym),
            )
        ).rowcount
    result.seconds = time.monotonic() - started
    return result


@dataclass
class ReencryptResult:
    """What a re-encryption pass did."""

    events: int = 0
    senders: int = 0
    unreadable: list[str] | None = None


def reencrypt(
    engine: Engine, ring: KeyRing, batch_size: int = 500, progress: Progress | None = None
) -> ReencryptResult:
    """Re-encrypts every row not under the ring's newest key, in batches.

    Rows that cannot be decrypted are left as they are and reported by pseudonym.
    """
    result = ReencryptResult(unreadable=[])
    primary = ring.primary_id
    with engine.connect() as conn:
        total = conn.execute(
            sa.select(sa.func.count()).where(events.c.key_id != primary)
        ).scalar_one()
    last_id = -1
    while True:
        with engine.begin() as conn:
            rows = conn.execute(
                sa.select(
                    events.c.id,
                    events.c.pseudonym,
                    events.c.generation,
                    events.c.seq,
                    events.c.key_id,
                    events.c.data,
                )
                .where(events.c.key_id != primary, events.c.id > last_id)
                .order_by(events.c.id)
                .limit(batch_size)
            ).all()
            for row in rows:
                last_id = row.id
                aad = crypto.associated_data(row.pseudonym, "event", row.generation, row.seq)
                try:
                    plain = crypto.decrypt(ring, row.data, aad)
                except crypto.DecryptionError as exc:
                    result.unreadable.append(f"{short(row.pseudonym)} #{row.seq}: {exc}")
                    continue
                conn.execute(
                    sa.update(events)
                    .where(events.c.id == row.id, events.c.key_id == row.key_id)
                    .values(data=crypto.encrypt(ring, plain, aad), key_id=primary)
                )
                result.events += 1
        if progress:
            progress(f"re-encrypt: {result.events}/{total} event(s)")
        if len(rows) < batch_size:
            break
    with engine.begin() as conn:
        for row in conn.execute(
            sa.select(senders.c.pseudonym, senders.c.sender).where(senders.c.key_id != primary)
        ).all():
            aad = crypto.associated_data(row.pseudonym, "sender")
            try:
                plain = crypto.decrypt(ring, row.sender, aad)
            except crypto.DecryptionError as exc:
                result.unreadable.append(f"{short(row.pseudonym)} sender: {exc}")
                continue
            conn.execute(
                sa.update(senders)
                .where(senders.c.pseudonym == row.pseudonym)
                .values(sender=crypto.encrypt(ring, plain, aad), key_id=primary)
            )
            result.senders += 1
    return result
