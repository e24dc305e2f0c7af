"""The metrics table, for queries (the migrations in ``migrations/metrics`` create it).

One row per ``(day, channel, language, kind, name)``: nothing that identifies a
consumer, no text, no time finer than a day.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

KIND_CLICK = "click"
KIND_FEATURE = "feature"
KINDS = (KIND_CLICK, KIND_FEATURE)

daily_counts = sa.Table(
    "sigilo_metric_daily_counts",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("channel", sa.String(32), primary_key=True),
    sa.Column("language", sa.String(16), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("name", sa.String(80), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)
