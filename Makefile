# make demo  — set up everything, check the sources, build the draft and its diff into build/
# make test  — set up everything and run the test suite
# make bench — full-size benchmark (writes bench/results.json)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test setup system-deps venv-owner bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

system-deps:
	@bash scripts/install-system-deps.sh

# A .venv copied with the checkout (or left by a checkout that moved) runs the other checkout's code: its scripts'
# shebangs and the editable install name the path it was made in. Such a .venv is removed, and $(STAMP) builds it here.
venv-owner:
	@here="$(CURDIR)"; why=""; \
	pth=$$(ls $(VENV)/lib/python*/site-packages/__editable__.guideline-*.pth 2>/dev/null | head -n1); \
	if [ -e $(BIN)/guideline ] && [ "$$(head -n1 $(BIN)/guideline)" != "#!$$here/$(BIN)/python" ]; then \
	  why="$(BIN)/guideline runs $$(head -n1 $(BIN)/guideline | cut -c3-)"; \
	elif [ -n "$$pth" ] && [ "$$(head -n1 "$$pth")" != "$$here/tooling" ]; then \
	  why="the editable install points at $$(head -n1 "$$pth")"; \
	fi; \
	if [ -n "$$why" ]; then echo "$(VENV) belongs to another checkout ($$why); rebuilding it here"; rm -rf $(VENV); fi

setup: system-deps venv-owner $(STAMP)

demo: setup
	$(BIN)/guideline check --edition draft --strict
	$(BIN)/guideline check --edition r5-03 --strict
	$(BIN)/guideline lint --edition draft
	$(BIN)/guideline build --edition draft --format all -o build/
	$(BIN)/guideline diff r5-03 draft -o build/diff/r5-03--draft
	@echo "open build/draft/guideline.html"
	$(BIN)/guideline comments report --round r6-public -o build/comments/r6-public
	$(BIN)/guideline comments reconcile --round r6-public --final draft
	$(BIN)/guideline release --edition draft --previous r5-03 --round r6-public -o build/release/
	rm -rf build/local/sample-town && mkdir -p build/local && cp -R examples/local/sample-town build/local/sample-town
	$(BIN)/guideline local rebase build/local/sample-town --to draft --report build/local/sample-town-rebase.json
	$(BIN)/guideline local resolve build/local/sample-town org-ciso --take local
	$(BIN)/guideline local diff build/local/sample-town -o build/local/sample-town-diff
	$(BIN)/guideline local build build/local/sample-town -o build/local/sample-town-policy --format all

test: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider

clean:
	rm -rf build $(VENV)

bench: setup
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test,bench]'  # WeasyPrint: the reference peer
	$(BIN)/python bench/run.py
