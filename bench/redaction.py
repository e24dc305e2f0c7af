"""Redaction benchmark: Sigilo's redactor against Presidio, side by side.

    python bench/redaction.py                 # both datasets, both tools (~2 minutes)
    python bench/redaction.py --no-presidio   # Sigilo only

Datasets: the presidio-research synthetic set (../shared/datasets, 1,500 English
sentences) and a seeded corpus of es/pt/en chat messages from bench/make_corpus.py.
Sigilo runs here, in the project venv; Presidio runs in bench/.venv-presidio
(bench/setup_presidio.sh) through bench/presidio_worker.py, in the same invocation.

Scoring is span-level: a gold span counts as found when a predicted span of the same
(mapped) type overlaps it; a predicted span is correct when it overlaps a gold span of
its type. Speed is messages per second of process CPU time (best of --repeats runs),
with this process and the Presidio worker pinned to one CPU (--cpu): the machine is
shared, and CPU time does not count the time other jobs hold the core.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from make_corpus import generate  # noqa: E402

from sigilo.redaction import find  # noqa: E402

_SET_NAME = Path("shared") / "datasets" / "presidio_synth_dataset_v2.json"
# ../shared next to the checkout (/work/main), or two levels up from a worktree (/work/wt/x).
PRESIDIO_SET = next(
    (p / _SET_NAME for p in (ROOT.parent, ROOT.parent.parent) if (p / _SET_NAME).exists()),
    ROOT.parent / _SET_NAME,
)

# Entity types scored on each dataset, and how each tool's types map onto them.
PRESIDIO_SET_TYPES = ("CREDIT_CARD", "IBAN_CODE", "EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN")
SIGILO_TO_PRESIDIO_SET = {
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN": "IBAN_CODE",
    "EMAIL": "EMAIL_ADDRESS",
    "PHONE": "PHONE_NUMBER",
    "TAX_ID": "US_SSN",  # every tax id kind counts against US_SSN, the only one there
}
PRESIDIO_TO_PRESIDIO_SET = {
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN_CODE",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "US_SSN": "US_SSN",
    "ES_NIF": "US_SSN",
    "ES_NIE": "US_SSN",
    "IT_FISCAL_CODE": "US_SSN",
}
CORPUS_TYPES = (
    "CREDIT_CARD", "SECURITY_CODE", "EXPIRY", "TAX_ID", "IBAN", "EMAIL", "PHONE", "PASSWORD",
)  # fmt: skip
SIGILO_TO_CORPUS = {t: t for t in CORPUS_TYPES}
PRESIDIO_TO_CORPUS = {
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN",
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "US_SSN": "TAX_ID",
    "ES_NIF": "TAX_ID",
    "ES_NIE": "TAX_ID",
    "IT_FISCAL_CODE": "TAX_ID",
}

Span = tuple[str, int, int]


def load_presidio_set(path: Path) -> tuple[list[str], list[list[Span]]]:
    items = json.loads(path.read_text(encoding="utf-8"))
    texts = [item["full_text"] for item in items]
    gold = [
        [
            (s["entity_type"], s["start_position"], s["end_position"])
            for s in item["spans"]
            if s["entity_type"] in PRESIDIO_SET_TYPES
        ]
        for item in items
    ]
    return texts, gold


def load_corpus(n: int, seed: int) -> tuple[list[str], list[list[Span]]]:
    messages = generate(n, seed)
    texts = [m["text"] for m in messages]
    gold = [[(s["type"], s["start"], s["end"]) for s in m["spans"]] for m in messages]
    return texts, gold


def run_sigilo(texts: list[str], repeats: int) -> tuple[list[list[Span]], float]:
    for text in texts[:50]:
        find(text)
    best = float("inf")
    predictions: list[list[Span]] = []
    for _ in range(repeats):
        start = time.process_time()
        results = [find(text) for text in texts]
        best = min(best, time.process_time() - start)
        predictions = [[(f.type, f.start, f.end) for f in found] for found in results]
    return predictions, best


def run_presidio(python: Path, texts: list[str], repeats: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.json", Path(tmp) / "out.json"
        src.write_text(json.dumps({"texts": texts}), encoding="utf-8")
        subprocess.run(
            [str(python), str(HERE / "presidio_worker.py"), str(src), str(dst), str(repeats)],
            check=True,
        )
        out = json.loads(dst.read_text(encoding="utf-8"))
    out["predictions"] = [
        [(p["type"], p["start"], p["end"]) for p in ps] for ps in out["predictions"]
    ]
    return out


def score(
    gold: list[list[Span]], predicted: list[list[Span]], mapping: dict[str, str], types: tuple
) -> dict[str, dict[str, float | int | None]]:
    """Per-type recall and precision under the overlap rule."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for gold_spans, raw in zip(gold, predicted, strict=True):
        pred = [(mapping[t], s, e) for t, s, e in raw if t in mapping]
        for t, s, e in gold_spans:
            counts[t]["gold"] += 1
            if any(pt == t and ps < e and s < pe for pt, ps, pe in pred):
                counts[t]["found"] += 1
        for t, s, e in pred:
            counts[t]["pred"] += 1
            if any(gt == t and gs < e and s < ge for gt, gs, ge in gold_spans):
                counts[t]["correct"] += 1
    result = {}
    for t in types:
        c = counts[t]
        result[t] = {
            "gold": c["gold"],
            "recall": c["found"] / c["gold"] if c["gold"] else None,
            "predicted": c["pred"],
            "precision": c["correct"] / c["pred"] if c["pred"] else None,
        }
    return result


def _fmt(x: float | None) -> str:
    return "  n/a" if x is None else f"{x:.3f}"


def report(
    title: str, n: int, types: tuple, sigilo: dict, sigilo_secs: float, presidio: dict | None
) -> dict:
    print(f"\n## {title} ({n} messages)")
    header = f"{'entity':15} {'gold':>5} | {'sigilo R':>8} {'P':>6} |"
    if presidio:
        header += f" {'presidio R':>10} {'P':>6}"
    print(header)
    p_scores = presidio["scores"] if presidio else {}
    for t in types:
        s = sigilo[t]
        line = f"{t:15} {s['gold']:5d} | {_fmt(s['recall']):>8} {_fmt(s['precision']):>6} |"
        if presidio:
            p = p_scores[t]
            line += f" {_fmt(p['recall']):>10} {_fmt(p['precision']):>6}"
        print(line)
    s_rate = n / sigilo_secs
    print(f"speed: sigilo {s_rate:,.0f} msg/s", end="")
    out = {"messages": n, "sigilo": {"scores": sigilo, "msg_per_s": s_rate}}
    if presidio:
        p_rate = n / presidio["seconds"]
        print(f", presidio {p_rate:,.0f} msg/s, ratio {s_rate / p_rate:.1f}x", end="")
        out["presidio"] = {"scores": p_scores, "msg_per_s": p_rate}
    print(" (one core, CPU time)")
    return out


def _pin(cpu: int | None) -> int | None:
    """Pins this process (and so the Presidio worker it starts) to one CPU."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    chosen = allowed[-1] if cpu is None else cpu
    os.sched_setaffinity(0, {chosen})
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000, help="generated corpus size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=10, help="timed runs; the best counts")
    parser.add_argument(
        "--cpu",
        type=int,
        default=None,
        help="pin this process and the Presidio worker to one CPU (default: the last one)",
    )
    parser.add_argument("--presidio-set", type=Path, default=PRESIDIO_SET)
    parser.add_argument(
        "--presidio-python", type=Path, default=HERE / ".venv-presidio" / "bin" / "python"
    )
    parser.add_argument("--no-presidio", action="store_true")
    parser.add_argument("--json", type=Path, default=HERE / "out" / "redaction.json")
    args = parser.parse_args()

    cpu = _pin(args.cpu)
    use_presidio = not args.no_presidio
    if use_presidio and not args.presidio_python.exists():
        print(f"{args.presidio_python} not found: run bench/setup_presidio.sh", file=sys.stderr)
        return 2
    results: dict = {
        "scoring": "span overlap with a span of the same mapped type",
        "speed": f"msg per process CPU second, best of {args.repeats} runs, CPU {cpu}",
    }
    print(f"speed: process CPU time, best of {args.repeats} runs, both tools pinned to CPU {cpu}")
    datasets = []
    if args.presidio_set.exists():
        texts, gold = load_presidio_set(args.presidio_set)
        maps = (SIGILO_TO_PRESIDIO_SET, PRESIDIO_TO_PRESIDIO_SET, PRESIDIO_SET_TYPES)
        datasets.append(("presidio-research synth_dataset_v2", texts, gold, *maps))
    else:
        print(f"note: {args.presidio_set} not found, skipping it", file=sys.stderr)
    texts, gold = load_corpus(args.n, args.seed)
    maps = (SIGILO_TO_CORPUS, PRESIDIO_TO_CORPUS, CORPUS_TYPES)
    datasets.append((f"generated chat corpus (seed {args.seed})", texts, gold, *maps))

    for title, texts, gold, s_map, p_map, types in datasets:
        predicted, secs = run_sigilo(texts, args.repeats)
        sigilo_scores = score(gold, predicted, s_map, types)
        presidio = None
        if use_presidio:
            raw = run_presidio(args.presidio_python, texts, args.repeats)
            presidio = {
                "scores": score(gold, raw["predictions"], p_map, types),
                "seconds": raw["seconds"],
            }
            results["presidio"] = {
                k: raw[k] for k in ("version", "mode", "recognizers", "phone_regions")
            }
        results[title] = report(title, len(texts), types, sigilo_scores, secs, presidio)
    if use_presidio:
        info = results["presidio"]
        regions = ",".join(info["phone_regions"])
        print(f"\nPresidio {info['version']}: {info['mode']}; phone regions {regions}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
