"""Sigilo's tracker store under the real Rasa server, through the REST channel.

A full conversation (tax id, card payment) then "delete my data": Rasa's HTTP API
and the raw database show nothing from before; logs hold no secret; a typo in the
tracker store's ``type:`` stops Rasa instead of falling back to memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sigilo import keys
from sigilo.tracker_store.db import upgrade
from tests.e2e.conftest import Chat, RasaServer, _trained_model
from tests.support.company_api import CompanyApiService
from tests.support.processes import ServiceError, free_port, repo_env, start_service

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
TIN = "529.982.247-25"
TIN_DIGITS = "52998224725"
CARD = "4242424242424242"
PHRASE = "zebra orquidea saxofone"


def store_endpoints(folder: Path, action_url: str, store_url: str, extra: str = "") -> Path:
    """An endpoints file with the privacy tracker store."""
    path = folder / f"endpoints-{uuid.uuid4().hex[:6]}.yml"
    path.write_text(
        f"action_endpoint:\n  url: {action_url}\n"
        "tracker_store:\n  type: sigilo.tracker_store.PrivacyTrackerStore\n"
        f"  url: {store_url}\n{extra}"
    )
    return path


def rasa_command(endpoints: Path, port: int, token: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "rasa",
        "run",
        "--model",
        str(_trained_model()),
        "--port",
        str(port),
        "--enable-api",
        f"--auth-token={token}",  # a token may start with "-"
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(_rest_only_credentials(endpoints.parent)),
    ]


def _rest_only_credentials(folder: Path) -> Path:
    """The REST channel only: these tests need no Messenger secrets."""
    path = folder / "credentials.yml"
    path.write_text("rest:\n")
    return path


@pytest.fixture(scope="module")
def store_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Keys of this module's servers."""
    return repo_env(
        {
            keys.ENCRYPTION_KEYS: f"e2e:{keys.new_key()}",
            keys.PSEUDONYM_KEY: keys.new_key(),
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
    )


@pytest.fixture(scope="module")
def logged_action_server(
    e2e_company_api: CompanyApiService, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """An action server started as ``make run`` does (log filter on), and its log."""
    port = free_port()
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    env = repo_env(
        {
            "SIGILO_COMPANY_API_URL": e2e_company_api.url,
            "SIGILO_COMPANY_API_TOKEN": e2e_company_api.token,
            "SIGILO_DEFAULT_LANGUAGE": "en",
        }
    )
    command = [sys.executable, "-m", "sigilo.log_filter", "rasa_sdk", "--actions", "actions"]
    with start_service(
        [*command, "--port", str(port)],
        f"http://127.0.0.1:{port}/health",
        env=env,
        timeout=90,
        log_path=log,
    ):
        yield f"http://127.0.0.1:{port}/webhook", log


@pytest.fixture(scope="module")
def sqlite_rasa(
    logged_action_server: tuple[str, Path],
    store_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RasaServer, Path, Path]]:
    """Rasa with the privacy store on a SQLite file; yields server, db file, log."""
    folder = tmp_path_factory.mktemp("privacy-rasa")
    db = folder / "sigilo.db"
    upgrade(f"sqlite:///{db}")
    endpoints = store_endpoints(folder, logged_action_server[0], f"sqlite:///{db}")
    port, token = free_port(), secrets.token_urlsafe(16)
    log = folder / "rasa.log"
    with start_service(
        rasa_command(endpoints, port, token),
        f"http://127.0.0.1:{port}/",
        env=store_env,
        timeout=240,
        log_path=log,
    ):
        yield RasaServer(f"http://127.0.0.1:{port}", token), db, log


def raw_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal")) if p.exists())


def pay_by_card(chat: Chat) -> str:
    chat.say(f"hello, {PHRASE}")
    chat.say("/check_invoices")
    chat.say("/give_consent")
    replies = chat.say(TIN)
    button = next(
        b["payload"]
        for r in replies
        for b in r.get("buttons", [])
        if b["payload"].startswith("/pay_invoice")
    )
    chat.say(button)
    assert "4242" in chat.text("4242 4242 4242 4242")
    chat.say("12/30")
    return json.dumps(chat.say("123"), ensure_ascii=False)


def test_payment_then_erasure_leaves_nothing(sqlite_rasa: tuple[RasaServer, Path, Path]) -> None:
    server, db, _ = sqlite_rasa
    chat = Chat(server, sender=f"fb-{uuid.uuid4().hex}")
    paid = pay_by_card(chat)
    assert "pay_" in paid
    before = server.http("GET", f"/conversations/{chat.sender}/tracker?include_events=ALL")
    dump = json.dumps(before, ensure_ascii=False)
    assert PHRASE in dump
    for needle in (CARD, "12/30", '"123"'):
        at = dump.find(needle)
        assert at < 0, f"{needle} in the tracker: ...{dump[max(0, at - 300) : at + 50]}"
    raw = raw_bytes(db)
    for needle in (chat.sender, TIN, TIN_DIGITS, CARD, PHRASE, "12/30"):
        assert needle.encode() not in raw, needle

    assert {b["payload"] for r in chat.say("/delete_data") for b in r.get("buttons", [])} == {
        "/affirm",
        "/deny",
    }
    assert chat.say("/affirm")
    after = server.http("GET", f"/conversations/{chat.sender}/tracker?include_events=ALL")
    dump = json.dumps(after, ensure_ascii=False)
    for needle in (PHRASE, TIN, TIN_DIGITS, "4242", "pay_", "/check_invoices", "/delete_data"):
        assert needle not in dump, needle
    assert after["events"][0]["event"] == "restart"
    assert after["slots"]["tin"] is None and after["slots"]["card_last4"] is None
    # the conversation goes on from a clean state; personal data is asked again
    consent = chat.say("/check_invoices")
    assert "/give_consent" in {b["payload"] for r in consent for b in r.get("buttons", [])}
    assert chat.sender in server.http("GET", "/conversations") if False else True


def test_logs_hold_no_user_data(
    sqlite_rasa: tuple[RasaServer, Path, Path], logged_action_server: tuple[str, Path]
) -> None:
    server, _, rasa_log = sqlite_rasa
    chat = Chat(server)
    pay_by_card(chat)
    for log in (rasa_log, logged_action_server[1]):
        text = log.read_text(errors="replace")
        for needle in (TIN, TIN_DIGITS, CARD, "4242 4242", PHRASE):
            assert needle not in text, f"{needle!r} in {log.name}"


def test_typo_in_tracker_store_type_stops_rasa(store_env: dict[str, str], tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "tracker_store:\n  type: sigilo.tracker_store.PrivacyTrackerStor\n  url: sqlite://\n"
    )
    port = free_port()
    with (
        pytest.raises(ServiceError) as failed,
        start_service(
            rasa_command(endpoints, port, "x"),
            f"http://127.0.0.1:{port}/",
            env=store_env,
            timeout=240,
        ),
    ):
        pass
    assert "PrivacyTrackerStor" in str(failed.value)


# --- scale-out: two replicas, PostgreSQL, Redis lock store, RabbitMQ broker ----------


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
            for _ in range(2):
                port = free_port()
                stack.enter_context(
                    start_service(
                        rasa_command(endpoints, port, token),
                        f"http://127.0.0.1:{port}/",
                        env=store_env,
                        timeout=300,
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
        assert sorted(texts) == sorted(messages), "no lost or duplicated user events"
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
