# dlcheck: two set-up commands work on a fresh clone (see README.md).
#   make demo   install into .venv, then grade the bundled LLM answers
#   make test   install into .venv, then run the test suite
PYTHON ?= python3
TORCH  ?= torch==2.13.0
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench setup clean

setup: $(STAMP)

# torch first, from $(TORCH), so that dlcheck's own `torch>=2.1` is already met
# and pip never reaches for a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "$(TORCH)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@touch $@

demo: $(STAMP)
	$(BIN)/dlcheck grade answers/csc413-a2/chatgpt-reviewed.yaml

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_equiv.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
