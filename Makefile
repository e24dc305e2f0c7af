# Sigilo — two commands on a fresh machine:
#   make run    set everything up and run the assistant (SQLite, demo API, web chat)
#   make test   the whole suite (ruff, rasa data validate, pytest, rasa test)
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
RASA      := $(PY) -m rasa
# Python 3.10: what `.python-version` selects (pyenv), else python3.10 on PATH.
PYTHON310 ?= $(shell (pyenv which python3.10 2>/dev/null || command -v python3.10 || ls /root/.pyenv/versions/3.10*/bin/python3.10 2>/dev/null) | head -n1)
STAMP     := $(VENV)/.installed

export PYTHONDONTWRITEBYTECODE := 1
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
# Privacy: Rasa's telemetry and crash reports are off, always.
export RASA_TELEMETRY_ENABLED := false

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements/base.in requirements/dev.in requirements/lock.txt pyproject.toml
	@test -n "$(PYTHON310)" || { echo "error: Python 3.10 not found (Rasa 3.6 needs it; try: pyenv install 3.10)"; exit 1; }
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet "pip==24.3.1" -c requirements/lock.txt "setuptools==70.3.0" "wheel==0.45.1"
	@echo "installing pinned dependencies (about 2.5 minutes on a fresh machine)…"
	$(PY) -m pip install --quiet --progress-bar off -r requirements/dev.in -c requirements/lock.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	@touch $@

.PHONY: install
install: $(STAMP) ## create .venv with the pinned dependencies

.PHONY: lock
lock: $(STAMP) ## re-pin requirements/lock.txt from the current .venv
	$(PY) -m pip freeze --exclude-editable | sort -f > requirements/lock.txt

.PHONY: train
train: $(STAMP) ## train the model if config, domain or data changed
	$(PY) scripts/model.py

.PHONY: run
run: $(STAMP) ## run demo API + action server + Rasa server + web chat page (Ctrl-C stops)
	@$(MAKE) --no-print-directory web-deps || echo "warning: the web chat page needs npm (make web-deps)"
	$(PY) scripts/run.py

.PHONY: shell
shell: $(STAMP) ## talk to the running assistant in the terminal
	$(PY) scripts/chat.py

.PHONY: lint
lint: $(STAMP) ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

.PHONY: format
format: $(STAMP) ## apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

.PHONY: validate
validate: $(STAMP) ## rasa data validate, failing on any warning
	$(RASA) data validate --config config.yml --domain domain --data data --fail-on-warnings

# schemathesis (API fuzzing of the console) needs Python >= 3.11 and pins that clash with
# Rasa's: it lives in its own git-ignored venv, called as a CLI by
# tests/integration/console/test_schemathesis.py.
SCHEMATHESIS_VENV := var/venv-schemathesis
SCHEMATHESIS_PYTHON ?= $(shell for p in $$(command -v python3.12 python3.11) /root/.pyenv/versions/3.1[12]*/bin/python3.1[12]; do "$$p" -c "" 2>/dev/null && echo "$$p" && break; done)

$(SCHEMATHESIS_VENV)/.installed: requirements/schemathesis-lock.txt
	@test -n "$(SCHEMATHESIS_PYTHON)" || { echo "error: schemathesis needs Python 3.11 or newer"; exit 1; }
	$(SCHEMATHESIS_PYTHON) -m venv $(SCHEMATHESIS_VENV)
	$(SCHEMATHESIS_VENV)/bin/python -m pip install --quiet -r requirements/schemathesis-lock.txt
	@touch $@

.PHONY: test-deps
test-deps: $(SCHEMATHESIS_VENV)/.installed ## test tools in their own venvs (schemathesis)

.PHONY: pytest
pytest: $(STAMP) train e2e-deps test-deps ## pytest: unit, integration and e2e
	$(PY) -m pytest

.PHONY: test-stories
test-stories: $(STAMP) train ## rasa test on the test stories, failing on any error
	$(RASA) test core --model "$$($(PY) scripts/model.py 2>/dev/null | tail -n1)" \
		--stories tests/stories --out var/results/core --fail-on-prediction-errors

.PHONY: test-nlu
test-nlu: $(STAMP) train ## intent F1 per language on the held-out NLU split
	$(PY) scripts/nlu_report.py

WEB_BUNDLE := web/node_modules/rasa-webchat/lib/index.js

$(WEB_BUNDLE): web/package.json web/package-lock.json
	cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: web-deps
web-deps: $(WEB_BUNDLE) ## the web chat widget (rasa-webchat, pinned in web/package-lock.json)

.PHONY: e2e-deps
e2e-deps: $(STAMP) web-deps ## what the browser test needs: widget, Debian chromium, playwright
	@test -x /usr/bin/chromium || { test "$$(id -u)" = 0 \
		&& DEBIAN_FRONTEND=noninteractive apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
		|| echo "warning: /usr/bin/chromium missing: install Debian's chromium as root"

.PHONY: test
test: lint validate train pytest test-stories ## the whole suite (what CI runs)

.PHONY: db-upgrade
db-upgrade: $(STAMP) ## create/upgrade the tracker store schema ($$SIGILO_TRACKER_STORE_URL)
	$(PY) -m sigilo.cli db upgrade

.PHONY: retention
retention: $(STAMP) ## delete sessions older than $$SIGILO_RETENTION_MONTHS (default 6)
	$(PY) -m sigilo.cli retention

.PHONY: bench-store
bench-store: $(STAMP) train ## tracker store benchmarks: erasure time, turn latency vs stock
	$(PY) bench/erasure.py --postgres
	$(PY) bench/tracker_store.py

.PHONY: clean
clean: ## remove generated files (keeps .venv and the model cache)
	rm -rf var/results models .pytest_cache .ruff_cache
