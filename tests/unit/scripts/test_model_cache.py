"""The model is retrained only when config, domain or data change."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _copy_inputs(target: Path) -> None:
    shutil.copy(ROOT / "config.yml", target / "config.yml")
    shutil.copytree(ROOT / "domain", target / "domain")
    shutil.copytree(ROOT / "data", target / "data")


def test_hash_changes_with_training_inputs_only(tmp_path: Path) -> None:
    model = _load("model")
    _copy_inputs(tmp_path)
    first = model.training_hash(tmp_path)
    assert model.training_hash(tmp_path) == first
    (tmp_path / "README.md").write_text("docs do not matter")
    assert model.training_hash(tmp_path) == first
    with (tmp_path / "data" / "rules.yml").open("a") as rules:
        rules.write("\n# a comment is still a change\n")
    assert model.training_hash(tmp_path) != first


def test_validator_accepts_only_responses_really_used() -> None:
    validate = _load("validate_data")
    sources = 'dispatcher.utter_message(response="utter_payment_succeeded")'
    asked = {"tin"}
    assert validate.used_by_code("utter_payment_succeeded", sources, asked)
    assert validate.used_by_code("utter_ask_tin", sources, asked)
    assert not validate.used_by_code("utter_ask_card_pin", sources, asked)
    assert not validate.used_by_code("utter_forgotten", sources, asked)
