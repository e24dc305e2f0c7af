"""Concurrent writers never lose a count (real SQLite file, real PostgreSQL)."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from datetime import date

from sigilo.metrics.db import make_engine
from sigilo.metrics.store import CounterKey, MetricsStore
from tests.integration.metrics.conftest import Databases

DAY = date(2026, 11, 20)
KEYS = [
    CounterKey(DAY, "rest", "pt", "click", "/greet"),
    CounterKey(DAY, "rest", "pt", "feature", "menu_opened"),
    CounterKey(DAY, "facebook", "es", "click", "/check_invoices"),
]
ROUNDS = 60


def _write(url: str, rounds: int, start: threading.Barrier | None = None) -> None:
    """One writer: its own engine, ``rounds`` transactions adding 1 (or 2) to each key."""
    engine = make_engine(url)
    store = MetricsStore(engine)
    if start is not None:
        start.wait()
    for n in range(rounds):
        # some batches hold new keys of their own, so inserts race with updates too
        batch = Counter({key: 1 for key in KEYS})
        batch[CounterKey(DAY, "rest", "en", "click", f"/k{n % 5}")] += 2
        store.add(batch)
    engine.dispose()


def _totals(url: str) -> dict[CounterKey, int]:
    engine = make_engine(url)
    totals = {row.key: row.count for row in MetricsStore(engine).rows()}
    engine.dispose()
    return totals


def test_threads_and_processes_lose_no_count(dbs: Databases) -> None:
    threads, processes = 4, 3
    barrier = threading.Barrier(threads)
    workers = [
        threading.Thread(target=_write, args=(dbs.metrics_url, ROUNDS, barrier))
        for _ in range(threads)
    ]
    context = multiprocessing.get_context("spawn")  # clean interpreters, no shared pool
    children = [
        context.Process(target=_write, args=(dbs.metrics_url, ROUNDS)) for _ in range(processes)
    ]
    for child in children:
        child.start()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    for child in children:
        child.join(timeout=120)
        assert child.exitcode == 0
    writers = threads + processes
    totals = _totals(dbs.metrics_url)
    for key in KEYS:
        assert totals[key] == writers * ROUNDS, key
    for n in range(5):
        key = CounterKey(DAY, "rest", "en", "click", f"/k{n}")
        assert totals[key] == writers * 2 * (ROUNDS // 5), key


def test_add_nothing_then_days(dbs: Databases) -> None:
    store = MetricsStore(make_engine(dbs.metrics_url))
    store.add({})
    store.add({KEYS[0]: 0})
    assert _totals(dbs.metrics_url) == {}
    assert store.days() == (None, None)
    store.add({KEYS[0]: 5})
    assert store.days() == (DAY, DAY)
