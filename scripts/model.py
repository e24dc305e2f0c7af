"""Trains the Rasa model only when its inputs changed.

The model is keyed on a hash of config.yml, domain/, data/ and the Rasa
version, and kept in a cache outside the work tree (``SIGILO_MODEL_CACHE``,
default ``~/.cache/sigilo/models``) so a fresh clone on the same machine, CI
included, reuses it. Prints the model path on the last line of stdout.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ("config.yml", "domain", "data")


def training_hash(root: Path = ROOT) -> str:
    """Hash of every training input, in a stable order."""
    digest = hashlib.sha256()
    try:
        from importlib.metadata import version

        digest.update(f"rasa=={version('rasa')}".encode())
    except Exception:
        pass
    for name in INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(b"\0")
            digest.update(file.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """Where trained models are kept between clones."""
    default = Path.home() / ".cache" / "sigilo" / "models"
    return Path(os.environ.get("SIGILO_MODEL_CACHE", default))


def ensure_model(force: bool = False) -> Path:
    """Returns ``models/sigilo-<hash>.tar.gz``, training it when needed."""
    name = f"sigilo-{training_hash()}"
    target = ROOT / "models" / f"{name}.tar.gz"
    cached = cache_dir() / f"{name}.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not force and target.exists():
        print(f"model up to date: {target.relative_to(ROOT)}", file=sys.stderr)
        return target
    if not force and cached.exists():
        shutil.copy2(cached, target)
        print(f"model restored from cache: {cached}", file=sys.stderr)
        return target
    print("training data changed: training a new model (about 3 minutes)…", file=sys.stderr)
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "train",
            "--config",
            "config.yml",
            "--domain",
            "domain",
            "--data",
            "data",
            "--out",
            "models",
            "--fixed-model-name",
            name,
        ],
        cwd=ROOT,
        check=True,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    print(f"trained in {time.monotonic() - started:.0f} s", file=sys.stderr)
    cached.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(target, cached)
    return target


def main() -> int:
    """Command-line entry: ``python scripts/model.py [--force] [--print-hash]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="train even if cached")
    parser.add_argument("--print-hash", action="store_true", help="print the hash and exit")
    args = parser.parse_args()
    if args.print_hash:
        print(training_hash())
        return 0
    try:
        print(ensure_model(force=args.force).relative_to(ROOT))
    except subprocess.CalledProcessError as error:
        print(f"error: rasa train failed (exit {error.returncode})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
