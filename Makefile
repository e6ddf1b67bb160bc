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

.PHONY: run test lint serve bench clean venv browser messages

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

# make serve runs the app the way production does: gunicorn, DEBUG off, collected static files
# through whitenoise, e-mails as database tasks sent by a worker process. Only plain HTTP on
# this machine (DJANGO_HTTPS off); production terminates HTTPS in the reverse proxy. Without
# DJANGO_SECRET_KEY a random one is made for this run.
serve: $(VENV)/.installed
	@if [ -z "$$DJANGO_SECRET_KEY" ]; then \
	  echo "warning: DJANGO_SECRET_KEY is not set; using a random key for this run only" \
	       "(sessions and CSRF tokens end when it stops). Set it in production."; fi; \
	export DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	  DJANGO_DEBUG=off DJANGO_HTTPS=$${DJANGO_HTTPS:-off} PORT=$(PORT) \
	  DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost} \
	  REGLAB_SITE_URL=$${REGLAB_SITE_URL:-http://127.0.0.1:$(PORT)} \
	  REGLAB_TASKS=$${REGLAB_TASKS:-database}; \
	$(PY) manage.py migrate --noinput -v 0 && \
	$(PY) manage.py collectstatic --noinput -v 0 && \
	$(PY) manage.py load_programme $(FIXTURE) && \
	echo "  reglab (gunicorn) runs at http://127.0.0.1:$(PORT)/, e-mails sent by a mail_worker beside it" && \
	{ $(SUPERVISED_WORKER) & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) -m gunicorn -c gunicorn.conf.py; }

# The e-mail worker survives a lost database connection by itself; should it exit anyway, this
# loop starts it again (in production systemd does, see README, Drift).
SUPERVISED_WORKER = ( trap 'kill $$child 2>/dev/null; exit 0' TERM; \
	  while :; do $(PY) manage.py mail_worker --no-reload & child=$$!; wait $$child; \
	    echo "mail_worker exited ($$?); starting it again in 2 s" >&2; sleep 2; done )

# The English catalogue: collect the Swedish source strings (new ones arrive untranslated, and
# tests/test_translations.py fails until each has its English), then compile the .mo.
MESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles
messages: $(VENV)/.installed
	DJANGO_DEBUG=on $(PY) manage.py makemessages -l en --no-obsolete $(MESSAGES_IGNORE)
	DJANGO_DEBUG=on $(PY) manage.py compilemessages -l en --ignore=.venv

# Debian's Chromium drives the browser tests (Playwright cannot download its own here);
# Java runs the Nu Html Checker.
browser:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "error: could not install chromium; run as root or: sudo apt-get install chromium"; exit 1; }; }
	@command -v java >/dev/null 2>&1 || { \
	  echo "Installing a Java runtime for the Nu Html Checker..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null) \
	  || { echo "error: could not install java; run as root or: sudo apt-get install default-jre-headless"; exit 1; }; }

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The checkers the accessibility tests run: axe-core (in Chromium) and the Nu Html Checker.
NPM_TOOLS := $(VENV)/npm/node_modules/.tools-installed
$(NPM_TOOLS): | $(PY)
	npm install --silent --no-audit --no-fund --prefix $(VENV)/npm axe-core@4 vnu-jar@26
	touch $@

# Two workers (pytest-xdist), one per core: each has its own test database, so the suite's
# concurrency tests still race only against themselves. PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
test: $(VENV)/.installed-dev browser $(NPM_TOOLS)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

$(VENV)/.installed-bench: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $@ $(VENV)/.installed $(VENV)/.installed-dev

# The production stack (gunicorn, PostgreSQL, whitenoise) under load; see README, Prestanda.
bench: $(VENV)/.installed-bench
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
