"""Sigilo's tracker store under the real Rasa server, through the REST channel.

A full conversation (tax id, card payment) then "delete my data": Rasa's HTTP API
and the raw database show nothing from before; logs hold no secret; a typo in the
tracker store's ``type:`` stops Rasa instead of falling back to memory.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sigilo.tracker_store.db import upgrade
from tests.e2e.conftest import Chat, RasaServer, rest_credentials, store_endpoints
from tests.support.processes import (
    RASA_START_TIMEOUT,
    ServiceError,
    free_port,
    rasa_command,
    repo_env,
    start_service,
)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
TIN = "529.982.247-25"
TIN_DIGITS = "52998224725"
CARD = "4242424242424242"
PHRASE = "zebra orquidea saxofone"


@pytest.fixture(scope="module")
def sqlite_rasa(
    store_action_server: tuple[str, Path],
    store_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RasaServer, Path, Path]]:
    """Rasa with the privacy store on a SQLite file; yields server, db file, log."""
    folder = tmp_path_factory.mktemp("privacy-rasa")
    db = folder / "sigilo.db"
    upgrade(f"sqlite:///{db}")
    endpoints = store_endpoints(folder, store_action_server[0], f"sqlite:///{db}")
    port, token = free_port(), secrets.token_urlsafe(16)
    command = rasa_command(
        port, endpoints=endpoints, credentials=rest_credentials(folder), token=token
    )
    log = folder / "rasa.log"
    with start_service(
        command,
        f"http://127.0.0.1:{port}/",
        env=store_env,
        timeout=RASA_START_TIMEOUT,
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


class RecordingChat(Chat):
    """A chat that remembers what the consumer typed."""

    def __init__(self, server: RasaServer, sender: str) -> None:
        super().__init__(server, sender=sender)
        self.typed: list[str] = []

    def say(self, text: str) -> list[dict[str, Any]]:
        self.typed.append(text)
        return super().say(text)


def _personal_values(chat: RecordingChat, events: list[dict[str, Any]]) -> set[str]:
    """What the consumer typed, the card as typed, every personal slot value the
    conversation set (and the invoice id), the sender id.

    Secret slots are never stored, so their values are taken as typed; the 3-digit
    security code is left out (too short to tell from a port or a time).
    """
    from sigilo.inventory import load_inventory

    values = {text for text in chat.typed if len(text) >= 5 and not text.startswith("/")}
    values |= {TIN_DIGITS, CARD, "4242 4242", "12/30", chat.sender}
    names = {*load_inventory().personal_slots, "invoice_id"}
    for event in events:
        value = event.get("value")
        if event["event"] == "slot" and event["name"] in names and isinstance(value, str):
            values.add(value)
    return {value for value in values if len(value) >= 4}


def test_logs_hold_no_user_text_or_slot_value(
    sqlite_rasa: tuple[RasaServer, Path, Path], store_action_server: tuple[str, Path]
) -> None:
    """Guarantee 11: a full conversation, then every line of every log is scanned.

    The Rasa server (and the store inside it) and a plain ``rasa run actions`` log at
    their default level, INFO.
    """
    server, _, rasa_log = sqlite_rasa
    chat = RecordingChat(server, sender=f"fb-{uuid.uuid4().hex}")
    paid = pay_by_card(chat)
    assert "pay_" in paid
    events = server.http("GET", f"/conversations/{chat.sender}/tracker?include_events=ALL")[
        "events"
    ]
    chat.say("/delete_data")
    chat.say("/affirm")
    needles = _personal_values(chat, events)
    assert {TIN, TIN_DIGITS, "12/30", f"hello, {PHRASE}"} <= needles
    invoice = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "invoice_id"]
    assert any(value and value in needles for value in invoice)  # the invoice being paid
    for log in (rasa_log, store_action_server[1]):
        lines = log.read_text(errors="replace").splitlines()
        assert any(" INFO " in line for line in lines), f"{log.name}: not logging at INFO"
        assert not any(" DEBUG " in line for line in lines), f"{log.name}: DEBUG is on"
        for number, line in enumerate(lines, 1):
            found = sorted(n for n in needles if n in line)
            assert not found, f"{log.name}:{number} holds {found}: {line[:300]}"


def test_typo_in_tracker_store_type_stops_rasa(store_env: dict[str, str], tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "tracker_store:\n  type: sigilo.tracker_store.PrivacyTrackerStor\n  url: sqlite://\n"
    )
    port = free_port()
    with (
        pytest.raises(ServiceError) as failed,
        start_service(
            rasa_command(port, endpoints=endpoints, credentials=rest_credentials(tmp_path)),
            f"http://127.0.0.1:{port}/",
            env=store_env,
            timeout=RASA_START_TIMEOUT,
        ),
    ):
        pass
    assert "PrivacyTrackerStor" in str(failed.value)


def test_importing_the_actions_installs_the_log_filter() -> None:
    """What ``rasa run actions`` does first: import the package; every record after that
    is redacted, whoever logs it."""
    code = (
        "import logging, actions\n"
        "logging.basicConfig(level=logging.INFO, format='%(levelname)s %(message)s')\n"
        "logging.getLogger('rasa_sdk.executor').error('card %s', '4242 4242 4242 4242')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=repo_env(), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ERROR card" in done.stderr and "4242 4242" not in done.stderr
