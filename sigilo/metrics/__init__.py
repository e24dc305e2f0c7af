"""Anonymous usage metrics that survive erasure, in a database of their own.

Daily counters per channel and language of every button click (the payload's intent,
never its entities) and every feature use (``metrics.yml`` maps Rasa events to feature
names). No sender id, pseudonym, text or exact time is ever stored: a counter is
``(day, channel, language, kind, name) -> count``.

- :mod:`sigilo.metrics.db` — URL (``$SIGILO_METRICS_URL``), engine, Alembic migrations.
- :mod:`sigilo.metrics.store` — atomic ``count = count + n`` upserts and queries.
- :mod:`sigilo.metrics.features` — the YAML mapping, validated with line numbers.
- :mod:`sigilo.metrics.counting` — Rasa events (as dicts) to counters; no Rasa import.
- :mod:`sigilo.metrics.hook` — the privacy tracker store hook that counts each turn.
- :mod:`sigilo.metrics.report` / :mod:`sigilo.metrics.chart` — tables, CSV, PNG.

Importing the package creates nothing (no engine, no thread).
"""

from __future__ import annotations


class MetricsConfigError(ValueError):
    """The metrics configuration is wrong (features file, URL, schema); refuse to start."""
