"""The atomic Redis lock store under two real processes contending for one consumer.

Each process takes Rasa's ticket lock (``LockStore.lock``, the call
``Agent.handle_message`` makes) on the same conversation many times and, inside,
marks the critical section in Redis: two holders at once, a ``LockError`` or a long
wait would be a lost, doubled or 60-second message in a Rasa replica.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from typing import Any

import pytest

from tests.support.services import require

pytestmark = pytest.mark.redis
ROUNDS = 60
LIFETIME = 10.0  # seconds a ticket lives (Rasa's default is 60)
BUDGET = 90.0  # seconds a process may spend on its rounds


def contend(store_type: str, prefix: str, conversation: str, rounds: int, out: Any) -> None:
    """One process's loop (top-level: the ``spawn`` start method pickles it)."""
    import redis
    from rasa.core.lock_store import LockError, LockStore
    from rasa.utils.endpoints import EndpointConfig

    # built as Rasa builds the lock store of endpoints.yml
    config = EndpointConfig(url="127.0.0.1", type=store_type, port=6379, key_prefix=prefix)
    store = LockStore.create(config)
    red = redis.StrictRedis(host="127.0.0.1", port=6379, db=1)
    inside = f"{prefix}:inside"
    overlaps = errors = stuck = done = 0
    longest = 0.0
    deadline = time.monotonic() + BUDGET

    async def one_round() -> None:
        nonlocal overlaps, longest
        started = time.monotonic()
        async with store.lock(conversation, lock_lifetime=LIFETIME, wait_time_in_seconds=0.01):
            longest = max(longest, time.monotonic() - started)
            if red.incr(inside) != 1:
                overlaps += 1
            await asyncio.sleep(0.003)
            red.decr(inside)

    async def rounds_of_lock() -> None:
        nonlocal errors, stuck, done
        for _ in range(rounds):
            if time.monotonic() > deadline:
                return
            done += 1
            try:
                await asyncio.wait_for(one_round(), timeout=3 * LIFETIME)
            except LockError:
                errors += 1
            except asyncio.TimeoutError:  # a waiter that would never get the lock
                stuck += 1

    try:
        asyncio.run(rounds_of_lock())
    finally:  # whatever happened, the parent gets the counts
        out.put((overlaps, errors, stuck, longest, done))


def run_contention(store_type: str) -> tuple[int, int, int, float, int, int]:
    """Two processes, one conversation.

    Returns:
        overlaps, lock errors, waits given up after 3 lifetimes, longest wait (s),
        rounds done, keys left in Redis.
    """
    import redis

    prefix = f"t{uuid.uuid4().hex[:12]}"
    conversation = f"c-{uuid.uuid4().hex[:8]}"
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    workers = [
        context.Process(
            target=contend, args=(store_type, prefix, conversation, ROUNDS, out), daemon=True
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    results = [out.get(timeout=BUDGET + 3 * LIFETIME + 60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    red = redis.StrictRedis(host="127.0.0.1", port=6379, db=1)
    left = len(red.keys(f"{prefix}:lock:*"))
    red.delete(*red.keys(f"{prefix}:*") or [f"{prefix}:none"])
    return (
        sum(r[0] for r in results),
        sum(r[1] for r in results),
        sum(r[2] for r in results),
        max(r[3] for r in results),
        sum(r[4] for r in results),
        left,
    )


def test_two_processes_never_hold_the_lock_together() -> None:
    require("redis")
    overlaps, errors, stuck, longest, done, left = run_contention(
        "sigilo.tracker_store.lock_store.AtomicRedisLockStore"
    )
    assert (overlaps, errors, stuck, done) == (0, 0, 0, 2 * ROUNDS)
    # the other process holds it for a few ms per round: a wait of seconds is a ghost ticket
    assert longest < LIFETIME / 2, f"waited {longest:.1f} s for the lock"
    assert left == 0  # the last release deletes the key


def test_endpoint_options_and_ttl() -> None:
    require("redis")
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    prefix = f"t{uuid.uuid4().hex[:12]}"
    config = EndpointConfig(
        url="127.0.0.1",
        type="sigilo.tracker_store.lock_store.AtomicRedisLockStore",
        port=6379,
        key_prefix=prefix,
    )
    store = LockStore.create(config)
    assert type(store).__name__ == "AtomicRedisLockStore"
    assert store.key_prefix == f"{prefix}:lock:"
    first = store.issue_ticket("c", lock_lifetime=5)
    second = store.issue_ticket("c", lock_lifetime=5)
    assert (first, second) == (0, 1)
    ttl = store.red.pttl(f"{prefix}:lock:c")
    assert 60_000 < ttl <= 65_000  # lifetime + margin: a crashed replica leaves nothing
    store.cleanup("c", first)
    assert store.get_lock("c").now_serving == 1
    store.cleanup("c", second)
    assert store.get_lock("c") is None
