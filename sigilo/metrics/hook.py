"""The tracker store hook that counts every stored turn, off the conversation's path.

Registered in :func:`sigilo.tracker_store.hooks.build_hooks`. ``after_save`` sees each
stored event exactly once; it turns the turn into counters (:mod:`counting`) and hands
them to a writer thread, so the consumer never waits for the metrics database. A batch
that cannot be written (database down, not migrated) is dropped with a warning that
holds no content — a count lost, never a conversation broken — and the writer waits
``retry_seconds`` before trying again (one warning per wait, whatever the traffic).

Options (``tracker_store:`` section of ``endpoints.yml``, else the environment):

- ``metrics_url`` / ``$SIGILO_METRICS_URL`` — the metrics database; empty: the default
  SQLite file ``var/metrics.db``; ``off``: no metrics. Neither given: no metrics (a
  store built without configuration, as in tests, counts nothing).
- ``metrics_features`` / ``$SIGILO_METRICS_FEATURES`` — the features file
  (default ``metrics.yml``), validated here: an error stops Rasa, naming the line.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy.exc

from sigilo.metrics import MetricsConfigError
from sigilo.metrics.counting import count_turn
from sigilo.metrics.db import (
    URL_ENV,
    MetricsSchemaError,
    check_schema,
    describe,
    is_off,
    make_engine,
)
from sigilo.metrics.features import PATH_ENV, FeatureMap, load_features
from sigilo.metrics.store import CounterKey, MetricsStore
from sigilo.tracker_store.hooks import StoredTurn, StoreHook

logger = logging.getLogger(__name__)


class MetricsHook(StoreHook):
    """Counts clicks and feature uses of each committed turn into a :class:`MetricsStore`."""

    def __init__(
        self,
        store: MetricsStore,
        features: FeatureMap,
        retry_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Keeps the store and the mapping; the writer thread starts on the first count."""
        self.store = store
        self.features = features
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._pending: Counter[CounterKey] = Counter()
        self._lock = threading.Condition()
        self._writing = False
        self._retry_at = 0.0
        self._thread: threading.Thread | None = None
        self.lost = 0  # counts dropped since start (tests and operators read it)

    # --- StoreHook ---------------------------------------------------------------------

    def after_save(self, tracker: Any, new_events: Sequence[Any], turn: StoredTurn) -> None:
        """Counts the turn's events and queues the counters (never blocks on the database)."""
        fresh = {id(event) for event in new_events}
        earlier = [event for event in tracker.events if id(event) not in fresh]
        counts = count_turn(earlier, new_events, self.features)
        if not counts:
            return
        with self._lock:
            self._pending.update(counts)
            self._start_writer()
            self._lock.notify_all()

    # --- writer ------------------------------------------------------------------------

    def _start_writer(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._run, name="sigilo-metrics-writer", daemon=True
            )
            self._thread.start()
            atexit.register(self.flush, 5.0)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._pending:
                    self._lock.wait()
                wait = self._retry_at - self._clock()
                if wait > 0:
                    self._lock.wait(wait)
                    continue
                batch, self._pending = self._pending, Counter()
                self._writing = True
            self._write(batch)
            with self._lock:
                self._writing = False
                self._lock.notify_all()

    def _write(self, batch: Counter[CounterKey]) -> None:
        try:
            self.store.add(batch)
        except sqlalchemy.exc.SQLAlchemyError as exc:
            # the type only: a driver message may quote the statement and its values
            lost = sum(batch.values())
            self.lost += lost
            self._retry_at = self._clock() + self.retry_seconds
            logger.warning(
                "metrics store unavailable (%s): %d count(s) lost; next try in %.0f s",
                type(exc).__name__,
                lost,
                self.retry_seconds,
            )

    def flush(self, timeout: float = 10.0) -> bool:
        """Waits until every queued count is written or dropped; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._pending or self._writing:
                if self._thread is None or not self._thread.is_alive():
                    return not self._pending
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                if self._retry_at > self._clock() and not self._writing:
                    return False  # waiting out a failure: nothing will be written now
                self._lock.wait(min(left, 0.1))
        return True


def _option(config: dict[str, Any], key: str, env: str) -> tuple[bool, str | None]:
    """``(given, value)`` from the endpoints options, else the environment."""
    if key in config:
        value = config[key]
        return True, None if value is None else str(value).strip()
    if env in os.environ:
        return True, os.environ[env].strip()
    return False, None


def metrics_hook(config: dict[str, Any]) -> MetricsHook | None:
    """The hook configured by the tracker store's options, or ``None`` when metrics are off.

    Raises:
        MetricsConfigError: the features file is invalid, the URL unusable, or the
            database reachable but not migrated (``sigilo metrics db upgrade``).
    """
    given, url = _option(config, "metrics_url", URL_ENV)
    if not given or (url and is_off(url)):
        return None
    _, features_path = _option(config, "metrics_features", PATH_ENV)
    features = load_features(features_path or None)
    try:
        engine = make_engine(url or None)
    except (sqlalchemy.exc.ArgumentError, ImportError, ValueError, OSError) as exc:
        raise MetricsConfigError(f"metrics store: bad {URL_ENV}: {type(exc).__name__}") from None
    try:
        check_schema(engine)
    except MetricsSchemaError as exc:
        raise MetricsConfigError(f"metrics store: {exc}") from None
    except sqlalchemy.exc.SQLAlchemyError as exc:
        # away at start: the conversation must not depend on it; counts are lost until back
        logger.warning(
            "metrics store %s unreachable at start (%s): counts are lost until it is back",
            describe(url or None),
            type(exc).__name__,
        )
    retry = float(config.get("metrics_retry_seconds", 10.0))
    logger.info("Sigilo metrics on %s (%s)", engine.url.get_backend_name(), features.path.name)
    return MetricsHook(MetricsStore(engine), features, retry_seconds=retry)
