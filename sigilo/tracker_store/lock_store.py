"""A Redis lock store whose ticket operations are atomic across Rasa processes.

Rasa 3.6's ``RedisLockStore`` keeps Rasa's ticket lock (``rasa.core.lock.TicketLock``)
as one JSON value per conversation and changes it by read-modify-write with no
transaction: ``GET``, change in Python, ``SET``. With two replicas this loses
updates (RasaHQ/rasa#9213; a concurrent variant was merged and reverted in
RasaHQ/rasa#11256 / #11428, it lives on only in Rasa Pro):

- both replicas read an empty lock and issue ticket 0 → both "hold" the lock and
  handle the same consumer at once;
- a replica finishing its turn writes back a list without the ticket another
  replica has just issued, or deletes the key under it → that ``_acquire_lock``
  finds no lock and raises ``LockError``; the REST channel swallows it and answers
  ``[]``: the message is silently lost;
- a replica issuing a ticket writes back a ticket that was just removed → the next
  message waits for the ghost ticket to expire (the 60 s lock lifetime).

This class keeps Rasa's key layout, ``TicketLock`` and ``_acquire_lock`` loop and
makes every change one optimistic Redis transaction (``WATCH``/``MULTI``; redis-py
retries it when another process touched the key in between). Keys get a TTL past
their last ticket, so a crashed replica leaves nothing behind::

    lock_store:
      type: sigilo.tracker_store.lock_store.AtomicRedisLockStore
      url: 127.0.0.1
      port: 6379
      key_prefix: sigilo
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
# a key outlives its newest ticket by this much (milliseconds), then Redis drops it
TTL_MARGIN_MS = 60_000


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis ticket lock store with atomic issue, release and expiry."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        """Connects like Rasa's ``type: redis`` (``url`` is the host; other keys as-is)."""
        options: dict[str, Any] = {}
        if endpoint_config is not None:
            options.update(endpoint_config.kwargs)
            if endpoint_config.url:
                options["host"] = endpoint_config.url
        options.update(kwargs)
        super().__init__(**options)

    def _change(
        self,
        conversation_id: str,
        change: Callable[[TicketLock | None], tuple[TicketLock | None, T]],
    ) -> T:
        """Applies ``change`` to the stored lock in one transaction; returns its result.

        ``change`` gets the current lock (or None) and returns ``(lock, result)``: the
        lock is saved while it has tickets and deleted once it has none.
        """
        key = self.key_prefix + conversation_id
        outcome: list[T] = []

        def transaction(pipe: Any) -> None:
            outcome.clear()  # redis-py runs this again after a WatchError
            raw = pipe.get(key)
            lock, result = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
            outcome.append(result)
            pipe.multi()
            if lock is not None and lock.tickets:
                newest = max(ticket.expires for ticket in lock.tickets)
                ttl = max(int((newest - time.time()) * 1000), 0) + TTL_MARGIN_MS
                pipe.set(key, lock.dumps(), px=ttl)
            elif raw is not None:
                pipe.delete(key)

        self.red.transaction(transaction, key)
        return outcome[0]

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issues the next ticket of the conversation's lock (created when missing)."""

        def issue(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except Exception as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def update_lock(self, conversation_id: str) -> None:
        """Drops expired tickets (and the lock when none is left)."""

        def expire(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, expire)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Removes one ticket; the lock goes when it was the last one."""

        def finish(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Releases a ticket in one transaction, never deleting another's ticket."""
        self.finish_serving(conversation_id, ticket_number)
