"""Retention sweep: events deleted per second, and live turn latency while it runs.

Two Rasa servers with Sigilo's store, same model and action server: ``swept`` on a
store holding N expired events (generated directly: 100 per consumer, one session
each, random 300-byte payloads), ``control`` on a store of its own. The same
conversations go to both, alternating which goes first on every turn (as in
``bench/tracker_store.py``), first with no sweep, then while ``sigilo retention``
runs on the swept store in a separate process (as cron would run it). Prints the
sweep's events per second and median / p95 turn latency per phase and server, with
the ratios swept / control.

    .venv/bin/python bench/retention.py                          # PostgreSQL, 1M events
    .venv/bin/python bench/retention.py --sqlite --events 1000000
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.erasure import PG_URL, fill  # noqa: E402
from bench.tracker_store import TURNS, p95, say  # noqa: E402
from sigilo import keys  # noqa: E402
from sigilo.tracker_store.db import make_engine, upgrade  # noqa: E402
from tests.support.company_api import run_company_api  # noqa: E402
from tests.support.processes import (  # noqa: E402
    RASA_START_TIMEOUT,
    free_port,
    rasa_command,
    repo_env,
    run_action_server,
    start_service,
    wait_until_healthy,
)

# what cron would run: ``sigilo retention`` (the CLI), in a process of its own
SWEEP = [sys.executable, "-m", "sigilo.cli", "retention", "--months", "6"]
DONE = re.compile(r"deleted (\d+) session\(s\), (\d+) event\(s\).* in ([0-9.]+) s")


def store_urls(stack: contextlib.ExitStack, folder: Path, sqlite: bool) -> dict[str, str]:
    """A fresh, migrated store per server: PostgreSQL schemas or SQLite files."""
    urls = {}
    for name in ("swept", "control"):
        if sqlite:
            urls[name] = f"sqlite:///{folder / f'{name}.db'}"
        else:
            schema = f"bench_{name}_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(PG_URL, future=True, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f"CREATE SCHEMA {schema}"))

            def drop(schema: str = schema, admin: sa.engine.Engine = admin) -> None:
                with admin.connect() as conn:
                    conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
                admin.dispose()

            stack.callback(drop)
            urls[name] = f"{PG_URL}?options=-csearch_path%3D{schema}"
        upgrade(urls[name])
    return urls


def start_servers(
    stack: contextlib.ExitStack, folder: Path, urls: dict[str, str], env: dict[str, str]
) -> dict[str, str]:
    """Demo company API, one action server, one Rasa server per store (started at once)."""
    api = stack.enter_context(run_company_api(folder / "company.db"))
    actions_port = free_port()
    actions_env = {
        **env,
        "SIGILO_COMPANY_API_URL": api.url,
        "SIGILO_COMPANY_API_TOKEN": api.token,
        "SIGILO_DEFAULT_LANGUAGE": "en",
    }
    stack.enter_context(run_action_server(actions_env, port=actions_port, timeout=120))
    credentials = folder / "credentials.yml"
    credentials.write_text("rest:\n")
    started = {}
    for name, url in urls.items():
        endpoints = folder / f"endpoints-{name}.yml"
        endpoints.write_text(
            f"action_endpoint:\n  url: http://127.0.0.1:{actions_port}/webhook\n"
            "tracker_store:\n  type: sigilo.tracker_store.PrivacyTrackerStore\n"
            f"  url: {url}\n"
        )
        port = free_port()
        command = rasa_command(port, endpoints=endpoints, credentials=credentials)
        service = stack.enter_context(
            start_service(command, f"http://127.0.0.1:{port}/", env=env, wait=False)
        )
        started[name] = (service, port)
    for service, port in started.values():
        wait_until_healthy(service, f"http://127.0.0.1:{port}/", RASA_START_TIMEOUT)
    return {name: f"http://127.0.0.1:{port}" for name, (_, port) in started.items()}


def play(servers: dict[str, str], times: dict[str, list[float]], number: int) -> None:
    """One conversation on both servers, alternating which goes first on every turn."""
    sender = f"bench-{number}-{uuid.uuid4().hex[:6]}"
    for turn, text in enumerate(TURNS):
        order = list(servers) if (number + turn) % 2 == 0 else list(servers)[::-1]
        for name in order:
            times[name].append(say(servers[name], sender, text))


def row(phase: str, times: dict[str, list[float]]) -> str:
    """One line of the latency table."""
    cells = []
    for name in ("swept", "control"):
        cells.append(
            f"{statistics.median(times[name]) * 1000:>8.1f} {p95(times[name]) * 1000:>7.1f}"
        )
    ratio_median = statistics.median(times["swept"]) / statistics.median(times["control"])
    ratio_p95 = p95(times["swept"]) / p95(times["control"])
    count = len(times["swept"])
    return f"{phase:<12} {count:>6} {cells[0]} {cells[1]} {ratio_median:>7.3f} {ratio_p95:>6.3f}"


def main() -> int:
    """Fills the swept store, runs both phases and prints the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="expired events")
    parser.add_argument("--sqlite", action="store_true", help="SQLite files, not PostgreSQL")
    parser.add_argument("--batch-size", type=int, default=500, help="sessions per transaction")
    parser.add_argument("--baseline", type=int, default=12, help="conversations with no sweep")
    args = parser.parse_args()
    env = repo_env(
        {
            keys.ENCRYPTION_KEYS: f"bench:{keys.new_key()}",
            keys.PSEUDONYM_KEY: keys.new_key(),
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
    )
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        urls = store_urls(stack, folder, args.sqlite)
        started = time.monotonic()
        engine = make_engine(urls["swept"])
        fill(engine, args.events, per_consumer=100, age=400 * 86400.0)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(sa.text("ANALYZE sigilo_events"))
        engine.dispose()
        print(f"filled {args.events:,} expired events in {time.monotonic() - started:.0f} s")
        servers = start_servers(stack, folder, urls, env)
        for url in servers.values():  # warm-up
            say(url, "warm-up", "hello")
        before: dict[str, list[float]] = {name: [] for name in servers}
        for number in range(args.baseline):
            play(servers, before, number)
        during: dict[str, list[float]] = {name: [] for name in servers}
        sweep = subprocess.Popen(
            [*SWEEP, "--url", urls["swept"], "--batch-size", str(args.batch_size)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        number = args.baseline
        while sweep.poll() is None:
            play(servers, during, number)
            number += 1
        output = sweep.stdout.read() if sweep.stdout else ""
    found = DONE.search(output)
    if sweep.returncode != 0 or not found:
        print(f"the sweep failed (exit {sweep.returncode}): {output}", file=sys.stderr)
        return 1
    sessions, deleted, seconds = int(found[1]), int(found[2]), float(found[3])
    backend = "sqlite" if args.sqlite else "postgresql"
    print(
        f"retention sweep, {backend}: {deleted:,} events ({sessions:,} sessions) in "
        f"{seconds:.1f} s = {deleted / seconds:,.0f} events/s (batches of {args.batch_size})"
    )
    print(f"turn latency ms, {len(TURNS)} turns per conversation, both servers every turn")
    print(
        f"{'phase':<12} {'turns':>6} {'swept':>8} {'p95':>7} {'control':>8} {'p95':>7} "
        f"{'median':>7} {'p95':>6}"
    )
    print(row("no sweep", before))
    print(row("during sweep", during))
    for name in ("swept", "control"):
        ratio = statistics.median(during[name]) / statistics.median(before[name])
        print(f"{name} server, during / before the sweep: median {ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
