"""Counting through the real privacy tracker store: once per click, replays skipped,
erasure leaves the counts alone, and the raw metrics database holds nothing personal."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from sigilo.metrics.db import make_engine
from sigilo.metrics.hook import MetricsHook
from sigilo.metrics.store import MetricsStore
from sigilo.tracker_store import PrivacyTrackerStore
from tests.integration.metrics.conftest import Databases

SENDER = "messenger-31415926535897"
TEXT = "quero pagar minha fatura urgente por favor"
INVOICE = "inv_Z9K4W2"
TIN = "52998224725"


def user(text: str, intent: str, message_id: str, **kwargs: Any) -> UserUttered:
    return UserUttered(
        text,
        intent={"name": intent, "confidence": 1.0},
        parse_data={"text": text, "intent": {"name": intent}, "entities": []},
        input_channel="facebook",
        message_id=message_id,
        **kwargs,
    )


def make_store(dbs: Databases, domain: Any) -> PrivacyTrackerStore:
    return PrivacyTrackerStore(domain=domain, host=dbs.store_url, metrics_url=dbs.metrics_url)


def hook_of(store: PrivacyTrackerStore) -> MetricsHook:
    (hook,) = [h for h in store.hooks if isinstance(h, MetricsHook)]
    return hook


def counts(dbs: Databases) -> dict[tuple[str, str, str, str], int]:
    engine = make_engine(dbs.metrics_url)
    found = {
        (r.key.channel, r.key.language, r.key.kind, r.key.name): r.count
        for r in MetricsStore(engine).rows()
    }
    engine.dispose()
    return found


async def turn(store: PrivacyTrackerStore, *events: Any) -> DialogueStateTracker:
    """Loads the conversation, appends ``events`` as Rasa would, saves it."""
    tracker = await store.retrieve(SENDER)
    if tracker is None:
        tracker = DialogueStateTracker.from_events(SENDER, [], store.domain.slots)
        for event in (ActionExecuted("action_session_start"), SessionStarted()):
            tracker.update(event)
        tracker.update(ActionExecuted("action_listen"))
    for event in events:
        tracker.update(event)
    await store.save(tracker)
    return tracker


async def conversation(store: PrivacyTrackerStore) -> None:
    await turn(
        store,
        user(TEXT, "pay_invoice", "mid.1", metadata={"customer_first_name": "Filomena"}),
        SlotSet("language", "pt"),
        ActionExecuted("action_listen"),
    )
    await turn(
        store,
        user("/check_invoices", "check_invoices", "mid.2"),
        SlotSet("consent_given", True),
        SlotSet("tin", TIN),
        ActionExecuted("action_check_invoices"),
        BotUttered("2 faturas", metadata={"utter_action": "utter_invoices_header"}),
        ActionExecuted("action_listen"),
    )
    await turn(
        store,
        user(f'/pay_invoice{{"invoice_id": "{INVOICE}"}}', "pay_invoice", "mid.3"),
        SlotSet("invoice_id", INVOICE),
        BotUttered("Pago", metadata={"utter_action": "utter_payment_succeeded"}),
        ActionExecuted("action_listen"),
    )


EXPECTED = {
    ("facebook", "pt", "click", "/check_invoices"): 1,
    ("facebook", "pt", "click", "/pay_invoice"): 1,
    ("facebook", "pt", "feature", "consent_given"): 1,
    ("facebook", "pt", "feature", "invoices_checked"): 1,
    ("facebook", "pt", "feature", "payment_made"): 1,
}


async def test_each_click_counts_once_and_replays_do_not(dbs: Databases, domain: Any) -> None:
    store = make_store(dbs, domain)
    await conversation(store)
    await store.save(await store.retrieve(SENDER))  # nothing new: nothing counted
    assert hook_of(store).flush()
    assert counts(dbs) == EXPECTED
    # Messenger redelivers mid.2, or another replica replays it: Rasa runs the turn again
    await turn(
        store,
        user("/check_invoices", "check_invoices", "mid.2"),
        ActionExecuted("action_check_invoices"),
        BotUttered("2 faturas", metadata={"utter_action": "utter_invoices_header"}),
        ActionExecuted("action_listen"),
    )
    # a second store (another replica) replaying mid.3
    other = make_store(dbs, domain)
    tracker = await other.retrieve(SENDER)
    tracker.update(user('/pay_invoice{"invoice_id": "x"}', "pay_invoice", "mid.3"))
    await other.save(tracker)
    assert hook_of(store).flush() and hook_of(other).flush()
    assert counts(dbs) == EXPECTED


async def test_erasure_never_changes_the_counts(dbs: Databases, domain: Any) -> None:
    store = make_store(dbs, domain)
    await conversation(store)
    await turn(store, user("/delete_data", "delete_data", "mid.4"), ActionExecuted("action_listen"))
    assert hook_of(store).flush()
    before = counts(dbs)
    # the erasure marker: ActionExecuted(action_delete_data) then Restarted
    tracker = await turn(
        store,
        user("/affirm", "affirm", "mid.5"),
        ActionExecuted("action_delete_data"),
        BotUttered("Apaguei tudo"),
        Restarted(),
        SlotSet("language", "pt"),
        ActionExecuted("action_listen"),
    )
    assert hook_of(store).flush()
    stored = await store.retrieve_full_tracker(SENDER)
    assert not [e for e in stored.events if isinstance(e, UserUttered)]  # erased for real
    after = counts(dbs)
    # what was counted stays; the erasure turn adds its own click and the deletion
    added = {k: n - before.get(k, 0) for k, n in after.items() if n != before.get(k, 0)}
    assert {k: n for k, n in after.items() if k in before} == before
    assert added == {
        ("facebook", "pt", "click", "/affirm"): 1,
        ("facebook", "pt", "feature", "data_deleted"): 1,
    }
    # an operator's erasure (Repository.erase) changes nothing either
    await turn(store, user("/open_menu", "open_menu", "mid.6"), ActionExecuted("utter_menu"))
    assert hook_of(store).flush()
    before = counts(dbs)
    assert store.repository.erase(SENDER) > 0
    await store.save(tracker)  # the old in-memory tracker cannot write anything back
    assert hook_of(store).flush()
    assert counts(dbs) == before


SUBSECOND = re.compile(rb"\d{1,2}:\d{2}|\d{10}\.\d+|T\d{2}")


async def test_raw_metrics_database_holds_no_identifier_text_or_time(
    dbs: Databases, domain: Any
) -> None:
    store = make_store(dbs, domain)
    await conversation(store)
    assert hook_of(store).flush()
    raw = dbs.metrics_dump()
    assert b"/pay_invoice" in raw and b"payment_made" in raw  # the dump is readable
    pseudonym = store.repository.pseudonym(SENDER)
    for needle in (SENDER, pseudonym, pseudonym[:12], TEXT, "urgente", INVOICE, TIN, "Filomena",
                   "mid.1", "mid.2"):  # fmt: skip
        assert needle.encode() not in raw, needle
    rows = dbs.metrics_rows_text()
    assert not SUBSECOND.search(rows), SUBSECOND.search(rows)  # days only, no time of day
    engine = make_engine(dbs.metrics_url)
    with engine.connect() as conn:
        columns = {c["name"]: str(c["type"]) for c in sa.inspect(conn).get_columns(
            "sigilo_metric_daily_counts")}  # fmt: skip
    engine.dispose()
    assert set(columns) == {"day", "channel", "language", "kind", "name", "count"}
    assert columns["day"] == "DATE"


@pytest.mark.parametrize("option", ["off", None])
async def test_no_metrics_when_off_or_not_configured(
    dbs: Databases, domain: Any, option: str | None
) -> None:
    kwargs = {} if option is None else {"metrics_url": option}
    store = PrivacyTrackerStore(domain=domain, host=dbs.store_url, **kwargs)
    assert not [h for h in store.hooks if isinstance(h, MetricsHook)]


async def test_environment_turns_metrics_on(
    dbs: Databases, domain: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGILO_METRICS_URL", dbs.metrics_url)
    store = PrivacyTrackerStore(domain=domain, host=dbs.store_url)
    await turn(store, user("/human_handoff", "human_handoff", "h1"))
    assert hook_of(store).flush()
    assert counts(dbs) == {("facebook", "unknown", "click", "/human_handoff"): 1}
