"""Turn latency through the REST channel: Sigilo's store vs Rasa's stock SQLTrackerStore.

Starts the demo company API, one action server and two Rasa servers with the same
model, one per store, and plays the same conversations on both, alternating which
server goes first on every turn, so both see the same machine load. Prints median and
p95 turn latency and the ratios (Sigilo / stock).

    .venv/bin/python bench/tracker_store.py                    # SQLite files
    .venv/bin/python bench/tracker_store.py --postgres         # local PostgreSQL
    .venv/bin/python bench/tracker_store.py --conversations 30
"""

from __future__ import annotations

import argparse
import contextlib
import json
import secrets
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sigilo import keys  # noqa: E402
from sigilo.metrics.db import upgrade as upgrade_metrics  # noqa: E402
from sigilo.tracker_store.db import upgrade  # noqa: E402
from tests.support.company_api import run_company_api  # noqa: E402
from tests.support.processes import (  # noqa: E402
    RASA_START_TIMEOUT,
    free_port,
    rasa_command,
    repo_env,
    run_action_server,
    start_service,
    trained_model,
)

PG_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
TURNS = ["hello", "/open_menu", "/privacy_policy", "/terms_of_use", "/open_menu", "thanks"]


def say(url: str, sender: str, text: str) -> float:
    """Sends one message; returns the seconds until the reply arrived."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as answer:
        answer.read()
    return time.perf_counter() - started


def p95(values: list[float]) -> float:
    """95th percentile."""
    return statistics.quantiles(values, n=20)[-1]


def main() -> int:
    """Runs both servers and prints the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    model = trained_model()
    env = repo_env(
        {
            keys.ENCRYPTION_KEYS: f"bench:{keys.new_key()}",
            keys.PSEUDONYM_KEY: keys.new_key(),
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
    )
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        schema = None
        if args.postgres:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(PG_URL, future=True, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
            stack.callback(
                lambda: admin.connect().execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
            )
            sigilo_url = f"{PG_URL}?options=-csearch_path%3D{schema}"
            stock = (
                "tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: 127.0.0.1\n"
                "  port: 5432\n  username: postgres\n  db: postgres\n"
                f"  query:\n    options: -csearch_path={schema}\n"
            )
        else:
            sigilo_url = f"sqlite:///{folder / 'sigilo.db'}"
            stock = f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {folder / 'stock.db'}\n"
        # the product's default: anonymous metrics counted too (same backend, own tables)
        metrics_url = sigilo_url if args.postgres else f"sqlite:///{folder / 'metrics.db'}"
        upgrade(sigilo_url)
        upgrade_metrics(metrics_url)
        api = stack.enter_context(run_company_api(folder / "company.db"))
        actions_port = free_port()
        actions_env = {
            **env,
            "SIGILO_COMPANY_API_URL": api.url,
            "SIGILO_COMPANY_API_TOKEN": api.token,
            "SIGILO_DEFAULT_LANGUAGE": "en",
        }
        stack.enter_context(run_action_server(actions_env, port=actions_port, timeout=90))
        action = f"action_endpoint:\n  url: http://127.0.0.1:{actions_port}/webhook\n"
        sigilo = (
            "tracker_store:\n  type: sigilo.tracker_store.PrivacyTrackerStore\n"
            f"  url: {sigilo_url}\n"
            f"  metrics_url: {metrics_url}\n  metrics_features: {ROOT / 'metrics.yml'}\n"
        )
        (folder / "credentials.yml").write_text("rest:\n")
        servers = {}
        for name, store in (("stock", stock), ("sigilo", sigilo)):
            endpoints = folder / f"endpoints-{name}.yml"
            endpoints.write_text(action + store)
            port = free_port()
            command = rasa_command(
                port,
                endpoints=endpoints,
                credentials=folder / "credentials.yml",
                token=secrets.token_urlsafe(8),
                enable_api=False,
                model=model,
            )
            stack.enter_context(
                start_service(
                    command, f"http://127.0.0.1:{port}/", env=env, timeout=RASA_START_TIMEOUT
                )
            )
            servers[name] = f"http://127.0.0.1:{port}"
        for url in servers.values():  # warm-up
            say(url, "warm-up", "hello")
        times: dict[str, list[float]] = {name: [] for name in servers}
        for number in range(args.conversations):
            sender = f"bench-{number}-{uuid.uuid4().hex[:6]}"
            for turn, text in enumerate(TURNS):
                order = list(servers) if (number + turn) % 2 == 0 else list(servers)[::-1]
                for name in order:
                    times[name].append(say(servers[name], sender, text))
    backend = "postgresql" if args.postgres else "sqlite"
    print(f"turn latency, {backend}, {args.conversations} conversations x {len(TURNS)} turns")
    print(f"{'store':<8} {'median ms':>10} {'p95 ms':>8}")
    for name, values in times.items():
        print(f"{name:<8} {statistics.median(values) * 1000:>10.1f} {p95(values) * 1000:>8.1f}")
    ratio_median = statistics.median(times["sigilo"]) / statistics.median(times["stock"])
    ratio_p95 = p95(times["sigilo"]) / p95(times["stock"])
    print(f"ratio sigilo/stock: median {ratio_median:.3f}, p95 {ratio_p95:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
