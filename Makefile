# 工业和信息化技术技能人才网上学习平台 — developer entry points.
#
#   make run    set everything up, then serve http://127.0.0.1:8000 (Daphne + task worker)
#   make test   set everything up, then ruff, checks, migration check and pytest
#
# Setup is a chain of stamp files under .venv/, so a re-run skips apt and pip unless
# scripts/system-deps.sh or a requirements*.txt changed. `make clean` drops the stamps.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# interpreter used to create the virtualenv
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=
SCREENSHOTS_ARGS ?=

DEV_SETTINGS := config.settings.dev
TEST_SETTINGS := config.settings.test
MANAGE := DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(PY) manage.py

STAMP_SYSTEM := $(VENV)/.stamp-system
STAMP_PIP := $(VENV)/.stamp-pip
STAMP_MESSAGES := $(VENV)/.stamp-messages

PO_FILES := $(shell find . \( -path ./$(VENV) -o -path ./.git -o -path ./node_modules \) -prune -o -name '*.po' -print 2>/dev/null)
SEED_DEMO := cms/management/commands/seed_demo.py
BENCH_COMMANDS := $(sort $(basename $(notdir $(wildcard */management/commands/bench_*.py))))

.PHONY: help setup db run test lint format demo bench screenshots requirements messages clean distclean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

# --------------------------------------------------------------------- setup

$(STAMP_SYSTEM): scripts/system-deps.sh
	@mkdir -p $(VENV)
	scripts/system-deps.sh
	@touch $@

$(VENV)/pyvenv.cfg: | $(STAMP_SYSTEM)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed; run with PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP_PIP): requirements.txt requirements-dev.txt $(VENV)/pyvenv.cfg
	$(PY) -m pip install --require-virtualenv --quiet -r requirements.txt -r requirements-dev.txt
	@touch $@

# Translations are compiled from locale/*/LC_MESSAGES/*.po; the .mo files are not committed.
$(STAMP_MESSAGES): $(PO_FILES) $(STAMP_PIP)
ifneq ($(strip $(PO_FILES)),)
	$(MANAGE) compilemessages --ignore=$(VENV) --ignore=node_modules --verbosity 0
else
	@echo "messages: no .po files yet, nothing to compile"
endif
	@touch $@

setup: $(STAMP_SYSTEM) $(STAMP_PIP) $(STAMP_MESSAGES)  ## system packages, .venv, pip, compiled translations

db: setup  ## migrate the dev database and load the demo data (both idempotent)
	$(MANAGE) migrate --noinput
ifneq ($(wildcard $(SEED_DEMO)),)
	$(MANAGE) seed_demo --skip-checks
else
	@echo "db: WARNING: $(SEED_DEMO) does not exist yet; no demo data loaded" >&2
endif

# ----------------------------------------------------------------- workflows

run: db  ## serve http://127.0.0.1:8000 (HOST=, PORT=) with Daphne and a django-tasks worker
	VENV=$(VENV) DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) scripts/run.sh $(HOST) $(PORT)

test: db  ## ruff, manage.py check, makemigrations --check, pytest (PYTEST_ARGS=...)
	$(VENV)/bin/ruff check .
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(STAMP_PIP)  ## ruff lint and format check, no changes
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP_PIP)  ## apply ruff's safe fixes (import order …) and format
	$(VENV)/bin/ruff check --fix --exit-zero .
	$(VENV)/bin/ruff format .

demo: db  ## (re)load the demo data and print the demo accounts
	@echo "demo accounts: organiser / Organiser-2026, provider1..3 / Provider-2026, learner1..6 / Learner-2026"

bench: setup  ## run every bench_* management command (they use scratch databases; BENCH_ARGS=...)
ifeq ($(strip $(BENCH_COMMANDS)),)
	@echo "bench: no bench_* management command exists yet (see docs/)" >&2; exit 1
else
	@for cmd in $(BENCH_COMMANDS); do echo "== $$cmd"; $(MANAGE) $$cmd $(BENCH_ARGS); done
endif

# Not part of `make test`: pictures to look at before a change to a page lands (scripts/screenshots.py).
screenshots: db  ## the main pages of every demo role at 1280×900 and 390×844 into screenshots/ (not committed)
	DJANGO_SETTINGS_MODULE=$(DEV_SETTINGS) $(PY) scripts/screenshots.py $(SCREENSHOTS_ARGS)

requirements:  ## recompile requirements*.txt from *.in for Debian 12's Python 3.11.2 (UPGRADE=1 to upgrade pins)
	scripts/compile-requirements.sh $(if $(UPGRADE),--upgrade)

messages: $(STAMP_PIP)  ## extract gettext strings into locale/en and compile them
	@mkdir -p locale
	$(MANAGE) makemessages --locale=en --ignore=$(VENV) --ignore=node_modules --ignore=staticfiles \
		--ignore=tests --ignore=media
	@if find . \( -path ./$(VENV) -o -path ./staticfiles -o -path ./node_modules \) -prune -o \
		-path '*/static/*.js' -print | grep -q .; then \
		$(MANAGE) makemessages --domain=djangojs --locale=en --ignore=$(VENV) --ignore=node_modules \
			--ignore=staticfiles --ignore=tests; fi
	$(MANAGE) compilemessages --ignore=$(VENV) --ignore=node_modules
	@touch $(STAMP_MESSAGES)

clean:  ## remove caches and generated files, and the setup stamps (keeps .venv and the database)
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	find . \( -path ./$(VENV) -o -path ./.git \) -prune -o -name '*.mo' -path '*/LC_MESSAGES/*' -exec rm -f {} +
	rm -rf .pytest_cache .ruff_cache staticfiles .test-media var/test-private test-results screenshots
	rm -f $(VENV)/.stamp-*

distclean: clean  ## also remove .venv, the dev database, its migrated copy and uploaded media (public and private)
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm media var/private var/cache
