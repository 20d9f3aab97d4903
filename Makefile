# The project's front door. README's quick start uses `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
# Links in e-mails point where the server listens, unless SITE_URL is given (a proxy's address).
SITE_URL ?= http://$(HOST)

.PHONY: install install-dev run test lint fmt migrations-check seed bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when the requirements change (the stamp files remember the last install).
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: set everything up (SQLite, the shipped bank, demo data) and serve on http://$(HOST)
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py import_bank
	DEBUG=1 $(BIN)/python manage.py load_demo
	@echo ""
	@echo "InterviewBank is starting on http://$(HOST)/ : log in with a demo user above."
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST)

seed: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py import_bank
	DEBUG=1 $(BIN)/python manage.py load_demo

## test: set up the dev environment, check lint and migrations, run the whole suite
test: install-dev lint migrations-check
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install-dev
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

## bench: every benchmark prints its figures, on the local PostgreSQL unless DATABASE_URL says otherwise
# (autosave, export and storage need PostgreSQL; each bench makes and drops a database of its own).
bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
bench: install-dev
	@for script in bench/scoring.py bench/autosave.py bench/export.py bench/storage.py bench/erasure.py; do \
		echo "== $$script"; $(BIN)/python $$script || echo "($$script did not run: see above)"; \
	done

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
