# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test test-fast smoke lint messages check-messages system-packages deps test-deps clean

$(BIN)/python:
	PYTHON=$(PYTHON) scripts/system-packages.sh run
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml $(VENV)/.deps
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

deps: $(VENV)/.deps
test-deps: $(VENV)/.test-deps

run: deps
	scripts/system-packages.sh run
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py load_judging_demo
	$(BIN)/python manage.py runlocal --port $(PORT)

# Without PYTEST_ARGS: the unit and integration layers one process per core, then
# the worker and browser layers in one process. With them: pytest as asked.
test: test-deps
	scripts/system-packages.sh test
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0
ifeq ($(strip $(PYTEST_ARGS)),)
	$(BIN)/pytest -m "unit or integration" -n auto --dist worksteal
	$(BIN)/pytest -m "not (unit or integration)"
else
	$(BIN)/pytest $(PYTEST_ARGS)
endif

# The unit and integration layers (tests/conftest.py): no worker, no browser,
# one pytest process per core, each with its own test database and S3 server.
test-fast: test-deps
	scripts/system-packages.sh test
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0
	$(BIN)/pytest -m "unit or integration" -n auto --dist worksteal $(PYTEST_ARGS)

# The subset that proves `make run`'s configuration (SQLite, filesystem broker).
smoke: test-deps
	scripts/system-packages.sh test
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0
	env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL $(BIN)/pytest -m "smoke" $(PYTEST_ARGS)

# Style (ruff) and the architecture contracts of .importlinter.
lint: test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Update the catalogues after changing strings; translate every new entry.
messages: deps
	$(BIN)/python manage.py makemessages -l zh_Hant --ignore=.venv --ignore=var --ignore=staticfiles --no-obsolete
	$(BIN)/python manage.py makemessages -d djangojs -l zh_Hant --ignore=.venv --ignore=var --ignore=staticfiles --ignore=static/vendor --no-obsolete

# Fail on any untranslated or fuzzy zh_Hant entry.
check-messages: deps
	$(BIN)/python scripts/check_translations.py locale/zh_Hant/LC_MESSAGES/*.po

clean:
	rm -rf $(VENV) var staticfiles
