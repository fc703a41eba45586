# dlcheck: two set-up commands work on a fresh clone (see README.md).
#   make demo   install into .venv, then grade the bundled LLM answers
#   make test   install into .venv, then run the test suite
PYTHON ?= python3
TORCH  ?= torch==2.13.0
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench setup clean mutate

setup: $(STAMP)

# torch first, from $(TORCH), so that the [torch] extra's `torch>=2.1` is already met
# and pip never reaches for a multi-GB CUDA build.
$(STAMP): pyproject.toml
	@# bubblewrap isolates submitted code (no network, read-only system); without it the
	@# sandbox still runs code in a limited separate process and reports what is not enforced
	@command -v bwrap >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  apt-get install -y -qq bubblewrap >/dev/null 2>&1; } || \
	  echo "note: bubblewrap not installed; as root: apt-get install bubblewrap (sandbox runs with weaker isolation)"
	@# headless Chromium opens the class report in tests/test_class_report.py (skipped without it)
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  apt-get install -y -qq chromium >/dev/null 2>&1; } || \
	  echo "note: chromium not installed; as root: apt-get install chromium (the browser test of the class report is skipped)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "$(TORCH)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test,torch]"
	@touch $@

# The LLM answers with their critiques, then training claims re-run on a small
# synthetic data set written in MNIST's file format (no download).
demo: $(STAMP)
	$(BIN)/dlcheck grade answers/csc413-a2/chatgpt-reviewed.yaml
	$(BIN)/python -m dlcheck.training.synthetic .demo-data
	$(BIN)/dlcheck grade answers/dl-principles/claims-demo.yaml --data-dir .demo-data

# the layer contracts first (pyproject.toml [tool.importlinter]: no circle, no upward import)
test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_first_grade.py
	$(BIN)/python bench/bench_equiv.py
	$(BIN)/python bench/bench_parse.py
	$(BIN)/python bench/bench_sandbox.py
	$(BIN)/python bench/bench_trace.py
	$(BIN)/python bench/bench_batch.py
	$(BIN)/python bench/bench_training.py

# Mutation testing of the answer-reading code (issue 14): mutmut, configured in pyproject.toml
# ([tool.mutmut]), mutates safemath, kinds/_numeric, _prose, _array, _text, bigo and
# mathexpr/lexer and runs the fast reading tests against each mutant, then prints the kill
# rate per module (bench/mutation_score.py). Slow (about an hour on two shared cores the first
# time; later runs re-test only the functions that changed), so never part of `make test`.
# MUTATE_JOBS=n runs n mutants at once; MUTANTS='dlcheck.safemath.*' re-tests only those.
# Survivors are listed with `.venv/bin/mutmut results` and explained in tests/data/mutmut_survivors.md;
# `python bench/mutation_score.py --unexplained` lists those without a reason, and
# `python bench/mutant_inputs.py NAME` finds answer texts a survivor reads differently.
MUTATE_JOBS ?= 1
MUTANTS     ?=
MUTATE_STAMP := $(VENV)/.mutate-installed

$(MUTATE_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test,torch,mutate]"
	@touch $@

mutate: $(MUTATE_STAMP)
	$(BIN)/mutmut run --max-children $(MUTATE_JOBS) $(MUTANTS)
	$(BIN)/python bench/mutation_score.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis .demo-data mutants
