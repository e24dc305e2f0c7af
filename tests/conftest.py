"""Fixtures shared by every suite. Helpers live in ``tests/support``; keep this file thin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from actions.company_api import CompanyApiClient
from tests.support.company_api import CompanyApiService, run_company_api

# --- demo company API -------------------------------------------------------------------


@pytest.fixture(scope="session")
def company_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompanyApiService]:
    """The demo API as a real subprocess (free port, temp SQLite, random token).

    Shared by the whole session: treat its data as read-only, or use
    ``private_company_api`` to pay invoices and change data.
    """
    with run_company_api(tmp_path_factory.mktemp("company-api") / "company.db") as api:
        yield api


@pytest.fixture(scope="module")
def private_company_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompanyApiService]:
    """A fresh demo API for one test module, for tests that change data."""
    with run_company_api(tmp_path_factory.mktemp("company-api-private") / "company.db") as api:
        yield api


@pytest.fixture
def company_api_client(company_api: CompanyApiService) -> Iterator[CompanyApiClient]:
    """A :class:`CompanyApiClient` pointed at the shared demo API."""
    client = CompanyApiClient(company_api.settings())
    yield client
    client.close()
