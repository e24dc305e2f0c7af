"""metrics.yml: the committed file fits the domain; bad files fail naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sigilo.metrics import MetricsConfigError
from sigilo.metrics.features import load_features, parse_features

ROOT = Path(__file__).resolve().parents[3]

GOOD = """\
version: 1
timezone: America/Sao_Paulo
channels: [rest, facebook]
features:
  consent_given:
    - slot: consent_given
      value: true
  invoices_checked:
    - action: action_check_invoices
  menu_opened:
    - intent: [greet, open_menu]
  payment_made:
    - response: utter_payment_succeeded
"""


def _domain() -> dict[str, set[str]]:
    names: dict[str, set[str]] = {"intents": set(), "actions": set(), "responses": set()}
    names["slots"] = set()
    for file in sorted((ROOT / "domain").glob("*.yml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        names["intents"].update(
            i if isinstance(i, str) else next(iter(i)) for i in data.get("intents", [])
        )
        names["actions"].update(data.get("actions", []))
        names["responses"].update((data.get("responses") or {}).keys())
        names["slots"].update((data.get("slots") or {}).keys())
    names["intents"].add("nlu_fallback")  # Rasa's own, from the FallbackClassifier
    names["actions"].update(names["responses"])  # utter_* responses are actions too
    return names


def test_committed_file_names_only_what_the_domain_has() -> None:
    features = load_features(ROOT / "metrics.yml")
    domain = _domain()
    assert set(features.intents) <= domain["intents"], set(features.intents) - domain["intents"]
    assert set(features.actions) <= domain["actions"], set(features.actions) - domain["actions"]
    assert set(features.responses) <= domain["responses"]
    assert set(features.slots) <= domain["slots"]
    assert features.language_slot in domain["slots"]
    # the features the issue asks for are all declared
    assert {
        "menu_opened", "invoices_checked", "payment_made", "data_deleted", "terms_read",
        "consent_given", "consent_refused", "consent_withdrawn", "handoff", "fallback",
    } <= set(features.features)  # fmt: skip


def test_good_file_is_indexed_by_what_the_counter_looks_at() -> None:
    features = parse_features(GOOD)
    assert features.timezone == "America/Sao_Paulo"
    assert features.channels == ("rest", "facebook")
    assert features.intents == {"greet": ("menu_opened",), "open_menu": ("menu_opened",)}
    assert features.actions == {"action_check_invoices": ("invoices_checked",)}
    assert features.responses == {"utter_payment_succeeded": ("payment_made",)}
    (rule,) = features.slots["consent_given"]
    assert rule.matches(True) and not rule.matches(1) and not rule.matches("true")
    assert not rule.matches(None) and not rule.matches(False)


def test_slot_without_value_counts_any_non_empty_value() -> None:
    features = parse_features("features:\n  chose:\n    - slot: invoice_id\n")
    (rule,) = features.slots["invoice_id"]
    assert rule.matches("inv_1") and not rule.matches(None)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("features:\n  a:\n    - action: x\ncolour: red\n", 4, "unknown setting 'colour'"),
        ("features:\n  a:\n    - action: x\n  a:\n    - action: y\n", 4, "declared twice"),
        ("features:\n  a:\n    - action: x\n      intent: y\n", 3, "exactly one of"),
        ("features:\n  a:\n    - actoin: x\n", 3, "unknown key 'actoin'"),
        ("features:\n  a:\n    - action: x\n      value: 1\n", 4, "'value' goes with 'slot'"),
        ("features:\n  Bad Name:\n    - action: x\n", 2, "feature name"),
        ("features:\n  a: []\n", 2, "needs a list of entries"),
        ("features:\n  a:\n    - action: [x, 'not a name']\n", 3, "must be a name"),
        ("features:\n  a:\n    - intent: []\n", 3, "the list is empty"),
        ("timezone: Mars/Olympus\nfeatures:\n  a:\n    - action: x\n", 1, "unknown time zone"),
        ("channels: [rest, 'Web Chat']\nfeatures:\n  a:\n    - action: x\n", 1, "channels"),
        ("version: 1\n", 1, "no 'features:' section"),
        ("features:\n  a:\n    - action x\n", 3, "each entry is a mapping"),
    ],
)
def test_bad_file_fails_naming_the_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(MetricsConfigError) as failed:
        parse_features(text, "metrics.yml")
    message = str(failed.value)
    assert message.startswith(f"metrics.yml:{line}: "), message
    assert fragment in message


def test_unreadable_and_invalid_yaml(tmp_path: Path) -> None:
    with pytest.raises(MetricsConfigError, match="cannot read"):
        load_features(tmp_path / "missing.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("features: [\n")
    with pytest.raises(MetricsConfigError, match="not valid YAML"):
        load_features(broken)


def test_environment_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mine.yml"
    path.write_text("features:\n  only:\n    - action: action_check_invoices\n")
    monkeypatch.setenv("SIGILO_METRICS_FEATURES", str(path))
    assert load_features().features == ("only",)
