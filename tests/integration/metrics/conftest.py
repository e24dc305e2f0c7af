"""Fixtures of the metrics tests: a migrated metrics database and a migrated tracker
store database per test, both on SQLite (files) or both on PostgreSQL (schemas of their
own), and fresh store keys."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sigilo import keys
from sigilo.metrics.db import make_engine
from sigilo.metrics.db import upgrade as metrics_upgrade
from sigilo.tracker_store.db import upgrade as store_upgrade
from tests.support.services import POSTGRES_URL, require

ROOT = Path(__file__).resolve().parents[3]
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@dataclass
class Databases:
    """The metrics database and the tracker store database of one test."""

    backend: str
    metrics_url: str
    store_url: str
    metrics_path: Path | None = None

    def metrics_dump(self) -> bytes:
        """Every byte the metrics database holds: the SQLite files, or every row."""
        if self.metrics_path is not None:
            parts = [self.metrics_path, Path(f"{self.metrics_path}-wal")]
            return b"".join(p.read_bytes() for p in parts if p.exists())
        return self.metrics_rows_text()

    def metrics_rows_text(self) -> bytes:
        """Every row of every metrics table, as text, one line per row."""
        engine = make_engine(self.metrics_url)
        chunks = []
        with engine.connect() as conn:
            for table in sa.inspect(conn).get_table_names():
                for row in conn.execute(sa.text(f"SELECT * FROM {table}")):
                    chunks.append("|".join(str(value) for value in row).encode())
        engine.dispose()
        return b"\n".join(chunks)


def _schema_url(schema: str) -> str:
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def dbs(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Databases]:
    """Migrated metrics and tracker store databases on one backend."""
    if request.param == "sqlite":
        metrics, store = tmp_path / "metrics.db", tmp_path / "sigilo.db"
        metrics_upgrade(f"sqlite:///{metrics}")
        store_upgrade(f"sqlite:///{store}")
        yield Databases("sqlite", f"sqlite:///{metrics}", f"sqlite:///{store}", metrics)
        return
    require("postgres")
    suffix = uuid.uuid4().hex[:10]
    schemas = [f"sigilo_metrics_test_{suffix}", f"sigilo_store_test_{suffix}"]
    admin = sa.create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for schema in schemas:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        urls = [_schema_url(schema) for schema in schemas]
        metrics_upgrade(urls[0])
        store_upgrade(urls[1])
        yield Databases("postgres", urls[0], urls[1])
    finally:
        with admin.connect() as conn:
            for schema in schemas:
                conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(autouse=True)
def store_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fresh store keys; no metrics settings leak in from the environment."""
    monkeypatch.delenv(keys.KEY_FILE, raising=False)
    monkeypatch.setenv(keys.ENCRYPTION_KEYS, f"k1:{keys.new_key()}")
    monkeypatch.setenv(keys.PSEUDONYM_KEY, keys.new_key())
    monkeypatch.delenv("SIGILO_METRICS_URL", raising=False)
    monkeypatch.delenv("SIGILO_METRICS_FEATURES", raising=False)


@pytest.fixture(scope="session")
def domain() -> Any:
    """The assistant's domain."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain"))
