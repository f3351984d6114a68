# The two commands of the README:
#   make run   - the system on its embedded defaults (SQLite, filesystem broker; no Redis needed)
#   make test  - the whole test suite (SQLite by default; DATABASE_URL / REDIS_URL to use servers)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
MANAGE := $(BIN)/python manage.py

.PHONY: run test install install-dev lint bench clean i18n screenshots

# uv (from PyPI) installs the project in seconds where pip takes half a minute; pip is the fallback
# when uv cannot be installed or cannot reach the index (for example behind a pip-only mirror).
UV_SPEC := uv>=0.9,<0.14
define venv_install
	($(PIP) install --quiet "$(UV_SPEC)" && $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python $(1)) \
		|| $(PIP) install --quiet $(1)
endef

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(call venv_install,-e .)
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(call venv_install,-e ".[dev]")
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

.env: | $(VENV)/.installed
	$(BIN)/python devtools/write_env.py .env

run: install .env
	$(BIN)/python devtools/compile_messages.py
	$(MANAGE) prepare_run
	# The demo company is seeded by Procfile.dev's "demo" process, beside the running server.
	$(BIN)/honcho -f Procfile.dev start

test: install-dev
	$(BIN)/python devtools/compile_messages.py
	$(BIN)/pytest --durations=15 $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

bench: install-dev
	@echo "See bench/README.md: each benchmark needs DATABASE_URL pointing at PostgreSQL."

# docs/screenshots/*.png from a live server on a fresh SQLite demo company (Playwright + /usr/bin/chromium;
# needs a Chinese font, e.g. Debian's fonts-noto-cjk). The developer's database is not touched.
screenshots: install-dev
	$(BIN)/python devtools/screenshots.py

clean:
	rm -rf $(VENV) var staticfiles

# Developer tool (needs GNU gettext): regenerate the Chinese catalogue from the code and the
# English<TAB>中文 lines in devtools/translations/*.tsv, then compile it.
i18n: install-dev
	$(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=tests --ignore=node_modules -v0
	$(BIN)/python devtools/po_fill.py devtools/translations/*.tsv
	$(BIN)/python devtools/compile_messages.py
