"""Storage of redacted, encrypted events by pseudonym and erasure generation.

No Rasa import: events are plain dicts here. Identity of a stored event is
``(pseudonym, generation, seq)``; an erasure deletes every row of the pseudonym and
bumps its generation in the same transaction, so a save prepared against the old
generation is refused instead of writing erased events back.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sigilo import crypto
from sigilo.keys import KeyRing
from sigilo.pseudonym import pseudonym as make_pseudonym
from sigilo.pseudonym import short
from sigilo.tracker_store.hooks import StoredTurn, StoreHook
from sigilo.tracker_store.schema import events, senders

logger = logging.getLogger(__name__)


class ConversationUnreadable(RuntimeError):
    """A stored conversation cannot be decrypted; names the pseudonym, never content."""


@dataclass
class StoredEvent:
    """A decrypted event and its identity."""

    generation: int
    seq: int
    session_no: int
    data: dict[str, Any]


@dataclass
class AppendResult:
    """What a save wrote."""

    pseudonym: str
    generation: int
    seqs: list[int] = field(default_factory=list)
    skipped: int = 0
    stale: bool = False


def _starts_session(event: dict[str, Any], previous: dict[str, Any] | None) -> bool:
    """A session starts at ``action_session_start`` (or a bare ``session_started``)."""
    if event.get("event") == "action" and event.get("name") == "action_session_start":
        return True
    return event.get("event") == "session_started" and not (
        previous is not None
        and previous.get("event") == "action"
        and previous.get("name") == "action_session_start"
    )


def _aad(pseudonym: str, generation: int, seq: int) -> bytes:
    return crypto.associated_data(pseudonym, "event", generation, seq)


def _sender_aad(pseudonym: str) -> bytes:
    return crypto.associated_data(pseudonym, "sender")


class Repository:
    """Event rows of the privacy tracker store."""

    def __init__(
        self,
        engine: Engine,
        ring: KeyRing,
        pseudonym_key: bytes,
        hooks: tuple[StoreHook, ...] | list[StoreHook] = (),
    ) -> None:
        """Binds an engine (schema already migrated), the keys and the store hooks."""
        self.engine = engine
        self.ring = ring
        self._pseudonym_key = pseudonym_key
        self.hooks = tuple(hooks)

    def _run_hooks(self, conn: Connection, turn: StoredTurn) -> None:
        for hook in self.hooks:
            hook.in_transaction(conn, turn)

    def pseudonym(self, sender_id: str) -> str:
        """The lookup key of ``sender_id``."""
        return make_pseudonym(self._pseudonym_key, sender_id)

    def _lock_sender(self, conn: Connection, pseudonym: str) -> int | None:
        query = sa.select(senders.c.generation).where(senders.c.pseudonym == pseudonym)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        return conn.execute(query).scalar_one_or_none()

    def _insert_sender(self, conn: Connection, pseudonym: str, sender_id: str) -> None:
        token = crypto.encrypt(self.ring, sender_id.encode(), _sender_aad(pseudonym))
        conn.execute(
            sa.insert(senders).values(
                pseudonym=pseudonym,
                generation=0,
                key_id=self.ring.primary_id,
                sender=token,
                last_event_at=time.time(),
            )
        )

    def append(
        self,
        sender_id: str,
        new_events: list[dict[str, Any]],
        *,
        erase: bool = False,
        expected_generation: int | None = None,
    ) -> AppendResult:
        """Stores ``new_events`` (already redacted) in one transaction.

        Args:
            sender_id: the real sender id (stored only encrypted).
            new_events: events not stored yet, oldest first.
            erase: delete every stored event of the sender first (new generation).
            expected_generation: the generation the caller's events belong to; when the
                stored one is newer (erased meanwhile), nothing is written. ``None``:
                the caller does not know, events already stored in the latest session
                are skipped by position (Rasa's stock behaviour).
        """
        pseudonym = self.pseudonym(sender_id)
        with self.engine.begin() as conn:
            generation = self._lock_sender(conn, pseudonym)
            if generation is None:
                self._insert_sender(conn, pseudonym, sender_id)
                generation = 0
            result = AppendResult(pseudonym, generation)
            if erase:
                generation = result.generation = self._erase_rows(conn, pseudonym, generation)[1]
                next_seq = session_no = 0
            else:
                if expected_generation is not None and expected_generation != generation:
                    result.stale = True
                    return result
                last = conn.execute(
                    sa.select(events.c.seq, events.c.session_no)
                    .where(events.c.pseudonym == pseudonym, events.c.generation == generation)
                    .order_by(events.c.seq.desc())
                    .limit(1)
                ).first()
                next_seq, session_no = (last.seq + 1, last.session_no) if last else (0, 0)
                if expected_generation is None and last is not None:
                    result.skipped = conn.execute(
                        sa.select(sa.func.count()).where(
                            events.c.pseudonym == pseudonym,
                            events.c.generation == generation,
                            events.c.session_no == session_no,
                        )
                    ).scalar_one()
                    new_events = new_events[result.skipped :]
            rows = []
            previous: dict[str, Any] | None = None
            for event in new_events:
                if _starts_session(event, previous):
                    session_no += 1
                previous = event
                payload = json.dumps(event, ensure_ascii=False).encode()
                rows.append(
                    {
                        "pseudonym": pseudonym,
                        "generation": generation,
                        "seq": next_seq,
                        "session_no": session_no,
                        "type_name": str(event.get("event", ""))[:32],
                        "timestamp": float(event.get("timestamp") or time.time()),
                        "key_id": self.ring.primary_id,
                        "data": crypto.encrypt(
                            self.ring, payload, _aad(pseudonym, generation, next_seq)
                        ),
                    }
                )
                result.seqs.append(next_seq)
                next_seq += 1
            if rows:
                conn.execute(sa.insert(events), rows)
                conn.execute(
                    sa.update(senders)
                    .where(senders.c.pseudonym == pseudonym)
                    .values(last_event_at=max(r["timestamp"] for r in rows))
                )
            self._run_hooks(conn, StoredTurn(pseudonym, generation, new_events, erase))
        return result

    def load(
        self, sender_id: str, all_sessions: bool = False
    ) -> tuple[int, list[StoredEvent]] | None:
        """The generation and decrypted events of the latest session (or all sessions).

        Raises:
            ConversationUnreadable: a row cannot be decrypted (names the pseudonym).
        """
        pseudonym = self.pseudonym(sender_id)
        with self.engine.connect() as conn:
            generation = conn.execute(
                sa.select(senders.c.generation).where(senders.c.pseudonym == pseudonym)
            ).scalar_one_or_none()
            if generation is None:
                return None
            where = [events.c.pseudonym == pseudonym, events.c.generation == generation]
            if not all_sessions:
                latest = sa.select(sa.func.max(events.c.session_no)).where(*where).scalar_subquery()
                where.append(events.c.session_no == latest)
            rows = conn.execute(
                sa.select(events.c.seq, events.c.session_no, events.c.data)
                .where(*where)
                .order_by(events.c.seq)
            ).all()
        if not all_sessions and len(rows) > 1:
            # like Rasa's stores: the latest session starts at its SessionStarted event
            first = self._decrypt(pseudonym, generation, rows[0])
            if first.get("event") == "action" and first.get("name") == "action_session_start":
                rows = rows[1:]
        if not rows:
            return None
        return generation, [
            StoredEvent(
                generation, row.seq, row.session_no, self._decrypt(pseudonym, generation, row)
            )
            for row in rows
        ]

    def _decrypt(self, pseudonym: str, generation: int, row: Any) -> dict[str, Any]:
        try:
            plain = crypto.decrypt(self.ring, row.data, _aad(pseudonym, generation, row.seq))
            return json.loads(plain)
        except crypto.DecryptionError as exc:
            raise ConversationUnreadable(
                f"conversation {short(pseudonym)}: event #{row.seq} unreadable: {exc}"
            ) from None
        except ValueError:
            raise ConversationUnreadable(
                f"conversation {short(pseudonym)}: event #{row.seq} is not valid JSON"
            ) from None

    def keys(self) -> list[str]:
        """Real sender ids of every stored conversation (unreadable ones are logged)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(senders.c.pseudonym, senders.c.sender)).all()
        ids = []
        for row in rows:
            try:
                ids.append(
                    crypto.decrypt(self.ring, row.sender, _sender_aad(row.pseudonym)).decode()
                )
            except crypto.DecryptionError as exc:
                logger.error("conversation %s: sender id unreadable: %s", short(row.pseudonym), exc)
        return ids

    def _erase_rows(self, conn: Connection, pseudonym: str, generation: int) -> tuple[int, int]:
        """The one erasure path (consumer's "delete my data" and operators' delete).

        Deletes every event of the pseudonym and bumps its generation, inside the
        caller's transaction with the sender row locked; returns (rows deleted, new
        generation).
        """
        deleted = conn.execute(sa.delete(events).where(events.c.pseudonym == pseudonym)).rowcount
        conn.execute(
            sa.update(senders)
            .where(senders.c.pseudonym == pseudonym)
            .values(generation=generation + 1)
        )
        return deleted, generation + 1

    def erase(self, sender_id: str) -> int:
        """Deletes every event of ``sender_id`` (operators' tools); returns rows deleted.

        The sender row stays with a new generation, so that no server still holding the
        old conversation in memory can write it back; retention removes it later.
        """
        return max(self.erase_pseudonym(self.pseudonym(sender_id)), 0)

    def erase_pseudonym(self, pseudonym: str) -> int:
        """:meth:`erase` for a conversation known by its pseudonym; -1 when unknown."""
        with self.engine.begin() as conn:
            generation = self._lock_sender(conn, pseudonym)
            if generation is None:
                return -1
            deleted, generation = self._erase_rows(conn, pseudonym, generation)
            self._run_hooks(conn, StoredTurn(pseudonym, generation, (), erased=True))
        return deleted

    def sender_id(self, pseudonym: str) -> str | None:
        """The real sender id of a stored conversation (decrypted), or None."""
        with self.engine.connect() as conn:
            token = conn.execute(
                sa.select(senders.c.sender).where(senders.c.pseudonym == pseudonym)
            ).scalar_one_or_none()
        if token is None:
            return None
        try:
            return crypto.decrypt(self.ring, token, _sender_aad(pseudonym)).decode()
        except crypto.DecryptionError as exc:
            raise ConversationUnreadable(
                f"conversation {short(pseudonym)}: sender id unreadable: {exc}"
            ) from None
