"""Scale-out on Rasa's own machinery (guarantee 9): two Rasa replicas sharing one
PostgreSQL store (a schema of its own), a Redis lock store (a key prefix of its own)
and a RabbitMQ event broker (a queue of its own, read back here).

The lock store is Sigilo's ``AtomicRedisLockStore``: Rasa 3.6's ``type: redis`` loses
ticket updates between processes (``sigilo/tracker_store/lock_store.py``;
``tests/integration/tracker_store/test_lock_store.py``), which is what made the first
version of this module lose a message or wait 60 s.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import re
import secrets
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sigilo import keys
from sigilo.tracker_store.db import make_engine, upgrade
from sigilo.tracker_store.repository import Repository
from sigilo.tracker_store.schema import senders
from tests.e2e.conftest import Chat, RasaServer, rest_credentials, store_endpoints
from tests.support.processes import (
    RASA_START_TIMEOUT,
    free_port,
    rasa_command,
    start_service,
    wait_until_healthy,
)
from tests.support.services import POSTGRES_URL, require

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis, pytest.mark.rabbitmq]
TIN = "529.982.247-25"
TIN_DIGITS = "52998224725"
CARD = "4111111111111111"
CARD_TYPED = "4111 1111 1111 1111"


@dataclass
class Replicas:
    """Two Rasa servers over one store, and what the test needs to look behind them."""

    a: RasaServer
    b: RasaServer
    url: str
    schema: str
    queue: str
    logs: list[Path]
    repository: Repository

    def problems(self) -> str:
        """Warnings and errors of the replicas' logs, for a failure message."""
        lines = []
        for log in self.logs:
            lines += [
                f"{log.name}: {line}"
                for line in log.read_text(errors="replace").splitlines()
                if "ERROR" in line or "WARNING" in line or "Error" in line
            ]
        return "replica logs:\n" + "\n".join(lines[-40:])

    def stored(self, sender: str) -> list[dict[str, Any]]:
        """The sender's stored events, read from the database and decrypted."""
        loaded = self.repository.load(sender, all_sessions=True)
        return [] if loaded is None else [item.data for item in loaded[1]]


def _repository(url: str, env: dict[str, str]) -> Repository:
    ring = keys.KeyRing.from_env(env)
    return Repository(make_engine(url), ring, keys.pseudonym_key(env))


@pytest.fixture(scope="module")
def replicas(
    store_action_server: tuple[str, Path],
    store_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Replicas]:
    """Two Rasa servers sharing one PostgreSQL store, Redis locks and a queue."""
    for service in ("postgres", "redis", "rabbitmq"):
        require(service)
    run = uuid.uuid4().hex[:10]
    schema = queue = f"sigilo_e2e_{run}"
    admin = sa.create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    folder = tmp_path_factory.mktemp("replicas")
    extra = (
        "lock_store:\n  type: sigilo.tracker_store.lock_store.AtomicRedisLockStore\n"
        f"  url: 127.0.0.1\n  port: 6379\n  key_prefix: e2e{run}\n"
        "event_broker:\n  type: pika\n  url: 127.0.0.1\n  username: guest\n"
        f"  password: guest\n  queues: [{queue}]\n"
    )
    endpoints = store_endpoints(folder, store_action_server[0], url, extra)
    credentials = rest_credentials(folder)
    token = secrets.token_urlsafe(16)
    repository = None
    try:
        upgrade(url)
        repository = _repository(url, store_env)
        with contextlib.ExitStack() as stack:
            started = []
            for index in range(2):  # both load the model at once: half the wait
                port = free_port()
                command = rasa_command(
                    port, endpoints=endpoints, credentials=credentials, token=token
                )
                service = stack.enter_context(
                    start_service(
                        command,
                        f"http://127.0.0.1:{port}/",
                        env=store_env,
                        log_path=folder / f"rasa-{index}.log",
                        wait=False,
                    )
                )
                started.append((service, port))
            for service, port in started:
                wait_until_healthy(service, f"http://127.0.0.1:{port}/", RASA_START_TIMEOUT)
            a, b = (RasaServer(f"http://127.0.0.1:{port}", token) for _, port in started)
            logs = [service.log_path for service, _ in started]
            yield Replicas(a, b, url, schema, queue, logs, repository)
    finally:
        if repository is not None:
            repository.engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
        _delete_queue(queue)
        _delete_lock_keys(f"e2e{run}")


async def _queue_op(queue: str, delete: bool) -> list[str]:
    import aio_pika

    connection = await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/")
    async with connection:
        channel = await connection.channel()
        if delete:
            await channel.queue_delete(queue)
            return []
        declared = await channel.declare_queue(queue, passive=True)
        bodies = []
        while (message := await declared.get(no_ack=True, fail=False)) is not None:
            bodies.append(message.body.decode())
        return bodies


def _delete_queue(queue: str) -> None:
    with contextlib.suppress(Exception):
        asyncio.run(_queue_op(queue, delete=True))


def _delete_lock_keys(prefix: str) -> None:
    import redis

    red = redis.StrictRedis(host="127.0.0.1", port=6379, db=1)
    stale = red.keys(f"{prefix}:*")
    if stale:
        red.delete(*stale)


def _drain_until(queue: str, done: Any, deadline_s: float = 30.0) -> list[dict[str, Any]]:
    """Reads the queue until ``done(bodies)`` (Rasa's pika broker publishes in the
    background) or the deadline; returns every message read."""
    bodies: list[dict[str, Any]] = []
    deadline = time.monotonic() + deadline_s
    while True:
        bodies += [json.loads(body) for body in asyncio.run(_queue_op(queue, delete=False))]
        if done(bodies) or time.monotonic() > deadline:
            return bodies
        time.sleep(0.5)


def _user_texts(server: RasaServer, sender: str) -> list[str]:
    tracker = server.http("GET", f"/conversations/{sender}/tracker?include_events=ALL")
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


def _say_at_once(*turns: tuple[RasaServer, str, str]) -> None:
    """Sends (server, sender, text) turns concurrently and waits for every reply."""
    with ThreadPoolExecutor(len(turns)) as pool:
        list(pool.map(lambda turn: Chat(turn[0], sender=turn[1]).say(turn[2]), turns))


def test_two_replicas_interleaved_erasure_and_redacted_queue(replicas: Replicas) -> None:
    a, b = replicas.a, replicas.b
    senders_ = [f"fb-{uuid.uuid4().hex}" for _ in range(3)]
    messages = [f"ok thanks number {i}" for i in range(6)]
    sent: dict[str, list[str]] = collections.defaultdict(list)

    def conversation(sender: str) -> None:
        for i in range(0, len(messages), 2):  # the same consumer on both replicas at once
            _say_at_once((a, sender, messages[i]), (b, sender, messages[i + 1]))
            sent[sender] += messages[i : i + 2]

    with ThreadPoolExecutor(len(senders_)) as pool:
        list(pool.map(conversation, senders_))
    for sender in senders_:
        stored = replicas.stored(sender)
        texts = [e["text"] for e in stored if e["event"] == "user"]
        # no lost and no duplicated turn, in the real database
        assert collections.Counter(texts) == collections.Counter(messages), replicas.problems()
        listens = [e for e in stored if e.get("name") == "action_listen"]
        assert len(listens) == len(messages) + 1, replicas.problems()  # one per turn + start
        assert len({e["timestamp"] for e in stored if e["event"] == "user"}) == len(messages)
        assert _user_texts(a, sender) == texts == _user_texts(b, sender)

    # erasure confirmed on replica b; replica a handled the turns before and goes on
    victim, paying = senders_[0], senders_[1]
    Chat(a, sender=victim).say(f"my cpf is {TIN}")
    Chat(b, sender=paying).say(f"my card is {CARD_TYPED}")
    Chat(a, sender=victim).say("/delete_data")
    before = [*sent[victim], f"my cpf is {TIN}", "/delete_data"]
    Chat(b, sender=victim).say("/affirm")
    Chat(a, sender=victim).say("are you still there")
    for server in (a, b):
        tracker = server.http("GET", f"/conversations/{victim}/tracker?include_events=ALL")
        assert tracker["events"][0]["event"] == "restart", replicas.problems()
        texts = [e["text"] for e in tracker["events"] if e["event"] == "user"]
        assert not set(texts) & {*before, "/affirm"}, texts
        assert TIN not in json.dumps(tracker) and TIN_DIGITS not in json.dumps(tracker)
    Chat(a, sender=victim).say("hello again")
    after = _user_texts(b, victim)
    assert after == ["are you still there", "hello again"]
    stored = json.dumps(replicas.stored(victim), ensure_ascii=False)
    for text in (*before, "/affirm", TIN_DIGITS):
        assert text not in stored, text
    with replicas.repository.engine.connect() as conn:
        generation = conn.execute(
            sa.select(senders.c.generation).where(
                senders.c.pseudonym == replicas.repository.pseudonym(victim)
            )
        ).scalar_one()
    assert generation == 1  # erased exactly once

    pseudonyms = {replicas.repository.pseudonym(s): s for s in senders_}

    def seen_last_turn(bodies: list[dict[str, Any]]) -> bool:
        return any(body.get("text") == "hello again" for body in bodies)

    bodies = _drain_until(replicas.queue, seen_last_turn)
    assert seen_last_turn(bodies), f"{len(bodies)} broker events, last turn missing"
    raw = json.dumps(bodies, ensure_ascii=False)
    for needle in (*senders_, TIN, TIN_DIGITS, CARD, CARD_TYPED, f"my cpf is {TIN}"):
        assert needle not in raw, needle
    assert {body["sender_id"] for body in bodies} == set(pseudonyms)
    assert all(re.fullmatch(r"[0-9a-f]{64}", body["sender_id"]) for body in bodies)
    # the consumer of the queue saw every user turn once, erased ones included, redacted
    for pseudonym, sender in pseudonyms.items():
        texts = [b["text"] for b in bodies if b["sender_id"] == pseudonym and b["event"] == "user"]
        assert texts.count("/affirm") <= 1 and len(texts) == len(set(texts)), texts
        assert set(messages) <= set(texts), sender
    for sender, redacted in ((victim, "my cpf is ["), (paying, "my card is [")):
        pseudonym = replicas.repository.pseudonym(sender)
        texts = [b.get("text") or "" for b in bodies if b["sender_id"] == pseudonym]
        assert any(t.startswith(redacted) for t in texts), texts
    for log in replicas.logs:  # no message swallowed by the REST channel
        text = log.read_text(errors="replace")
        assert "LockError" not in text and "rest.message.received" not in text, replicas.problems()


def test_database_gone_mid_conversation_says_try_again_then_recovers(
    replicas: Replicas,
) -> None:
    chat = Chat(replicas.a, sender=f"fb-{uuid.uuid4().hex}")
    chat.say("hello")
    admin = sa.create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # the store's tables vanish from its search path
        conn.execute(sa.text(f"ALTER SCHEMA {replicas.schema} RENAME TO {replicas.schema}_away"))
    try:
        assert "try again" in chat.text(f"are you there? my cpf is {TIN}").lower()
    finally:
        with admin.connect() as conn:
            conn.execute(
                sa.text(f"ALTER SCHEMA {replicas.schema}_away RENAME TO {replicas.schema}")
            )
        admin.dispose()
    assert chat.say("/open_menu")  # the store recovered by itself: a real answer
    texts = _user_texts(replicas.a, chat.sender)
    assert texts == ["hello", "/open_menu"]  # the turn while it was away is not stored
    assert [e["text"] for e in replicas.stored(chat.sender) if e["event"] == "user"] == texts
    # the failed turn never reached the broker (Rasa's fail-safe store would stream it raw)
    pseudonym = replicas.repository.pseudonym(chat.sender)

    def seen_recovery(bodies: list[dict[str, Any]]) -> bool:
        return any(b["sender_id"] == pseudonym and b.get("text") == "/open_menu" for b in bodies)

    bodies = _drain_until(replicas.queue, seen_recovery)
    assert seen_recovery(bodies)
    raw = json.dumps(bodies, ensure_ascii=False)
    for needle in (chat.sender, TIN, TIN_DIGITS, "are you there"):
        assert needle not in raw, needle
