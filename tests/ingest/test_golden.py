"""Golden files: for each input in tests/ingest/golden an expected output beside it (<name>.expected.json).

Regenerate on purpose only:  .venv/bin/pytest tests/ingest --update-golden  (then read the git diff).
The expected output is what `basis-ledger inspect --json` says about the file alone, with the accounts of
golden/accounts.toml declared and, where present, <name>.map.toml as --mapping.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ingest.helpers import (
    GOLDEN,
    SHARED,
    check_golden,
    golden_context,
    golden_inputs,
    inspect,
    ledger_with_accounts,
    portable,
    shared,
)

# The real exports of ../shared/sample-statements: the accounts their owner would declare (all non-IRA except
# the retirement account with the distribution, named after the file since the export does not say it).
SHARED_ACCOUNTS = {
    "444444444": "taxable",
    "555555555": "taxable",
    "fidelity-history-for-account-cma-2023-01": "taxable",
    "fidelity-history-for-account-distribution-fedtax-2025": "traditional",
    "Brokerage XXXX-1234": "taxable",
    "General Investing ...XXX": "taxable",
    "XXXX-4321": "taxable",
    "schwab-transactions-untitled-2023-2024": "taxable",
}
SHARED_FILES = [
    "fidelity-accounts-history-all-accounts-2025-12.csv",
    "fidelity-history-for-account-bom-exchange-2025.csv",
    "fidelity-history-for-account-cma-2023-01.csv",
    "fidelity-history-for-account-contributions-2026.csv",
    "fidelity-history-for-account-distribution-fedtax-2025.csv",
    "schwab-brokerage-transactions-titled-2020.csv",
    "schwab-brokerage-transactions-titled-2023.csv",
    "schwab-intelligent-transactions-titled-2020.csv",
    "schwab-transactions-untitled-2023-2024.csv",
    "tdameritrade-transactions-2013.csv",
    "schwab-positions-all-accounts-2020-11.csv",
]


@pytest.mark.parametrize("path", golden_inputs(), ids=lambda p: p.name)
def test_golden_fixture(path: Path, tmp_path: Path) -> None:
    from basis_ledger.ingest.statements.mapping import parse

    accounts, taxpayer = golden_context()
    mapping_file = path.with_suffix(".map.toml")
    mapping = parse(None, mapping_file) if mapping_file.exists() else {}
    [obj] = inspect([path], ledger_with_accounts(tmp_path, accounts), mapping, taxpayer)
    check_golden(portable(obj, GOLDEN), path.with_name(path.name + ".expected.json"))


@pytest.mark.parametrize("name", SHARED_FILES)
def test_real_export(name: str, tmp_path: Path) -> None:
    path = shared(name)
    ledger = ledger_with_accounts(tmp_path, {a: {"owner": "ed", "type": t} for a, t in SHARED_ACCOUNTS.items()})
    [obj] = inspect([path], ledger)
    obj.pop("sha256")  # the bytes are theirs; the expected file pins what we read from them
    check_golden(portable(obj, SHARED), GOLDEN / "shared" / f"{name}.expected.json")
