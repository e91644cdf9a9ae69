# Atelier Newsroom. `make help` lists the targets.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run serve test check lint bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its test tools

run: install ## Set up the database, load the stories once, make an admin, serve on 127.0.0.1:8000
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py setup_site
	$(PY) manage.py runserver $(HOST):$(PORT)

serve: install ## Production-like local run: gunicorn with whitenoise on 127.0.0.1:8000
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py setup_site
	GUNICORN_BIND=$(HOST):$(PORT) $(VENV)/bin/gunicorn config.wsgi -c config/gunicorn.py

test: install ## Run the whole test suite
	$(PY) -m pytest

check: install ## Django's system checks and a check for missing migrations
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

lint: install ## ruff
	$(VENV)/bin/ruff check .

bench: install ## Benchmark on a fresh SQLite database (and PostgreSQL if DATABASE_URL is set); BENCH_ARGS=--quick
	$(PY) tests/benchmarks/run.py $(BENCH_ARGS)

clean: ## Remove the virtualenv, the local database and generated files
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles media artifacts var
