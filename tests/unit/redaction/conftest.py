"""Helpers for the redaction tests."""

from __future__ import annotations

import pytest

from sigilo.redaction import find


def spans(text: str, types: set[str] | None = None) -> list[tuple[str, str]]:
    """``[(entity type, matched text)]`` for ``text``."""
    return [(f.type, text[f.start : f.end]) for f in find(text, types)]


@pytest.fixture
def found():
    return spans
