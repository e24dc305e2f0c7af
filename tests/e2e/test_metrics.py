"""A real conversation through Rasa's REST channel counts the expected metrics.

Rasa runs with the privacy tracker store and a metrics database of its own (SQLite);
the action server talks to a demo company API of this module's own (the conversation
pays an invoice). After "delete my data" the conversation is gone and the counts stay.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sigilo import keys
from sigilo.metrics.db import make_engine
from sigilo.metrics.db import upgrade as metrics_upgrade
from sigilo.metrics.store import MetricsStore
from sigilo.tracker_store.db import upgrade as store_upgrade
from tests.e2e.conftest import Chat, RasaServer, rest_credentials, store_endpoints
from tests.support.company_api import CompanyApiService
from tests.support.processes import (
    RASA_START_TIMEOUT,
    free_port,
    rasa_command,
    repo_env,
    run_action_server,
    start_service,
)

pytestmark = pytest.mark.slow
TIN = "529.982.247-25"
CARD = "4242 4242 4242 4242"


@pytest.fixture(scope="module")
def metrics_action_server(private_company_api: CompanyApiService) -> Iterator[str]:
    """An action server on this module's demo API."""
    env = repo_env(
        {
            "SIGILO_COMPANY_API_URL": private_company_api.url,
            "SIGILO_COMPANY_API_TOKEN": private_company_api.token,
            "SIGILO_DEFAULT_LANGUAGE": "en",
        }
    )
    with run_action_server(env, timeout=90) as webhook:
        yield webhook


@pytest.fixture(scope="module")
def metrics_rasa(
    metrics_action_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RasaServer, str, Path]]:
    """Rasa with the privacy store and the metrics hook; yields server, metrics URL, log."""
    folder = tmp_path_factory.mktemp("metrics-rasa")
    store_url, metrics_url = f"sqlite:///{folder / 'sigilo.db'}", f"sqlite:///{folder / 'm.db'}"
    store_upgrade(store_url)
    metrics_upgrade(metrics_url)
    endpoints = store_endpoints(
        folder, metrics_action_server, store_url, extra=f"  metrics_url: {metrics_url}\n"
    )
    env = repo_env(
        {
            keys.ENCRYPTION_KEYS: f"e2e:{keys.new_key()}",
            keys.PSEUDONYM_KEY: keys.new_key(),
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
    )
    env.pop("SIGILO_METRICS_URL", None)
    port, token = free_port(), secrets.token_urlsafe(16)
    log = folder / "rasa.log"
    with start_service(
        rasa_command(port, endpoints=endpoints, credentials=rest_credentials(folder), token=token),
        f"http://127.0.0.1:{port}/",
        env=env,
        timeout=RASA_START_TIMEOUT,  # loading the model on a busy 2-core machine
        log_path=log,
    ):
        yield RasaServer(f"http://127.0.0.1:{port}", token), metrics_url, log


def read_counts(url: str) -> dict[tuple[str, str, str, str], int]:
    engine = make_engine(url)
    try:
        return {
            (r.key.channel, r.key.language, r.key.kind, r.key.name): r.count
            for r in MetricsStore(engine).rows()
        }
    finally:
        engine.dispose()


def wait_for(url: str, expected: dict[tuple[str, str, str, str], int]) -> dict:
    """The counts once they include ``expected`` (the hook writes off the request path)."""
    deadline = time.monotonic() + 30
    while True:
        found = read_counts(url)
        if all(found.get(k) == n for k, n in expected.items()) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def buttons(replies: list[dict]) -> list[str]:
    return [b["payload"] for r in replies for b in r.get("buttons", [])]


def test_conversation_counts_clicks_and_features_and_erasure_keeps_them(
    metrics_rasa: tuple[RasaServer, str, Path],
) -> None:
    server, url, _ = metrics_rasa
    chat = Chat(server, sender=f"fb-{uuid.uuid4().hex}")
    assert "/check_invoices" in buttons(chat.say("/greet"))
    assert "/give_consent" in buttons(chat.say("/check_invoices"))
    chat.say("/give_consent")
    pay = next(p for p in buttons(chat.say(TIN)) if p.startswith("/pay_invoice"))
    invoice_id = pay.split('"')[-2]
    chat.say(pay)
    assert "4242" in chat.text(CARD)
    chat.say("12/30")
    assert "pay_" in chat.text("123")
    chat.say("/terms_of_use")
    en = ("rest", "en")
    expected = {
        (*en, "click", "/greet"): 1,
        (*en, "click", "/check_invoices"): 1,
        (*en, "click", "/give_consent"): 1,
        (*en, "click", "/pay_invoice"): 1,
        (*en, "click", "/terms_of_use"): 1,
        (*en, "feature", "menu_opened"): 1,
        (*en, "feature", "consent_given"): 1,
        (*en, "feature", "invoices_checked"): 1,
        (*en, "feature", "payment_made"): 1,
        (*en, "feature", "terms_read"): 1,
    }
    before = wait_for(url, expected)
    assert {k: before.get(k) for k in expected} == expected, before
    assert not [k for k in before if k[3] == "click" and k not in expected], before
    assert {"/affirm", "/deny"} <= set(buttons(chat.say("/delete_data")))
    chat.say("/affirm")
    erased = {(*en, "click", "/delete_data"): 1, (*en, "click", "/affirm"): 1}
    erased[(*en, "feature", "data_deleted")] = 1
    after = wait_for(url, {**expected, **erased})
    assert after == {**before, **erased}, after
    tracker = server.http("GET", f"/conversations/{chat.sender}/tracker?include_events=ALL")
    assert tracker["events"][0]["event"] == "restart"  # the conversation itself is gone
    raw = Path(url.removeprefix("sqlite:///"))
    dump = b"".join(p.read_bytes() for p in (raw, Path(f"{raw}-wal")) if p.exists())
    for needle in (chat.sender, invoice_id, "52998224725"):
        assert needle.encode() not in dump, needle


def test_refusal_withdrawal_and_unknown_payloads(
    metrics_rasa: tuple[RasaServer, str, Path],
) -> None:
    server, url, _ = metrics_rasa
    before = read_counts(url)
    chat = Chat(server)
    chat.say("/check_invoices")
    chat.say("/refuse_consent")
    chat.say("/withdraw_consent")
    chat.say('/no_such_button{"secret": "hunter2"}')
    en = ("rest", "en")
    delta = {
        (*en, "click", "/check_invoices"): 1,
        (*en, "click", "/refuse_consent"): 1,
        (*en, "click", "/withdraw_consent"): 1,
        (*en, "feature", "consent_refused"): 1,
        (*en, "feature", "consent_withdrawn"): 1,
        (*en, "feature", "fallback"): 1,
    }
    expected = {k: before.get(k, 0) + n for k, n in delta.items()}
    after = wait_for(url, expected)
    changed = {k: n - before.get(k, 0) for k, n in after.items() if n != before.get(k, 0)}
    assert changed == delta, changed
    assert not [k for k in after if "no_such_button" in k[3] or "hunter2" in k[3]]
