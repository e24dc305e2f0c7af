"""Fixtures of the console tests: a migrated database per test (SQLite and PostgreSQL),
keys, operators of every role signed in, and stored conversations written by the real
privacy tracker store."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from sigilo.console.auth import Session
from sigilo.console.roles import Role
from sigilo.console.service import Console
from sigilo.metrics.db import upgrade as metrics_upgrade
from sigilo.tracker_store import PrivacyTrackerStore
from tests.integration.tracker_store.conftest import database, domain, store_keys  # noqa: F401
from tests.integration.tracker_store.test_store import user
from tests.support.services import POSTGRES_URL

PASSWORD = "correct horse battery staple"
TIN = "52998224725"
NAME = "Filomena"


def code_for(uri: str, steps_ahead: int = 0) -> str:
    """The TOTP code of the provisioning URI, ``steps_ahead`` 30-second steps on."""
    totp = pyotp.parse_uri(uri)
    return totp.at(time.time() + 30 * steps_ahead)


@dataclass
class Operators:
    """One signed-in session and TOTP URI per role."""

    sessions: dict[Role, Session]
    uris: dict[Role, str]


def make_operators(console: Console) -> Operators:
    """Creates ``<role>-op`` for every role and signs each in (role none: a session only)."""
    sessions, uris = {}, {}
    for role in Role:
        operator, uri = console.auth.create(f"{role.value}-op", role, PASSWORD)
        uris[role] = uri
        if role is Role.NONE:
            sessions[role] = console.auth.issue(operator)
        else:
            sessions[role] = console.auth.sign_in(operator.username, PASSWORD, code_for(uri))
    return Operators(sessions, uris)


def conversation(text: str, language: str = "pt", personal: bool = True) -> list[Any]:
    """A short conversation; with ``personal``, a tax id and first name in slots."""
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        user(text),
        SlotSet("language", language),
        SlotSet("consent_given", True),
    ]
    if personal:
        events += [SlotSet("tin", TIN), SlotSet("customer_first_name", NAME)]
        events.append(BotUttered(f"Olá {NAME}!"))
    events.append(ActionExecuted("action_listen"))
    return events


async def save(
    store: PrivacyTrackerStore, sender: str, events: list[Any], channel: str = "rest"
) -> None:
    """Saves a conversation through the real store (which runs the index hook)."""
    for event in events:
        if getattr(event, "input_channel", "missing") is None:
            event.input_channel = channel
    tracker = DialogueStateTracker.from_events(sender, events, store.domain.slots)
    await store.save(tracker)


@pytest.fixture
def console(database: Any) -> Console:  # noqa: F811
    """The console on the test database."""
    return Console.from_env(database.url)


@pytest.fixture
def store(database: Any, domain: Any) -> PrivacyTrackerStore:  # noqa: F811
    """The privacy tracker store on the same database."""
    return PrivacyTrackerStore(domain=domain, host=database.url)


@pytest.fixture
def ops(console: Console) -> Operators:
    """Signed-in operators of every role."""
    return make_operators(console)


@pytest.fixture
def metrics_url(database: Any, tmp_path: Path) -> Iterator[str]:  # noqa: F811
    """A migrated metrics database on the backend of ``database`` (its own file/schema)."""
    if database.backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'metrics.db'}"
        metrics_upgrade(url)
        yield url
        return
    schema = f"sigilo_console_metrics_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        metrics_upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
