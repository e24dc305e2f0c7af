"""The retention period setting and the record of retention sweeps."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sigilo.console.index import rebuild_after_retention
from sigilo.console.schema import retention_runs, settings
from sigilo.tracker_store.maintenance import Progress, SweepResult, sweep
from sigilo.tracker_store.schema import events

PERIOD_SETTING = "retention_months"


def check_months(value: Any) -> int:
    """``value`` as a number of months, 1 to 36; raises ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("retention: a whole number of months, 1 to 36")
    try:
        months = int(str(value).strip())
    except ValueError:
        raise ValueError("retention: a whole number of months, 1 to 36") from None
    if not 1 <= months <= 36:
        raise ValueError(f"retention must be 1 to 36 months, not {months}")
    return months


def stored_period(engine: Engine) -> int | None:
    """The period set by an operator, or None when never set."""
    with engine.connect() as conn:
        value = conn.execute(
            sa.select(settings.c.value).where(settings.c.name == PERIOD_SETTING)
        ).scalar_one_or_none()
    return int(value) if value is not None else None


def set_period(engine: Engine, months: int) -> int:
    """Stores the period (1 to 36 months)."""
    months = check_months(months)
    with engine.begin() as conn:
        done = conn.execute(
            sa.update(settings).where(settings.c.name == PERIOD_SETTING).values(value=str(months))
        ).rowcount
        if not done:
            conn.execute(sa.insert(settings).values(name=PERIOD_SETTING, value=str(months)))
    return months


def run_sweep(
    engine: Engine,
    months: int,
    started_by: str,
    batch_size: int = 500,
    progress: Progress | None = None,
) -> SweepResult:
    """The store's retention sweep, then the search index brought in line, then recorded."""
    started = time.time()
    result = sweep(engine, months, batch_size=batch_size, progress=progress)
    with engine.begin() as conn:
        rebuild_after_retention(conn, events)
        conn.execute(
            sa.insert(retention_runs).values(
                started_at=started,
                seconds=result.seconds,
                months=months,
                sessions=result.sessions,
                events=result.events,
                senders=result.senders,
                started_by=started_by[:64],
            )
        )
    return result


def last_runs(engine: Engine, limit: int = 10) -> list[dict[str, Any]]:
    """The latest sweeps, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(retention_runs).order_by(retention_runs.c.id.desc()).limit(limit)
        ).all()
    return [
        {
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(r.started_at)),
            "seconds": round(r.seconds, 3),
            "months": r.months,
            "sessions": r.sessions,
            "events": r.events,
            "senders": r.senders,
            "started_by": r.started_by,
        }
        for r in rows
    ]
