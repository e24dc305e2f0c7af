"""Availability of the local PostgreSQL, Redis and RabbitMQ servers for tests.

In CI (``CI=true``) a missing service fails the test; elsewhere it skips with the
reason, so a laptop without PostgreSQL still runs the rest of the suite.
"""

from __future__ import annotations

import os
import socket

import pytest

SERVICES = {
    "postgres": ("127.0.0.1", 5432),
    "redis": ("127.0.0.1", 6379),
    "rabbitmq": ("127.0.0.1", 5672),
}
POSTGRES_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


def in_ci() -> bool:
    """True when running in CI, where every service must be there."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require(name: str) -> None:
    """Fails (CI) or skips (elsewhere) unless the service accepts TCP connections."""
    host, port = SERVICES[name]
    try:
        with socket.create_connection((host, port), timeout=2):
            return
    except OSError as exc:
        message = f"{name} not reachable at {host}:{port} ({exc.strerror or exc})"
    if in_ci():
        pytest.fail(f"{message}; CI=true requires it", pytrace=False)
    pytest.skip(f"{message}; start it or run in CI")
