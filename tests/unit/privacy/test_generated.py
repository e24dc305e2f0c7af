"""Files generated from the inventory: fresh, and saying what the declared classes mean."""

from __future__ import annotations

from pathlib import Path

import pytest

from sigilo import processing_record, terms
from sigilo.cli.main import main
from sigilo.inventory import load_inventory, parse_inventory

ROOT = Path(__file__).resolve().parents[3]
REGENERATE = "run `.venv/bin/python -m sigilo.cli inventory {}` and retrain"


def test_committed_terms_are_fresh() -> None:
    expected = terms.domain_file(load_inventory())
    assert terms.TERMS_FILE.read_text(encoding="utf-8") == expected, REGENERATE.format("terms")


def test_committed_record_of_processing_is_fresh() -> None:
    expected = processing_record.render(load_inventory())
    assert processing_record.DOCS_FILE.read_text(encoding="utf-8") == expected, REGENERATE.format(
        "docs"
    )


@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_each_line_states_what_the_class_and_basis_imply(language: str) -> None:
    inventory = load_inventory()
    words = inventory.notice[language]
    stored = inventory.text(words["stored"])
    for name in ("card_number", "tin", "customer_first_name"):
        line = terms.item_line(inventory, inventory.slots[name], language)
        secret = inventory.slots[name].data_class == "secret"
        assert (words["never_stored"] in line) is secret, line
        assert (stored in line) is not secret, line
        assert (words["consent"] in line) is (inventory.slots[name].legal_basis == "consent")
    text = terms.terms_text(inventory, language)
    assert f" {inventory.retention_months} " in text  # the retention the sweep applies
    for item in inventory.items().values():
        if item.terms:
            assert inventory.text(item.terms[language]) in text


def test_a_secret_item_changed_to_personal_changes_the_terms() -> None:
    """The terms follow the class: declaring the card as stored changes what is promised."""
    inventory = load_inventory()
    text = inventory.path.read_text(encoding="utf-8")
    changed = parse_inventory(
        text.replace("  card_number:\n    class: secret", "  card_number:\n    class: personal")
        .replace("  card_expiry:\n    class: secret", "  card_expiry:\n    class: personal")
        .replace("  card_cvc:\n    class: secret", "  card_cvc:\n    class: personal")
    )
    line = terms.item_line(changed, changed.slots["card_number"], "en")
    assert "Never stored" not in line and "Stored encrypted" in line
    assert terms.notice_version(changed) != terms.notice_version(inventory)


def test_rasa_loads_the_generated_responses() -> None:
    from rasa.shared.core.domain import Domain

    domain = Domain.load(str(ROOT / "domain"))
    inventory = load_inventory()
    variations = domain.responses[terms.TERMS_RESPONSE]
    assert [v["text"] for v in variations] == [
        terms.terms_text(inventory, lang) for lang in ("es", "pt", "en")
    ]
    assert variations[-1].get("condition") is None  # English answers when no language is set
    question = domain.responses["utter_ask_consent_given"]
    assert {b["payload"] for b in question[0]["buttons"]} == {
        "/give_consent",
        "/refuse_consent",
        "/terms_of_use",
    }


def test_notice_version_is_in_the_generated_files() -> None:
    version = terms.notice_version(load_inventory())
    assert len(version) == 64
    assert version in terms.TERMS_FILE.read_text(encoding="utf-8")
    assert version in processing_record.DOCS_FILE.read_text(encoding="utf-8")


def test_cli_check_passes_then_fails_when_the_inventory_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inventory", "check"]) == 0
    assert main(["inventory", "terms", "--check"]) == 0
    edited = tmp_path / "inventory.yml"
    edited.write_text(
        load_inventory().path.read_text(encoding="utf-8").replace("Nobody else.", "Nobody."),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["inventory", "--file", str(edited), "terms", "--check"]) == 1
    assert "terms.yml is stale: run `sigilo inventory terms`" in capsys.readouterr().err
    assert main(["inventory", "--file", str(edited), "check"]) == 1


def test_cli_names_the_line_of_a_bad_inventory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "inventory.yml"
    bad.write_text("slots:\n  a:\n    class: secretive\n", encoding="utf-8")
    assert main(["inventory", "--file", str(bad), "check"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2: 'a' is missing" in err and "Traceback" not in err


def test_retention_default_is_the_inventorys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sigilo retention` with no period set anywhere applies what the terms promise."""
    from sigilo.cli import retention
    from sigilo.tracker_store.db import upgrade

    url = f"sqlite:///{tmp_path / 'sigilo.db'}"
    upgrade(url)
    monkeypatch.delenv(retention.RETENTION_ENV, raising=False)
    assert main(["retention", "--url", url]) == 0
    months = load_inventory().retention_months
    assert f"retention {months} month(s):" in capsys.readouterr().out


def test_validate_data_tells_the_designer_what_to_declare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`scripts/validate_data.py` stops before Rasa runs when a domain slot is undeclared."""
    import importlib.util

    text = load_inventory().path.read_text(encoding="utf-8")
    start = text.index("  api_status:\n")
    end = text.index("  handoff_share_transcript:\n")
    undeclared = tmp_path / "inventory.yml"
    undeclared.write_text(text[:start] + text[end:], encoding="utf-8")
    monkeypatch.setenv("SIGILO_INVENTORY", str(undeclared))
    spec = importlib.util.spec_from_file_location(
        "validate_data", ROOT / "scripts/validate_data.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main() == 1
    err = capsys.readouterr().err
    assert "slot 'api_status' is in the domain but not in inventory.yml: declare it" in err
