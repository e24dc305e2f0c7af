"""The PNG chart: clicks per button per day (a heat map) and feature use per channel.

matplotlib comes with Rasa; the Agg backend draws without a display. It is imported
when a chart is drawn, never at import.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from sigilo.metrics.schema import KIND_CLICK, KIND_FEATURE
from sigilo.metrics.store import CounterRow

MAX_BUTTONS = 30  # more rows than this are summed into "other buttons"
ANNOTATE_CELLS = 600  # numbers in the cells up to this many cells


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _clicks(rows: list[CounterRow], days: list[date]) -> tuple[list[str], list[list[int]]]:
    per_name: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        if row.key.kind == KIND_CLICK:
            per_name[row.key.name][row.key.day] += row.count
    names = sorted(per_name, key=lambda n: (-sum(per_name[n].values()), n))
    if len(names) > MAX_BUTTONS:
        rest = names[MAX_BUTTONS - 1 :]
        other: dict[date, int] = defaultdict(int)
        for name in rest:
            for day, count in per_name[name].items():
                other[day] += count
        names = [*names[: MAX_BUTTONS - 1], f"other buttons ({len(rest)})"]
        per_name[names[-1]] = other
    matrix = [[per_name[name].get(day, 0) for day in days] for name in names]
    return names, matrix


def _features(rows: list[CounterRow]) -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        if row.key.kind == KIND_FEATURE:
            counts[(row.key.name, row.key.channel)] += row.count
    totals: dict[str, int] = defaultdict(int)
    for (name, _), count in counts.items():
        totals[name] += count
    names = sorted(totals, key=lambda n: (-totals[n], n))
    channels = sorted({channel for _, channel in counts})
    return names, channels, counts


def _heatmap(axis: Any, fig: Any, names: list[str], matrix: list[list[int]], days: list[date]):
    if not names:
        axis.text(0.5, 0.5, "no button clicks in this range", ha="center", va="center")
        axis.set_axis_off()
        return
    image = axis.imshow(matrix, aspect="auto", cmap="Blues", interpolation="nearest")
    totals = [sum(row) for row in matrix]
    axis.set_yticks(range(len(names)))
    axis.set_yticklabels([f"{n}  ({t})" for n, t in zip(names, totals, strict=True)])
    step = max(1, len(days) // 20)
    ticks = list(range(0, len(days), step))
    axis.set_xticks(ticks)
    labels = [days[i].strftime("%b %d") for i in ticks]
    if len(days) > 7:
        axis.set_xticklabels(labels, rotation=45, ha="right")
    else:
        axis.set_xticklabels(labels)
    peak = max(max(row) for row in matrix) or 1
    if len(names) * len(days) <= ANNOTATE_CELLS:
        for y, row in enumerate(matrix):
            for x, count in enumerate(row):
                if count:
                    color = "white" if count > peak * 0.6 else "black"
                    axis.text(x, y, str(count), ha="center", va="center", fontsize=8, color=color)
    fig.colorbar(image, ax=axis, label="clicks", fraction=0.03, pad=0.01)


def _bars(axis: Any, names: list[str], channels: list[str], counts: dict[tuple[str, str], int]):
    if not names:
        axis.text(0.5, 0.5, "no feature use in this range", ha="center", va="center")
        axis.set_axis_off()
        return
    height = 0.8 / max(1, len(channels))
    colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#7f7f7f"]
    for index, channel in enumerate(channels):
        values = [counts.get((name, channel), 0) for name in names]
        offsets = [y - 0.4 + height * (index + 0.5) for y in range(len(names))]
        bars = axis.barh(
            offsets, values, height=height, label=channel, color=colors[index % len(colors)]
        )
        axis.bar_label(bars, labels=[str(v) if v else "" for v in values], padding=2, fontsize=8)
    axis.set_yticks(range(len(names)))
    axis.set_yticklabels(names)
    axis.invert_yaxis()
    axis.set_xlabel("uses")
    axis.legend(title="channel", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axis.margins(x=0.1)


def draw_chart(rows: Iterable[CounterRow], start: date, end: date, path: Path | BinaryIO) -> None:
    """Writes the two-panel PNG chart of the counters from ``start`` to ``end``.

    ``path``: a file name (the CLI) or a binary file object (the console).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(rows)
    days = _days(start, end)
    buttons, matrix = _clicks(rows, days)
    features, channels, counts = _features(rows)
    top = max(2.5, 0.35 * len(buttons) + 1.5)
    bottom = max(2.5, 0.3 * len(features) * max(1, len(channels)) ** 0.5 + 1.5)
    width = min(24.0, max(11.0, 5.0 + 0.35 * len(days)))
    fig, (clicks_axis, features_axis) = plt.subplots(
        2, 1, figsize=(width, top + bottom), gridspec_kw={"height_ratios": [top, bottom]}
    )
    fig.suptitle(f"Sigilo metrics, {start} to {end}", fontsize=14, fontweight="bold")
    _heatmap(clicks_axis, fig, buttons, matrix, days)
    clicks_axis.set_title("Button clicks per button per day", loc="left")
    _bars(features_axis, features, channels, counts)
    features_axis.set_title("Feature use per channel", loc="left")
    fig.tight_layout()
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)
