# theorycheck: every target creates and uses .venv from pyproject.toml by itself.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TORCH  ?= torch==2.13.0
THREADS ?= 2

.PHONY: venv test test-long report bench lint proofs reference docs clean

venv: $(STAMP)

# torch first, explicitly (the CPU wheel), so the package's torch range is already satisfied and pip never pulls CUDA.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "$(TORCH)"
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

lint: $(STAMP)
	$(PY) -m ruff check theorycheck tests proofs bench notebooks docs/conf.py docs/_ext

proofs: $(STAMP)
	$(PY) proofs/run_all.py

# The default run: every test not marked slow (a slow test takes > ~15 s on a quiet 2-core machine); ≤ 8 minutes.
# It executes 9 of the 12 notebooks (tests/test_notebooks.py: SLOW lists the other three) and every fast claim.
test: $(STAMP) lint proofs
	OMP_NUM_THREADS=$(THREADS) HYPOTHESIS_PROFILE=ci $(PY) -m pytest -q -m "not slow"

# Everything, slow tests included, with the longer hypothesis profile (more examples, not derandomized).
test-long: $(STAMP) lint proofs
	OMP_NUM_THREADS=$(THREADS) HYPOTHESIS_PROFILE=dev $(PY) -m pytest -q

# The executor defaults to the machine (serial on 1–2 cores, a process pool otherwise); add --cache DIR to resume.
report: $(STAMP)
	OMP_NUM_THREADS=$(THREADS) $(PY) -m theorycheck verify --out report --threads $(THREADS)

bench: $(STAMP)
	OMP_NUM_THREADS=$(THREADS) $(PY) bench/run.py --threads $(THREADS)

# The documentation site (Sphinx, furo, myst-nb) into docs/_build/html; every warning is an error. Notebooks are not
# executed here: the executed copies that `make test` saves are shown when current (docs/conf.py).
DOCS_STAMP := $(VENV)/.installed-docs

$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[docs]"
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	OMP_NUM_THREADS=$(THREADS) $(PY) -m sphinx -E -W --keep-going -q -b html docs docs/_build/html
	@echo "docs built: docs/_build/html/index.html"

# Cross-check against neural-tangents (JAX + TensorFlow, ~2.7 GB) in its own environment; not part of CI.
reference: $(STAMP)
	$(PYTHON) -m venv .venv-reference
	.venv-reference/bin/pip install --quiet "$(TORCH)"
	.venv-reference/bin/pip install --quiet -e ".[reference]"
	.venv-reference/bin/python bench/reference_neural_tangents.py

clean:
	rm -rf $(VENV) .venv-reference report .pytest_cache .hypothesis .ruff_cache docs/_build docs/notebooks
