"""Runs Presidio's recognizers over a list of texts; used by bench/redaction.py.

Runs inside bench/.venv-presidio (see bench/setup_presidio.sh), not the project venv:

    bench/.venv-presidio/bin/python bench/presidio_worker.py IN.json OUT.json

IN.json is {"texts": [...]}; OUT.json gets {"predictions": [[{"type", "start", "end"}]],
"seconds": CPU seconds of the best run, "version": ..., "mode": ...}.

No spaCy model can be installed here (model hubs are unreachable), so the NLP engine
cannot run; the pattern recognizers for the structured entities are called directly,
without NLP artefacts (no context-word score boost: every result with a score above 0
counts, as with AnalyzerEngine's default threshold of 0).
"""

from __future__ import annotations

import json
import sys
import time
from importlib.metadata import version

import tldextract
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    EsNieRecognizer,
    EsNifRecognizer,
    IbanRecognizer,
    ItFiscalCodeRecognizer,
    PhoneRecognizer,
    UsSsnRecognizer,
)

# Presidio's default phone regions plus the ones Sigilo covers, so that neither side
# is judged on countries it was not told about.
PHONE_REGIONS = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR", "ES", "PT", "IT", "AR", "CL", "MX")


def _offline_tldextract() -> None:
    # EmailRecognizer validates domains with tldextract, which first tries to download
    # the public suffix list; use the snapshot it ships with instead (no network here).
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _recognizers() -> list:
    return [
        CreditCardRecognizer(),
        IbanRecognizer(),
        EmailRecognizer(),
        PhoneRecognizer(supported_regions=PHONE_REGIONS),
        UsSsnRecognizer(),
        EsNifRecognizer(),
        EsNieRecognizer(),
        ItFiscalCodeRecognizer(),
    ]


def _analyze(recognizers: list, text: str) -> list[dict]:
    found = []
    for recognizer in recognizers:
        for r in recognizer.analyze(text, recognizer.supported_entities, None):
            if r.score > 0:
                found.append({"type": r.entity_type, "start": r.start, "end": r.end})
    return found


def main() -> int:
    src, dst = sys.argv[1], sys.argv[2]
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    with open(src, encoding="utf-8") as fh:
        texts = json.load(fh)["texts"]
    _offline_tldextract()
    recognizers = _recognizers()
    for text in texts[:50]:  # warm up (lazy regex compilation)
        _analyze(recognizers, text)
    best = float("inf")
    predictions: list[list[dict]] = []
    for _ in range(repeats):
        start = time.process_time()
        predictions = [_analyze(recognizers, text) for text in texts]
        best = min(best, time.process_time() - start)
    out = {
        "predictions": predictions,
        "seconds": best,
        "version": version("presidio-analyzer"),
        "mode": "pattern recognizers called directly (no spaCy model, no NLP artefacts)",
        "recognizers": [type(r).__name__ for r in recognizers],
        "phone_regions": list(PHONE_REGIONS),
    }
    with open(dst, "w", encoding="utf-8") as fh:
        json.dump(out, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
