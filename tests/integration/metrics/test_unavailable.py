"""A metrics database that is down never breaks a conversation; bad settings stop Rasa."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from sigilo.metrics import MetricsConfigError
from sigilo.metrics.hook import MetricsHook
from sigilo.tracker_store import PrivacyTrackerStore
from tests.integration.metrics.conftest import Databases
from tests.integration.metrics.test_store_hook import SENDER, TEXT, counts, hook_of, turn, user
from tests.support.processes import free_port
from tests.support.services import POSTGRES_URL, require


def _wait_lost(hook: MetricsHook, at_least: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while hook.lost < at_least and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hook.lost >= at_least


def _unreachable(backend: str, tmp_path: Path) -> str:
    if backend == "postgres":
        return f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/postgres"  # nobody there
    folder = tmp_path / "metrics-is-a-folder.db"
    folder.mkdir()
    return f"sqlite:///{folder}"  # SQLite cannot open a folder


async def test_unreachable_metrics_database_loses_counts_not_the_conversation(
    dbs: Databases,
    domain: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    url = _unreachable(dbs.backend, tmp_path)
    store = PrivacyTrackerStore(
        domain=domain, host=dbs.store_url, metrics_url=url, metrics_retry_seconds=0.2
    )
    hook = hook_of(store)
    await turn(store, user(f"/check_invoices {TEXT}", "nlu_fallback", "m1"))
    await turn(
        store,
        user("/check_invoices", "check_invoices", "m2"),
        ActionExecuted("action_check_invoices"),
        BotUttered("2 invoices", metadata={"utter_action": "utter_invoices_header"}),
        ActionExecuted("action_listen"),
    )
    _wait_lost(hook, 3)  # fallback, the click, invoices_checked
    stored = await store.retrieve(SENDER)
    assert [e.text for e in stored.events if isinstance(e, UserUttered)][-1] == "/check_invoices"
    warnings = [r for r in caplog.records if r.name.startswith("sigilo.metrics")]
    assert any("count(s) lost" in r.getMessage() for r in warnings)
    assert any("unreachable at start" in r.getMessage() for r in warnings)
    pseudonym = store.repository.pseudonym(SENDER)
    for record in warnings:
        message = record.getMessage()
        for needle in (SENDER, pseudonym[:12], TEXT, "/check_invoices", "invoices_checked"):
            assert needle not in message, message


@pytest.mark.postgres
async def test_counts_resume_when_the_database_is_back(domain: Any, tmp_path: Path) -> None:
    require("postgres")
    from sigilo.metrics.db import upgrade
    from sigilo.tracker_store.db import upgrade as store_upgrade

    schema = f"sigilo_metrics_away_{time.monotonic_ns() % 10**9}"
    admin = sa.create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    store_url = f"sqlite:///{tmp_path / 'sigilo.db'}"
    try:
        upgrade(url)
        store_upgrade(store_url)
        store = PrivacyTrackerStore(
            domain=domain, host=store_url, metrics_url=url, metrics_retry_seconds=0.2
        )
        hook = hook_of(store)
        dbs = Databases("postgres", url, store_url)
        await turn(store, user("/affirm", "affirm", "m1"))
        assert hook.flush()
        assert counts(dbs) == {("facebook", "unknown", "click", "/affirm"): 1}
        with admin.connect() as conn:  # the table goes away under the running store
            conn.execute(sa.text(f"ALTER SCHEMA {schema} RENAME TO {schema}_away"))
        await turn(store, user("/deny", "deny", "m2"))
        _wait_lost(hook, 1)
        with admin.connect() as conn:
            conn.execute(sa.text(f"ALTER SCHEMA {schema}_away RENAME TO {schema}"))
        time.sleep(0.3)  # past the retry delay
        await turn(store, user("/thank", "thank", "m3"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not hook.flush(1.0):
            time.sleep(0.1)
        # the click made while the table was away is lost, as documented
        assert counts(dbs) == {
            ("facebook", "unknown", "click", "/affirm"): 1,
            ("facebook", "unknown", "click", "/thank"): 1,
        }
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema}_away CASCADE"))
        admin.dispose()


async def test_unmigrated_database_or_bad_features_stop_the_store(
    dbs: Databases, domain: Any, tmp_path: Path
) -> None:
    empty = f"sqlite:///{tmp_path / 'empty-metrics.db'}"
    with pytest.raises(MetricsConfigError, match="sigilo metrics db upgrade"):
        PrivacyTrackerStore(domain=domain, host=dbs.store_url, metrics_url=empty)
    bad = tmp_path / "metrics.yml"
    bad.write_text("features:\n  paid:\n    - response: utter_payment_succeeded\n  paid: []\n")
    with pytest.raises(MetricsConfigError, match=r"metrics.yml:4: feature 'paid' is declared"):
        PrivacyTrackerStore(
            domain=domain,
            host=dbs.store_url,
            metrics_url=dbs.metrics_url,
            metrics_features=str(bad),
        )
