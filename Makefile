# Dialogical Tutor Portfolio — `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portfolio.wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# The development server speaks plain HTTP, so its cookies cannot be "Secure".
DEV_ENV := PORTFOLIO_SESSION_COOKIE_SECURE=false PORTFOLIO_REMEMBER_COOKIE_SECURE=false \
	PORTFOLIO_BASE_URL=$${PORTFOLIO_BASE_URL:-http://$(HOST):$(PORT)}

.PHONY: help install install-dev run serve setup db demo test test-fast lint format translations i18n-extract i18n-update bench bench-quick soak clean

help:
	@echo "make run     set everything up and serve http://$(HOST):$(PORT)"
	@echo "make test    run the whole test suite"
	@echo "make lint    ruff and mypy"
	@echo "make bench   every page through gunicorn, as a multiple of /healthz"
	@echo "make soak    50 people at once, a worker killed: nothing acknowledged is lost"

$(BIN)/activate:
	@echo "Creating the virtual environment in $(VENV)/"
	@$(PYTHON) -m venv $(VENV)

# Two stamps: serving the app needs only the application and its runtime dependencies;
# the tests, linters and type checker come with the development install.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/activate
	@echo "Installing the application and what it needs to run (the first time takes a minute)"
	@$(BIN)/python -m pip install -qq --upgrade pip
	@$(BIN)/python -m pip install -qq -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed-run
	@echo "Installing the development tools (pytest, Playwright, ruff, mypy)"
	@$(BIN)/python -m pip install -qq -e '.[dev]'
	@touch $@

install: $(VENV)/.installed-run translations static/cache_manifest.json

install-dev: $(VENV)/.installed-dev translations static/cache_manifest.json

translations: $(VENV)/.installed-run
	@$(BIN)/pybabel -q compile --use-fuzzy -d portfolio/translations

# Content-hashed copies of the static files, for a year's cache (portfolio/assets.py).
STATIC_SOURCES := $(shell find static -type f ! -name cache_manifest.json \
	! -name '*-????????????????????????????????.*' 2>/dev/null)
static/cache_manifest.json: $(STATIC_SOURCES) $(VENV)/.installed-run
	@$(BIN)/python -c 'from portfolio.assets import main; main()'

instance/secret_key:
	@mkdir -p instance
	@$(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $@
	@chmod 600 $@

# Each step prints one line; a failing step prints its whole output.
setup: install instance/secret_key
	@mkdir -p instance
	@$(DEV_ENV) $(FLASK) db upgrade > instance/db-upgrade.log 2>&1 \
		|| { cat instance/db-upgrade.log; exit 1; }
	@echo "Database up to date."
	@$(DEV_ENV) $(FLASK) framework load
	@$(DEV_ENV) $(FLASK) demo

run: setup
	@echo "Serving http://$(HOST):$(PORT)/ (Ctrl+C stops; another port: make run PORT=8080)"
	@$(DEV_ENV) $(FLASK) run --host $(HOST) --port $(PORT)

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: browser accessibility tests will be skipped (they run in CI)."; fi

# One test process per core (pytest-xdist); TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= auto
test: install-dev node_modules/.installed
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

i18n-extract: $(VENV)/.installed-run
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.* node_modules' --no-location --sort-output -o portfolio/translations/messages.pot .

i18n-update: i18n-extract
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete --width 100 -i portfolio/translations/messages.pot -d portfolio/translations

# Pages through gunicorn as multiples of /healthz (docs/performance.md). bench-quick: < 2 min.
bench: install-dev
	$(BIN)/python -m benchmarks

bench-quick: install-dev
	BENCH_QUICK=1 $(BIN)/python -m benchmarks

# 50 people at once through gunicorn, a worker killed halfway; every acknowledged write must
# be stored (benchmarks/soak.py). SOAK_SECONDS sets the length (default 120).
soak: install-dev
	$(BIN)/python -m benchmarks.soak

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .mypy_cache
	rm -f static/cache_manifest.json
	find static -type f -name '*-????????????????????????????????.*' -delete
