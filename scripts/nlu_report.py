"""Intent macro-F1 per language on the held-out NLU split (``make test-nlu``).

Runs ``rasa test nlu`` on ``tests/nlu/test_<lang>.yml`` (messages the model
never saw in training) with the current model and prints one line per
language. Exits non-zero when a language is below ``--min-f1``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("es", "pt", "en")


def macro_f1(model: str, language: str) -> tuple[float, int]:
    """Runs ``rasa test nlu`` for one language; returns (macro-F1, messages)."""
    out = ROOT / "var" / "results" / "nlu" / language
    subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "test",
            "nlu",
            "--model",
            model,
            "--nlu",
            f"tests/nlu/test_{language}.yml",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    report = json.loads((out / "intent_report.json").read_text())
    return report["macro avg"]["f1-score"], int(report["macro avg"]["support"])


def main() -> int:
    """Prints the table; fails below the threshold."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-f1", type=float, default=0.90)
    args = parser.parse_args()
    model = (
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "model.py")],
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    failed = False
    print("language  intent macro-F1  messages")
    for language in LANGUAGES:
        f1, support = macro_f1(model, language)
        failed |= f1 < args.min_f1
        print(f"{language:<9} {f1:>15.3f}  {support:>8}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
