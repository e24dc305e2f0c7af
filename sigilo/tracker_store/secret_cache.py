"""Secret slot values kept only in this process's memory, for a short time.

A card form spans several turns: the number typed in one turn is needed when the
security code arrives. The store never writes it; it keeps it here, keyed by the
event's identity, until the slot is cleared, the conversation is erased, or the
time-to-live passes (then the form asks again).
"""

from __future__ import annotations

import threading
import time
from typing import Any

Key = tuple[str, int, int]


class SecretCache:
    """A small TTL map ``(pseudonym, generation, seq) -> (slot, value)``."""

    def __init__(self, ttl_seconds: float = 900.0, max_items: int = 10_000) -> None:
        """Values live ``ttl_seconds``; at most ``max_items`` are kept."""
        self.ttl = ttl_seconds
        self.max_items = max_items
        self._items: dict[Key, tuple[str, Any, float]] = {}
        self._lock = threading.Lock()

    def put(self, key: Key, slot: str, value: Any) -> None:
        """Remembers a secret slot value."""
        with self._lock:
            self._expire()
            if len(self._items) >= self.max_items:
                self._items.pop(next(iter(self._items)))
            self._items[key] = (slot, value, time.monotonic() + self.ttl)

    def get(self, key: Key) -> Any:
        """The value, or None when unknown or expired."""
        with self._lock:
            item = self._items.get(key)
            if item is None or item[2] < time.monotonic():
                return None
            return item[1]

    def forget(self, pseudonym: str, slot: str | None = None) -> None:
        """Drops a consumer's values (one slot, or all)."""
        with self._lock:
            for key in [
                k
                for k, (name, _, _) in self._items.items()
                if k[0] == pseudonym and slot in (None, name)
            ]:
                del self._items[key]

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, item in self._items.items() if item[2] < now]:
            del self._items[key]

    def __len__(self) -> int:
        """Number of values held."""
        return len(self._items)
