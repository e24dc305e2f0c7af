"""``rasa data validate`` that fails on every warning but one kind, checked.

First the data inventory must declare every domain slot (and no other), and the files
generated from it (``domain/terms.yml``, ``docs/privacy.md``) must be fresh: a
conversation designer adding a slot is told what to declare.

Rasa's validator warns that a response "is not used in any story or rule"
when only a custom action or a form utters it (``utter_ask_<slot>``,
``utter_invalid_<slot>``, lists built by actions). Such a warning is
accepted only when the response really is used: a form asks for that slot,
or the action code names it. Any other warning fails the run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
UNUSED = re.compile(r"The utterance '(utter_[\w]+)' is not used in any story or rule\.")
WARNING = re.compile(r"(UserWarning|FutureWarning|DeprecationWarning|WARNING): (.*)")


def form_slots() -> set[str]:
    """Every slot some form asks for."""
    slots: set[str] = set()
    for path in (ROOT / "domain").rglob("*.yml"):
        forms = (yaml.safe_load(path.read_text()) or {}).get("forms") or {}
        for form in forms.values():
            slots.update(form.get("required_slots") or [])
    return slots


def used_by_code(response: str, sources: str, asked: set[str]) -> bool:
    """True when an action utters ``response`` or a form asks with it."""
    if response.startswith("utter_ask_") and response[len("utter_ask_") :] in asked:
        return True
    return f'"{response}"' in sources


def main() -> int:
    """Checks the data inventory, then runs the validator and judges its warnings."""
    from sigilo.cli.inventory import inventory_problems

    declared = inventory_problems()
    for problem in declared:
        print(f"error: {problem}", file=sys.stderr)
    if declared:
        print("error: the data inventory does not match the domain", file=sys.stderr)
        return 1
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "data",
            "validate",
            "--config",
            "config.yml",
            "--domain",
            "domain",
            "--data",
            "data",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    sources = "\n".join(p.read_text() for p in (ROOT / "actions").rglob("*.py"))
    asked = form_slots()
    problems: list[str] = []
    accepted = 0
    for line in output.splitlines():
        unused = UNUSED.search(line)
        if unused:
            if used_by_code(unused.group(1), sources, asked):
                accepted += 1
            else:
                problems.append(f"response {unused.group(1)} is used nowhere")
            continue
        warning = WARNING.search(line)
        if warning and "rasa" in line.lower() and "site-packages/rasa/shared/utils/io.py" in line:
            problems.append(warning.group(2))
    if result.returncode != 0:
        print(output, file=sys.stderr)
        print(f"error: rasa data validate exited with {result.returncode}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    if problems:
        print(f"error: {len(problems)} validation warning(s)", file=sys.stderr)
        return 1
    print(f"rasa data validate: no warnings ({accepted} responses uttered by actions or forms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
