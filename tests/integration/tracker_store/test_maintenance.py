"""Retention sweep, key rotation with re-encryption, the CLI and the start-up check."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from sigilo import keys
from sigilo.cli.main import main as cli
from sigilo.tracker_store.check import EndpointsError, check_endpoints
from sigilo.tracker_store.db import make_engine
from sigilo.tracker_store.maintenance import SECONDS_PER_MONTH, reencrypt, sweep
from sigilo.tracker_store.schema import events
from tests.integration.tracker_store.test_store import make_store, user

DAY = 86400.0


def session(at: float, text: str) -> list[Any]:
    evts = [ActionExecuted("action_session_start"), SessionStarted(), user(text)]
    for offset, event in enumerate(evts):
        event.timestamp = at + offset
    return evts


async def test_retention_deletes_old_sessions_only(database: Any, domain: Any) -> None:
    store = make_store(database, domain)
    now = time.time()
    old = now - 8 * SECONDS_PER_MONTH
    # a consumer with an old session and a current one; another only old; a third
    # whose latest session started long ago but is still active (message today)
    both = session(old, "old one") + session(now - DAY, "recent one")
    active = session(old, "long session")
    active.append(user("still talking"))
    for sender, evts in (("both", both), ("gone", session(old, "bye")), ("active", active)):
        await store.save(DialogueStateTracker.from_events(sender, evts, domain.slots))
    lines: list[str] = []
    result = sweep(make_engine(database.url), 6, batch_size=1, progress=lines.append)
    assert (result.sessions, result.events, result.senders) == (2, 6, 1)
    assert len(lines) >= 2 and "session(s)" in lines[-1]
    full = await store.retrieve_full_tracker("both")
    assert [e.text for e in full.events if hasattr(e, "text") and e.text] == ["recent one"]
    assert await store.retrieve("gone") is None
    assert len((await store.retrieve_full_tracker("active")).events) == 4
    assert sorted(await store.keys()) == ["active", "both"]


async def test_rotation_and_reencrypt(database: Any, domain: Any, monkeypatch: Any) -> None:
    old_ring = keys.KeyRing.from_env()
    store = make_store(database, domain)
    await store.save(
        DialogueStateTracker.from_events("a", session(time.time(), "hi"), domain.slots)
    )
    new = f"k2:{keys.new_key()}"
    old = base64.urlsafe_b64encode(old_ring.primary).decode()
    monkeypatch.setenv(keys.ENCRYPTION_KEYS, f"{new},{old_ring.primary_id}:{old}")
    rotated = make_store(database, domain)
    tracker = await rotated.retrieve("a")  # old rows still decrypt
    tracker.update(user("after rotation"))
    await rotated.save(tracker)
    engine = make_engine(database.url)
    with engine.connect() as conn:
        ids = conn.execute(sa.select(events.c.key_id)).scalars().all()
    assert set(ids) == {"k1", "k2"}
    lines: list[str] = []
    result = reencrypt(engine, keys.KeyRing.from_env(), batch_size=2, progress=lines.append)
    assert result.events == 3 and result.senders == 1 and not result.unreadable
    assert lines[-1] == "re-encrypt: 3/3 event(s)"
    monkeypatch.setenv(keys.ENCRYPTION_KEYS, new)  # the old key can now go
    assert len((await make_store(database, domain).retrieve_full_tracker("a")).events) == 4


def test_cli_db_upgrade_retention_and_keys(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert cli(["db", "current", "--url", url]) == 1
    assert cli(["db", "upgrade", "--url", url]) == 0
    assert cli(["db", "current", "--url", url]) == 0
    assert cli(["retention", "--url", url, "--months", "6"]) == 0
    assert "deleted 0 session(s)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli(["retention", "--url", url, "--months", "40"])
    key_file = tmp_path / "keys" / "sigilo.keys"
    monkeypatch.delenv(keys.ENCRYPTION_KEYS)
    assert cli(["keys", "init", "--file", str(key_file)]) == 0
    assert cli(["keys", "rotate", "--file", str(key_file)]) == 0
    monkeypatch.setenv(keys.KEY_FILE, str(key_file))
    assert cli(["keys", "reencrypt", "--url", url]) == 0
    assert "re-encrypted 0 event(s)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("action_endpoint:\n  url: x\n", "no tracker_store configured"),
        ("tracker_store:\n  type: sql\n", "stock stores"),
        ("tracker_store:\n  type: sigilo.traker_store.PrivacyTrackerStore\n", "cannot be loaded"),
        ("tracker_store:\n  type: sigilo.tracker_store.PrivacyTrackerStor\n", "cannot be loaded"),
        ("tracker_store:\n  type: sigilo.inventory.Inventory\n", "not a Rasa TrackerStore"),
    ],
)
def test_endpoints_check_refuses_what_rasa_would_swallow(
    tmp_path: Path, body: str, message: str
) -> None:
    path = tmp_path / "endpoints.yml"
    path.write_text(body)
    with pytest.raises(EndpointsError, match=message):
        check_endpoints(path)
    assert cli(["db", "check-endpoints", str(path)]) == 1


def test_repository_endpoints_file_is_valid() -> None:
    root = Path(__file__).resolve().parents[3]
    assert check_endpoints(root / "endpoints.yml") == "sigilo.tracker_store.PrivacyTrackerStore"
