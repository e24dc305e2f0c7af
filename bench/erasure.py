"""Erasure time of one consumer (1,000 events) in stores of 10k, 100k (and 1M) events.

Rows are generated directly (random pseudonyms, random 300-byte payloads standing in
for ciphertext), then the consumer is erased through the store's repository, five
times per size (the consumer's rows are re-inserted between runs). Prints the median.

    .venv/bin/python bench/erasure.py                   # SQLite, 10k and 100k
    .venv/bin/python bench/erasure.py --postgres        # also PostgreSQL (local server)
    .venv/bin/python bench/erasure.py --sizes 10000,100000,1000000 --postgres
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sigilo import keys
from sigilo.tracker_store.db import make_engine, upgrade
from sigilo.tracker_store.maintenance import sweep
from sigilo.tracker_store.repository import Repository
from sigilo.tracker_store.schema import events, senders

CONSUMER_EVENTS = 1000
PG_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


def fill(engine: sa.engine.Engine, total: int, per_consumer: int = 100, age: float = 0.0) -> None:
    """Inserts ``total`` event rows for ``total / per_consumer`` consumers, ``age`` s old."""
    now, batch = time.time() - age, []
    with engine.begin() as conn:
        for index in range(total):
            pseudonym = f"{index // per_consumer:064x}"
            if index % per_consumer == 0:
                conn.execute(
                    sa.insert(senders).values(
                        pseudonym=pseudonym,
                        generation=0,
                        key_id="b",
                        sender=b"x" * 60,
                        last_event_at=now,
                    )
                )
            batch.append(
                {
                    "pseudonym": pseudonym,
                    "generation": 0,
                    "seq": index % per_consumer,
                    "session_no": 1,
                    "type_name": "user",
                    "timestamp": now - index % per_consumer,
                    "key_id": "b",
                    "data": os.urandom(300),
                }
            )
            if len(batch) == 10_000:
                conn.execute(sa.insert(events), batch)
                batch = []
        if batch:
            conn.execute(sa.insert(events), batch)


def add_consumer(repo: Repository, sender: str) -> None:
    """The consumer to erase: 1,000 events written through the store's repository."""
    evts = [
        {"event": "user", "text": f"message {i}", "timestamp": time.time()}
        for i in range(CONSUMER_EVENTS)
    ]
    repo.append(sender, evts)


def measure(url: str, size: int, runs: int = 5) -> float:
    """Median erasure time in ms for one store size."""
    upgrade(url)
    engine = make_engine(url)
    fill(engine, size)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("ANALYZE sigilo_events"))
    ring = keys.KeyRing.parse(f"b:{keys.new_key()}")
    repo = Repository(engine, ring, os.urandom(32))
    times = []
    for _ in range(runs):
        sender = f"bench-{uuid.uuid4().hex}"
        add_consumer(repo, sender)
        started = time.perf_counter()
        deleted = repo.erase(sender)
        times.append((time.perf_counter() - started) * 1000)
        assert deleted == CONSUMER_EVENTS
    engine.dispose()
    return statistics.median(times)


def measure_retention(url: str, size: int) -> tuple[float, int]:
    """Seconds and events deleted by a retention sweep where every session is old."""
    upgrade(url)
    engine = make_engine(url)
    fill(engine, size, per_consumer=100, age=400 * 86400.0)
    result = sweep(engine, 6, batch_size=500)
    engine.dispose()
    return result.seconds, result.events


def main() -> int:
    """Runs the benchmark and prints a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--postgres", action="store_true", help="also on local PostgreSQL")
    parser.add_argument(
        "--retention", type=int, metavar="N", help="instead: retention sweep of N old events"
    )
    args = parser.parse_args()
    if args.retention:
        with tempfile.TemporaryDirectory() as folder:
            seconds, deleted = measure_retention(f"sqlite:///{folder}/bench.db", args.retention)
        print(
            f"retention sweep, sqlite: {deleted:,} events in {seconds:.1f} s "
            f"= {deleted / seconds:,.0f} events/s"
        )
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"erasure of one consumer with {CONSUMER_EVENTS} events (median of 5)")
    print(f"{'backend':<10} {'store events':>12} {'erase ms':>9}")
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            ms = measure(f"sqlite:///{folder}/bench.db", size)
        print(f"{'sqlite':<10} {size:>12,} {ms:>9.1f}", flush=True)
        if args.postgres:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(PG_URL, future=True, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
            try:
                ms = measure(f"{PG_URL}?options=-csearch_path%3D{schema}", size)
                print(f"{'postgres':<10} {size:>12,} {ms:>9.1f}", flush=True)
            finally:
                with admin.connect() as conn:
                    conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
