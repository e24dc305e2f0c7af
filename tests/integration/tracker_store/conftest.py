"""Fixtures of the privacy tracker store tests: a migrated database per test on
SQLite (a file) and PostgreSQL (a schema of its own), keys, and the domain."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sigilo import keys
from sigilo.tracker_store.db import make_engine, upgrade
from tests.support.services import POSTGRES_URL, require

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Database:
    """A migrated database for one test."""

    backend: str
    url: str
    path: Path | None = None  # the SQLite file
    schema: str | None = None  # the PostgreSQL schema

    def raw_dump(self) -> bytes:
        """Every byte the database holds for the store: file bytes or all rows as text."""
        if self.path is not None:
            parts = [self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-journal")]
            return b"".join(p.read_bytes() for p in parts if p.exists())
        engine = make_engine(self.url)
        chunks: list[bytes] = []
        with engine.connect() as conn:
            for table in ("sigilo_senders", "sigilo_events"):
                for row in conn.execute(sa.text(f"SELECT * FROM {table}")):
                    for value in row:
                        chunks.append(
                            bytes(value)
                            if isinstance(value, (bytes, memoryview))
                            else str(value).encode()
                        )
        engine.dispose()
        return b"\n".join(chunks)


def _postgres_schema_url(schema: str) -> str:
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A freshly migrated store database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "sigilo.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield Database("sqlite", url, path=path)
        return
    require("postgres")
    schema = f"sigilo_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = _postgres_schema_url(schema)
    try:
        upgrade(url)
        yield Database("postgres", url, schema=schema)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(autouse=True)
def store_keys(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Fresh keys in the environment for each test."""
    values = {
        keys.ENCRYPTION_KEYS: f"k1:{keys.new_key()}",
        keys.PSEUDONYM_KEY: keys.new_key(),
    }
    monkeypatch.delenv(keys.KEY_FILE, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture(scope="session")
def domain() -> Any:
    """The assistant's domain."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain"))
