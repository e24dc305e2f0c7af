"""schemathesis fuzzes the console API from its OpenAPI document: no answer may be a 5xx.

schemathesis runs from its own venv (``make test-deps``: its pins clash with Rasa's),
against the real service on a SQLite database holding a stored conversation.
"""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sigilo.console.roles import Role
from sigilo.console.service import Console
from sigilo.metrics.db import make_engine
from sigilo.metrics.store import CounterKey, MetricsStore
from tests.integration.console.conftest import conversation, save
from tests.integration.console.http_support import console_server
from tests.support.services import in_ci

ROOT = Path(__file__).resolve().parents[3]
SCHEMATHESIS = ROOT / "var" / "venv-schemathesis" / "bin" / "schemathesis"

pytestmark = pytest.mark.slow


@pytest.fixture
def tool() -> Path:
    if not SCHEMATHESIS.exists():
        message = f"{SCHEMATHESIS} missing: run `make test-deps`"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return SCHEMATHESIS


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_no_server_errors(
    tool: Path, database: Any, metrics_url: str, console: Console, store: Any, tmp_path: Path
) -> None:
    await save(store, "fuzzed-consumer", conversation("oi"))
    engine = make_engine(metrics_url)
    MetricsStore(engine).add({CounterKey(date.today(), "rest", "pt", "click", "menu_pix"): 2})
    engine.dispose()
    operator, _ = console.auth.create("schemathesis-admin-operator", Role.ADMIN, "x" * 8 + "Y1!z")
    token = console.auth.issue(operator).token
    with console_server(database.url, metrics_url) as server:
        done = subprocess.run(
            [
                str(tool),
                "run",
                f"{server.url}/api/v1/openapi.json",
                "--checks",
                "not_a_server_error",
                "--header",
                f"Authorization: Bearer {token}",
                "--exclude-operation-id",
                "delete_session",  # would sign the fuzzer itself out
                "--max-examples",
                "40",
                "--phases",
                "examples,coverage,fuzzing",
                "--workers",
                "1",
                "--seed",
                "7",
                "--request-timeout",
                "20",
                "--generation-database",
                "none",
                "--no-color",
                "--report",
                "junit",
                "--report-dir",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=900,
            cwd=tmp_path,
        )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    assert "Tested: 15" in output and "Fuzzing" in output, output[-6000:]
    assert console.audit.verify().ok
