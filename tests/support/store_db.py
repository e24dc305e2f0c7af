"""A migrated privacy-tracker-store database on SQLite for tests that run Rasa.

Gives the environment (fresh keys) Rasa must run with, the ``endpoints.yml``
lines naming the store, and two ways to look at what was really stored: the raw
bytes of the file (what a dump shows) and the decrypted events of a sender.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sigilo import keys
from sigilo.tracker_store.db import make_engine, upgrade
from sigilo.tracker_store.repository import Repository


@dataclass
class StoreDb:
    """One SQLite store database and its keys."""

    path: Path
    env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls, folder: Path) -> StoreDb:
        """Migrates a new database in ``folder`` with fresh keys."""
        db = cls(
            folder / "sigilo.db",
            {
                keys.ENCRYPTION_KEYS: f"test:{keys.new_key()}",
                keys.PSEUDONYM_KEY: keys.new_key(),
                "SIGILO_PRIVACY_MODE": "true",
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            },
        )
        upgrade(db.url)
        return db

    @property
    def url(self) -> str:
        """The SQLAlchemy URL."""
        return f"sqlite:///{self.path}"

    def endpoints_yaml(self) -> str:
        """The ``tracker_store:`` section of ``endpoints.yml``."""
        return (
            "tracker_store:\n  type: sigilo.tracker_store.PrivacyTrackerStore\n"
            f"  url: {self.url}\n  privacy_mode: true\n"
        )

    def raw(self) -> bytes:
        """Every byte of the database file and its WAL."""
        parts = (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-journal"))
        return b"".join(part.read_bytes() for part in parts if part.exists())

    def events(self, sender_id: str) -> list[dict[str, Any]]:
        """The decrypted stored events of every session of ``sender_id`` (empty if none)."""
        engine = make_engine(self.url)
        try:
            repository = Repository(
                engine, keys.KeyRing.from_env(self.env), keys.pseudonym_key(self.env)
            )
            loaded = repository.load(sender_id, all_sessions=True)
        finally:
            engine.dispose()
        return [stored.data for stored in loaded[1]] if loaded else []

    def dump(self, sender_id: str) -> str:
        """The decrypted stored events of ``sender_id`` as one JSON text."""
        return json.dumps(self.events(sender_id), ensure_ascii=False)
