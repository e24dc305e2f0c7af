"""``metrics.yml``: which Rasa events count as which feature, for conversation designers.

Validated when the tracker store starts (and by ``sigilo metrics check``), with errors
that name the file and line::

    features:
      invoices_checked:
        - action: action_check_invoices      # an action was executed
      payment_made:
        - response: utter_payment_succeeded  # the bot sent this response
      consent_given:
        - slot: consent_given                # a slot was set (to this value)
          value: true
      menu_opened:
        - intent: [open_menu, greet]         # the consumer's message had this intent
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from sigilo.metrics import MetricsConfigError

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATH = ROOT / "metrics.yml"
PATH_ENV = "SIGILO_METRICS_FEATURES"
MATCHERS = ("intent", "action", "response", "slot")
SETTINGS = ("version", "timezone", "language_slot", "languages", "channels", "features")
# Names end up in the metrics database: identifiers only, never free text.
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
FEATURE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
CHANNEL_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class SlotRule:
    """A slot event that counts: any non-empty value, or exactly ``value``."""

    feature: str
    any_value: bool
    value: Any = None

    def matches(self, value: Any) -> bool:
        """Whether a slot set to ``value`` counts."""
        if self.any_value:
            return value is not None
        if isinstance(value, bool) or isinstance(self.value, bool):
            return value is self.value  # true must not match 1, nor "true"
        return value == self.value


@dataclass(frozen=True)
class FeatureMap:
    """The validated mapping, indexed by what the counter looks at."""

    path: Path
    timezone: str = "UTC"
    language_slot: str = "language"
    languages: tuple[str, ...] = ("es", "pt", "en")
    channels: tuple[str, ...] = ("rest", "socketio", "facebook")
    features: tuple[str, ...] = ()
    intents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    actions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    responses: dict[str, tuple[str, ...]] = field(default_factory=dict)
    slots: dict[str, tuple[SlotRule, ...]] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        """The time zone whose calendar days the counters use."""
        return ZoneInfo(self.timezone)


def _fail(path: Path, node: yaml.Node, message: str) -> MetricsConfigError:
    return MetricsConfigError(f"{path}:{node.start_mark.line + 1}: {message}")


def _text(path: Path, node: yaml.Node, what: str, pattern: re.Pattern[str] = NAME) -> str:
    if not isinstance(node, yaml.ScalarNode) or not pattern.match(str(node.value)):
        shown = node.value if isinstance(node, yaml.ScalarNode) else "a list or mapping"
        raise _fail(
            path, node, f"{what} must be a name like 'action_check_invoices', not {shown!r}"
        )
    return str(node.value)


def _names(path: Path, node: yaml.Node, what: str, pattern: re.Pattern[str] = NAME) -> list[str]:
    """One name or a list of names."""
    if isinstance(node, yaml.SequenceNode):
        if not node.value:
            raise _fail(path, node, f"{what}: the list is empty")
        return [_text(path, item, what, pattern) for item in node.value]
    return [_text(path, node, what, pattern)]


def _rule(path: Path, feature: str, node: yaml.Node, into: dict[str, dict[str, list[Any]]]) -> None:
    if not isinstance(node, yaml.MappingNode):
        raise _fail(
            path, node, f"'{feature}': each entry is a mapping such as '- action: action_name'"
        )
    fields: dict[str, yaml.Node] = {}
    for key, value in node.value:
        if key.value in fields:
            raise _fail(path, key, f"'{feature}': '{key.value}' given twice in one entry")
        if key.value not in (*MATCHERS, "value"):
            raise _fail(
                path, key, f"'{feature}': unknown key '{key.value}' (use {', '.join(MATCHERS)})"
            )
        fields[key.value] = value
    given = [m for m in MATCHERS if m in fields]
    if len(given) != 1:
        raise _fail(path, node, f"'{feature}': give exactly one of {', '.join(MATCHERS)} per entry")
    matcher = given[0]
    if "value" in fields and matcher != "slot":
        raise _fail(path, fields["value"], f"'{feature}': 'value' goes with 'slot' only")
    names = _names(path, fields[matcher], f"'{feature}' {matcher}")
    for name in names:
        if matcher != "slot":
            into[matcher].setdefault(name, []).append(feature)
            continue
        value_node = fields.get("value")
        if value_node is not None and not isinstance(value_node, yaml.ScalarNode):
            raise _fail(path, value_node, f"'{feature}': 'value' must be one value")
        value = None
        if value_node is not None:
            value = yaml.constructor.SafeConstructor().construct_object(value_node, deep=True)
        rule = SlotRule(feature, any_value=value_node is None, value=value)
        into["slot"].setdefault(name, []).append(rule)


def _settings(path: Path, root: yaml.MappingNode) -> dict[str, yaml.Node]:
    found: dict[str, yaml.Node] = {}
    for key, value in root.value:
        if key.value in found:
            raise _fail(path, key, f"'{key.value}' is given twice")
        if key.value not in SETTINGS:
            raise _fail(path, key, f"unknown setting '{key.value}' (use {', '.join(SETTINGS)})")
        found[key.value] = value
    if "features" not in found:
        raise MetricsConfigError(f"{path}:1: no 'features:' section")
    return found


def parse_features(text: str, path: Path | str = "metrics.yml") -> FeatureMap:
    """Parses and validates the features YAML.

    Raises:
        MetricsConfigError: naming the file and line of the first problem.
    """
    path = Path(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise MetricsConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(root, yaml.MappingNode):
        raise MetricsConfigError(f"{path}:1: expected a mapping with a 'features:' section")
    found = _settings(path, root)
    options: dict[str, Any] = {}
    if "timezone" in found:
        zone = found["timezone"]
        try:
            ZoneInfo(str(zone.value))
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise _fail(path, zone, f"unknown time zone {zone.value!r} (e.g. UTC)") from None
        options["timezone"] = str(zone.value)
    if "language_slot" in found:
        options["language_slot"] = _text(path, found["language_slot"], "language_slot")
    if "languages" in found:
        options["languages"] = tuple(_names(path, found["languages"], "languages", CHANNEL_NAME))
    if "channels" in found:
        options["channels"] = tuple(_names(path, found["channels"], "channels", CHANNEL_NAME))
    features = found["features"]
    if not isinstance(features, yaml.MappingNode) or not features.value:
        raise _fail(path, features, "'features' must map feature names to lists of entries")
    into: dict[str, dict[str, list[Any]]] = {m: {} for m in MATCHERS}
    names: list[str] = []
    for key, rules in features.value:
        feature = _text(path, key, "a feature name", FEATURE_NAME)
        if feature in names:
            raise _fail(path, key, f"feature '{feature}' is declared twice")
        if not isinstance(rules, yaml.SequenceNode) or not rules.value:
            raise _fail(
                path, key, f"'{feature}' needs a list of entries such as '- action: action_name'"
            )
        for rule in rules.value:
            _rule(path, feature, rule, into)
        names.append(feature)
    return FeatureMap(
        path=path,
        features=tuple(names),
        intents={k: tuple(v) for k, v in into["intent"].items()},
        actions={k: tuple(v) for k, v in into["action"].items()},
        responses={k: tuple(v) for k, v in into["response"].items()},
        slots={k: tuple(v) for k, v in into["slot"].items()},
        **options,
    )


def load_features(path: Path | str | None = None) -> FeatureMap:
    """Loads ``path``, else ``$SIGILO_METRICS_FEATURES``, else ``metrics.yml`` at the root."""
    path = Path(path or os.environ.get(PATH_ENV) or DEFAULT_PATH)
    if not path.is_absolute() and not path.exists():
        path = ROOT / path
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MetricsConfigError(
            f"{path}: cannot read the metrics features: {exc.strerror}"
        ) from None
    return parse_features(text, path)
