# Mingle: `make run` serves the app, `make test` runs the whole suite.
# Both install what they need on first use and reuse it afterwards.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMPS := .stamps

.PHONY: run test lint bench worker clean

# A fresh machine is a development machine unless told otherwise.
RUN_ENV = MINGLE_ENV=$${MINGLE_ENV:-development} BASE_URL=$${BASE_URL:-http://127.0.0.1:$(PORT)}

run: $(STAMPS)/app
	$(RUN_ENV) $(BIN)/flask --app wsgi db upgrade
	$(RUN_ENV) $(BIN)/flask --app wsgi seed-demo --if-empty
	$(RUN_ENV) $(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

test: $(STAMPS)/test $(STAMPS)/node $(STAMPS)/chromium $(STAMPS)/iproute2
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMPS)/test
	$(BIN)/ruff check .

bench: $(STAMPS)/test $(STAMPS)/wrk
	$(BIN)/python -m bench

worker: $(STAMPS)/app
	$(BIN)/flask --app wsgi worker

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMPS)/app: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/test: pyproject.toml $(STAMPS)/app
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/node: package.json
	npm install --no-audit --no-fund --no-package-lock --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

# Debian's Chromium drives the browser tests; test tools may not download browsers here.
$(STAMPS)/chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium is missing: install Debian's 'chromium' package (browser tests will be skipped)"; \
	  fi; \
	fi
	@mkdir -p $(STAMPS) && touch $@

# iproute2's `ip` makes the network namespaces of the two-host test (tests/test_two_hosts.py).
$(STAMPS)/iproute2:
	@if ! command -v ip >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null; \
	  else \
	    echo "ip is missing: install Debian's 'iproute2' package (the two-host test will be skipped)"; \
	  fi; \
	fi
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/wrk:
	@if ! command -v wrk >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	fi
	@mkdir -p $(STAMPS) && touch $@

clean:
	rm -rf $(VENV) $(STAMPS) node_modules .pytest_cache
