"""Run the demo company API (``python -m client_api``) as a real subprocess for tests."""

from __future__ import annotations

import contextlib
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from actions.company_api import CompanyApiSettings
from tests.support.processes import RunningService, free_port, repo_env, start_service


@dataclass(frozen=True)
class CompanyApiService:
    """A running demo API: base URL, bearer token, SQLite file."""

    url: str
    token: str = field(repr=False)
    db_path: Path
    service: RunningService = field(repr=False, compare=False)

    def settings(self, timeout: float = 3.0) -> CompanyApiSettings:
        """Client settings pointing at this instance."""
        return CompanyApiSettings(url=self.url, token=self.token, timeout=timeout)

    def db_bytes(self) -> bytes:
        """Raw bytes of the database and its journal files (for "never stored" checks)."""
        paths = [self.db_path, *self.db_path.parent.glob(self.db_path.name + "-*")]
        return b"".join(p.read_bytes() for p in paths if p.is_file())


@contextlib.contextmanager
def run_company_api(db_path: Path, timeout: float = 20.0) -> Iterator[CompanyApiService]:
    """Start the demo API on a free loopback port with a random token; stop it afterwards."""
    port = free_port()
    token = secrets.token_urlsafe(24)
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "client_api", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--db", str(db_path)]
    env = repo_env({"SIGILO_COMPANY_API_TOKEN": token})
    with start_service(cmd, f"{url}/health", env=env, timeout=timeout) as service:
        yield CompanyApiService(url=url, token=token, db_path=db_path, service=service)
