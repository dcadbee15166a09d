# Two commands on a fresh machine with only python3: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_LEDGER := out/demo.db

.PHONY: demo test bench clean

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
	@# The messy household (sample_data/messy-household/README.md): the audit exits 1 on its error findings.
	@rm -f out/messy.db
	$(BIN)/basis-ledger --ledger out/messy.db taxpayer set dana --full-name "Dana Q. Messy" --ssn-last4 1111 --birth-date 1978-05-12
	$(BIN)/basis-ledger --ledger out/messy.db taxpayer set lee --full-name "Lee R. Messy" --ssn-last4 2222 --birth-date 1972-09-30
	$(BIN)/basis-ledger --ledger out/messy.db account set ACME-401K --owner dana --type plan
	$(BIN)/basis-ledger --ledger out/messy.db import sample_data/messy-household/*.csv sample_data/messy-household/*.pdf
	-$(BIN)/basis-ledger --ledger out/messy.db audit
	$(BIN)/basis-ledger --ledger out/messy.db report --xlsx out/messy-household.xlsx

# The PostgreSQL tests get a throwaway cluster (tests/pgcluster.py: initdb + pg_ctl in a temporary folder, a Unix
# socket there and no TCP), stopped and removed when the tests end, pass or fail. Without PostgreSQL they skip.
test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	@dir=$$(mktemp -d /tmp/basis-ledger-pg.XXXXXX); \
	trap '$(BIN)/python -m tests.pgcluster stop "'"$$dir"'"' EXIT INT TERM; \
	url=$$($(BIN)/python -m tests.pgcluster start "$$dir" $$$$) || url=""; \
	BASIS_LEDGER_TEST_PG="$$url" $(BIN)/python -m pytest -q

# System tools some tests use: LibreOffice recalculates the report workbook (tests/audit/test_workbook.py),
# pdftoppm renders a filled form (tests/pdf/test_fill.py), PostgreSQL's initdb/pg_ctl run the firm ledger's tests
# (installed without the Debian package's own always-on cluster). Each is installed only where it is missing, only
# as root with apt-get, and never fails the build: without it those tests skip and say how to install it.
test: system-tools
.PHONY: system-tools
system-tools:
	@need=""; command -v soffice >/dev/null 2>&1 || need="$$need libreoffice-calc-nogui"; \
	command -v pdftoppm >/dev/null 2>&1 || need="$$need poppler-utils"; \
	{ command -v initdb || ls /usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1 || need="$$need postgresql"; \
	if [ -n "$$need" ]; then \
	  case "$$need" in *postgresql*) [ "$$(id -u)" != 0 ] || [ -e /etc/postgresql-common/createcluster.conf ] || \
	    { mkdir -p /etc/postgresql-common && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf; };; esac; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing:$$need"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$need; } \
	      >/dev/null 2>&1 || echo "could not install$$need: the tests that need them will skip"; \
	  else echo "missing$$need (not root or no apt-get): the tests that need them will skip"; fi; \
	fi; true

bench: $(STAMP)
	$(BIN)/python benchmarks/bulk.py --taxpayers 20000

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .hypothesis
