# The two commands: `make run` and `make test`. See README.md.
PYTHON_VERSION := 3.13
PYTHON := python$(PYTHON_VERSION)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
FIXTURE := fixtures/utsikt_ar_insikt.json
CHROMIUM := /usr/bin/chromium

# make run is local development: debug on, e-mails printed in this terminal.
RUN_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-on} \
	DJANGO_EMAIL_BACKEND=$${DJANGO_EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend} \
	REGLAB_SITE_URL=$${REGLAB_SITE_URL:-http://127.0.0.1:$(PORT)}

.PHONY: run test lint serve bench clean venv browser

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
	  echo "error: $(PYTHON) was not found. Install Python $(PYTHON_VERSION) (e.g. 'pyenv install $(PYTHON_VERSION)')"; \
	  echo "       and make sure '$(PYTHON)' runs in this directory (.python-version selects it under pyenv)."; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed

run: $(VENV)/.installed
	@$(RUN_ENV) $(PY) manage.py migrate --noinput -v 0
	@$(RUN_ENV) $(PY) manage.py load_programme $(FIXTURE)
	@$(RUN_ENV) $(PY) manage.py load_proposals fixtures/proposals_2018.json
	@$(RUN_ENV) $(PY) manage.py ensure_organiser
	@echo ""
	@echo "  reglab runs at  http://127.0.0.1:$(PORT)/"
	@echo "  admin:          http://127.0.0.1:$(PORT)/admin/"
	@echo ""
	@$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Debian's Chromium drives the browser tests (Playwright cannot download its own here).
browser:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "error: could not install chromium; run as root or: sudo apt-get install chromium"; exit 1; }; }

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: $(VENV)/.installed-dev browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
