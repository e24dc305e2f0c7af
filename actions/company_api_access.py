"""Lazily built company-API client shared by the actions of one process.

The client (and its HTTP session) is created on first use, never at import,
so importing the action package has no side effects and tests can point the
settings at a demo API started for them.
"""

from __future__ import annotations

from functools import lru_cache

from actions.company_api import CompanyApiClient, CompanyApiSettings


@lru_cache(maxsize=1)
def company_api() -> CompanyApiClient:
    """Returns this process's client, configured from the environment."""
    return CompanyApiClient(CompanyApiSettings.from_env())


def reset_company_api() -> None:
    """Forgets the client so the next call re-reads the environment (tests)."""
    company_api.cache_clear()
