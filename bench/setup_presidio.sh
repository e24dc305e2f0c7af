#!/usr/bin/env bash
# Creates bench/.venv-presidio (git-ignored) with presidio-analyzer, used only by the
# redaction benchmark (bench/redaction.py runs bench/presidio_worker.py inside it).
# 2.2.365 is the newest release that supports Python 3.10.
# No spaCy model is downloaded (model hubs are unreachable here): the worker calls
# Presidio's pattern recognizers directly, without its NLP engine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="${PRESIDIO_PYTHON:-/root/.pyenv/versions/3.10.13/bin/python3.10}"
if ! command -v "$python" >/dev/null 2>&1; then
    python="$(command -v python3.10 || command -v python3)"
fi
venv="$here/.venv-presidio"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "presidio-analyzer==${PRESIDIO_VERSION:-2.2.365}"
"$venv/bin/python" -c "import presidio_analyzer, spacy; print('presidio-analyzer ok, spaCy', spacy.__version__)"
