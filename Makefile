# segkit: one entry point for set-up, reports, tests and the course.
# Every target creates the virtual environment first when it is missing or stale.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.segkit-installed
CONSTRAINTS := requirements/constraints.txt
export PYTHONHASHSEED := 0
export MPLBACKEND := Agg

# Inside the conda environment of environment.yml (conda activate segkit), the kernel and
# JupyterLab use that environment's python instead of the virtual environment.
ifeq ($(CONDA_DEFAULT_ENV),segkit)
KERNEL_DEPS :=
KERNEL_PY   := python
JUPYTER     := jupyter
else
KERNEL_DEPS := env
KERNEL_PY   := $(BIN)/python
JUPYTER     := $(BIN)/jupyter
endif
# JupyterLab refuses to run as root unless told so (containers run as root).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: help env kernel reports test test-fast lab notebooks exercises data bench lint format lock clean

help:
	@echo "make reports    render every report template on the bundled data into reports/"
	@echo "make test       run the whole test suite (unit, property, notebooks through nbval)"
	@echo "make lab        JupyterLab with the registered 'segkit' kernel (--allow-root as root)"
	@echo "make kernel     register the Jupyter kernel 'segkit' (venv, or the conda env 'segkit')"
	@echo "make notebooks  re-execute the course notebooks in place"
	@echo "make exercises  regenerate the participant versions of the exercises"
	@echo "make data       regenerate the bundled synthetic data (fixed seed)"
	@echo "make bench      run the benchmarks (minutes; see benchmarks/README.md)"
	@echo "make lint       ruff over src/, tests/, notebooks, exercises"
	@echo "make lock       re-pin $(CONSTRAINTS) from the current environment"

$(STAMP): pyproject.toml $(CONSTRAINTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(CONSTRAINTS) --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(CONSTRAINTS) -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name segkit --display-name "segkit (Python 3)" >/dev/null
	touch $(STAMP)

env: $(STAMP)

reports: env
	$(BIN)/segkit report --all

test: env
	$(BIN)/python -m pytest -n 2 --dist loadfile --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
		--doctest-modules --ignore-glob='src/segkit/templates/*' tests notebooks exercises/solutions src/segkit

test-fast: env
	$(BIN)/python -m pytest -n 2 -x tests

kernel: $(KERNEL_DEPS)
	$(KERNEL_PY) -m ipykernel install --sys-prefix --name segkit --display-name "segkit (Python 3)"

lab: kernel
	$(JUPYTER) lab --notebook-dir=. $(ALLOW_ROOT)

notebooks: env
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.kernel_name=segkit --ExecutePreprocessor.record_timing=False notebooks/*.ipynb

exercises: env
	$(BIN)/python -m segkit.exercises build

data: env
	$(BIN)/python scripts/make_demo_data.py
	$(BIN)/python scripts/make_example_files.py

bench: env
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(CONSTRAINTS) -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench_summary.py
	$(BIN)/python benchmarks/bench_read.py
	$(BIN)/python benchmarks/bench_segment.py
	$(BIN)/python benchmarks/bench_value.py
	$(BIN)/python benchmarks/bench_churn.py
	$(BIN)/python benchmarks/bench_winback.py

lint: env
	$(BIN)/ruff check src tests benchmarks scripts notebooks exercises

format: env
	$(BIN)/ruff format src tests benchmarks scripts

lock: env
	echo "# Pins the whole environment (make lock regenerates it); used by make env via pip -c." > $(CONSTRAINTS)
	$(BIN)/python -m pip freeze --exclude-editable --all | grep -v -E '^(setuptools|wheel)==' >> $(CONSTRAINTS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
