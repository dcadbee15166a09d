# Two commands on a fresh machine with only python3: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_LEDGER := out/demo.db

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@mkdir -p out && rm -f $(DEMO_LEDGER)
	$(BIN)/basis-ledger --ledger $(DEMO_LEDGER) import sample_data/demo-household.csv
	$(BIN)/basis-ledger --ledger $(DEMO_LEDGER) taxpayer set ed --birth-date 1975-06-15
	$(BIN)/basis-ledger --ledger $(DEMO_LEDGER) basis --taxpayer ed
	$(BIN)/basis-ledger --ledger $(DEMO_LEDGER) compute --taxpayer ed --year 2024

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bulk.py --taxpayers 20000

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .hypothesis
