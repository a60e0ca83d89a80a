# identica: `make demo` runs the main job, `make test` runs the test suite.
# Each target bootstraps .venv itself: torch is pinned and installed first so pip never
# resolves a different (multi-gigabyte) build, then the project with the extras it needs.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TORCH := torch==2.13.0

.PHONY: demo test install bench clean

$(VENV)/.core: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.test: $(VENV)/.core
	$(PY) -m pip install --quiet -e '.[test,io,pynapple]'
	touch $@

$(VENV)/.plot: $(VENV)/.core
	$(PY) -m pip install --quiet -e '.[plot]'
	touch $@

$(VENV)/.dev: $(VENV)/.core
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(VENV)/.bench: $(VENV)/.core
	$(PY) -m pip install --quiet $(TORCH) 'cebra==0.6.1'
	touch $@

demo: $(VENV)/.plot
	$(VENV)/bin/identica demo --out demo-output

test: $(VENV)/.test
	$(PY) -m pytest

install: $(VENV)/.dev

bench: $(VENV)/.bench
	$(PY) benchmarks/vs_cebra.py

clean:
	rm -rf $(VENV) demo-output
