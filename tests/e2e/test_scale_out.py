"""Scale-out on Rasa's own machinery: two Rasa replicas sharing one PostgreSQL store,
a Redis lock store and a RabbitMQ event broker (whose queue is read back).

A separate module from ``test_erasure_and_scale_out.py`` so that the single-server
fixtures there are stopped before the two replicas start (2 CPU cores).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sigilo.tracker_store.db import upgrade
from tests.e2e import test_erasure_and_scale_out as single
from tests.e2e.conftest import Chat, RasaServer
from tests.e2e.test_erasure_and_scale_out import TIN, TIN_DIGITS, rasa_command, store_endpoints
from tests.support.processes import free_port, start_service

pytestmark = pytest.mark.slow

# the same module-scoped fixtures, instantiated for this module
store_env = single.store_env
logged_action_server = single.logged_action_server


@pytest.fixture(scope="module")
def replicas(
    logged_action_server: tuple[str, Path],
    store_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RasaServer, RasaServer, str, str]]:
    """Two Rasa servers sharing one PostgreSQL store (schema), Redis locks and a queue."""
    import sqlalchemy as sa

    from tests.support.services import POSTGRES_URL, require

    for service in ("postgres", "redis", "rabbitmq"):
        require(service)
    run = uuid.uuid4().hex[:10]
    schema, queue = f"sigilo_e2e_{run}", f"sigilo_e2e_{run}"
    admin = sa.create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    upgrade(url)
    folder = tmp_path_factory.mktemp("replicas")
    _problems.folder = str(folder)  # type: ignore[attr-defined]
    extra = (
        "lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: 6379\n"
        f"  key_prefix: e2e{run}\n"
        "event_broker:\n  type: pika\n  url: 127.0.0.1\n  username: guest\n"
        f"  password: guest\n  queues: [{queue}]\n"
    )
    endpoints = store_endpoints(folder, logged_action_server[0], url, extra)
    token = secrets.token_urlsafe(16)
    servers = []
    try:
        with contextlib.ExitStack() as stack:
            for index in range(2):
                port = free_port()
                stack.enter_context(
                    start_service(
                        rasa_command(endpoints, port, token),
                        f"http://127.0.0.1:{port}/",
                        env=store_env,
                        timeout=300,
                        log_path=folder / f"rasa-{index}.log",
                    )
                )
                servers.append(RasaServer(f"http://127.0.0.1:{port}", token))
            yield servers[0], servers[1], queue, schema
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
        _delete_queue(queue)


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


def _drain(queue: str) -> list[str]:
    return asyncio.run(_queue_op(queue, delete=False))


def _problems(*servers: RasaServer) -> str:
    """Warnings and errors of the replicas' logs, for a failure message."""
    folder = Path(_problems.folder)  # type: ignore[attr-defined]
    lines = []
    for log in sorted(folder.glob("rasa-*.log")):
        lines += [
            f"{log.name}: {line}"
            for line in log.read_text(errors="replace").splitlines()
            if "ERROR" in line or "WARNING" in line
        ]
    return "no lost or duplicated user events; replica logs:\n" + "\n".join(lines[-40:])


def _user_texts(server: RasaServer, sender: str) -> list[str]:
    tracker = server.http("GET", f"/conversations/{sender}/tracker?include_events=ALL")
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.rabbitmq
def test_two_replicas_interleaved_erasure_and_redacted_queue(
    replicas: tuple[RasaServer, RasaServer, str, str],
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    a, b, queue, _ = replicas
    senders = [f"fb-{uuid.uuid4().hex}" for _ in range(3)]
    messages = [f"ok thanks number {i}" for i in range(6)]

    def conversation(sender: str) -> None:
        with ThreadPoolExecutor(2) as pool:  # the same consumer on both replicas at once
            for i in range(0, len(messages), 2):
                list(
                    pool.map(
                        lambda pair: Chat(pair[0], sender=sender).say(pair[1]),
                        [(a, messages[i]), (b, messages[i + 1])],
                    )
                )

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(conversation, senders))
    for sender in senders:
        texts = _user_texts(a, sender)
        assert sorted(texts) == sorted(messages), _problems(a, b)
        assert _user_texts(b, sender) == texts

    victim = senders[0]
    Chat(a, sender=victim).say(f"my cpf is {TIN}")
    Chat(a, sender=victim).say("/delete_data")
    Chat(b, sender=victim).say("/affirm")  # confirmed on the other replica
    for server in (a, b):
        texts = _user_texts(server, victim)
        assert not set(texts) & {*messages, "/delete_data", "/affirm"}, texts
    Chat(a, sender=victim).say("hello again")
    assert _user_texts(b, victim) == ["hello again"]

    time.sleep(2)  # the pika broker publishes asynchronously
    bodies = _drain(queue)
    assert len(bodies) > 20
    joined = "\n".join(bodies)
    for needle in (*senders, TIN, TIN_DIGITS):
        assert needle not in joined, needle
    assert all(json.loads(body)["sender_id"] not in senders for body in bodies)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.rabbitmq
def test_database_gone_mid_conversation_says_try_again_then_recovers(
    replicas: tuple[RasaServer, RasaServer, str, str],
) -> None:
    import sqlalchemy as sa

    from tests.support.services import POSTGRES_URL

    a, _, _, schema = replicas
    chat = Chat(a, sender=f"fb-{uuid.uuid4().hex}")
    chat.say("hello")
    admin = sa.create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # the store's tables vanish from its search path
        conn.execute(sa.text(f"ALTER SCHEMA {schema} RENAME TO {schema}_away"))
    try:
        assert "try again" in chat.text("/open_menu").lower()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"ALTER SCHEMA {schema}_away RENAME TO {schema}"))
        admin.dispose()
    assert chat.say("/open_menu")
    texts = _user_texts(a, chat.sender)
    assert texts[0] == "hello" and texts[-1] == "/open_menu"
