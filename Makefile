# `make run` and `make test` do every install themselves, from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt constraints.txt | sha256sum | cut -c1-12)

BACKEND_PORT ?= 8000
APP_PORT ?= 8501

.PHONY: install run test lint browser bench clean constraints

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	rm -f $(VENV)/.installed-* && touch $@

# After changing a requirements file: resolve it afresh in a throw-away venv and pin everything it installs.
constraints:
	rm -rf $(VENV).lock && $(PYTHON) -m venv $(VENV).lock
	$(VENV).lock/bin/python -m pip install --quiet -r requirements-dev.txt
	{ sed -n '1,2p' constraints.txt; $(VENV).lock/bin/python -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt && rm -rf $(VENV).lock

# Debian's Chromium for the end-to-end tests (Playwright's own browser download is blocked here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing and this is not root: end-to-end tests will be skipped."; fi; }

run: install
	BACKEND_PORT=$(BACKEND_PORT) APP_PORT=$(APP_PORT) bash scripts/run_local.sh

CODE := components pages local_backend tests bench Home.py app.py

lint: install
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/mypy $(CODE)

test: install browser lint
	$(BIN)/python -m pytest

bench: install browser
	$(BIN)/python -m bench.render_time
	$(BIN)/python -m bench.requests_per_view
	$(BIN)/python -m bench.precheck
	$(BIN)/python -m bench.cold_start
	$(BIN)/python -m bench.crowd

clean:
	rm -rf $(VENV) .local_backend artifacts .pytest_cache .mypy_cache .ruff_cache
