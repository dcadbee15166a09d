"""The messy household of sample_data/ imported as a user would (events CSV, 5498 and 1099-R CSVs, printed
Form 8606 PDFs) and audited: the findings are the golden file tests/audit/golden/messy-household.json.
Regenerate it on purpose only: .venv/bin/pytest tests/audit/test_messy_household.py --update-golden"""

from __future__ import annotations

import json
from pathlib import Path

from tests import golden
from tests.audit.helpers import messy_household_steps
from tests.core.helpers import cli

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("golden") / "messy-household.json"
# The reconciliation codes (this folder's); the planner's event rules are tested in tests/plan.
MINE = {
    "chain-break",
    "filed-mismatch",
    "missing-8606",
    "basis-unknown",
    "fmv-mismatch",
    "1099r-mismatch",
    "roth-five-year",
    "deductibility-unknown",
}


def test_messy_household_findings(tmp_path):
    db = tmp_path / "messy.db"
    for args in messy_household_steps():
        res = cli(*args, ledger=db)
        assert res.returncode == 0, (args, res.stdout, res.stderr)
    res = cli("audit", "--json", "--as-of", "2026-06-01", ledger=db)
    assert res.returncode == 1, res.stderr
    found = [
        {k: f[k] for k in ("severity", "code", "taxpayer", "tax_year", "line", "expected", "found")}
        for f in json.loads(res.stdout)
        if f["code"] in MINE
    ]
    if golden.UPDATE:
        GOLDEN.write_text(json.dumps(found, indent=1) + "\n")
    assert found == json.loads(GOLDEN.read_text())
    # what the README promises, by hand (see tests/audit/make_messy_household.py for the filed numbers)
    said = {(f["code"], f["taxpayer"], f["tax_year"]) for f in found}
    assert {
        ("missing-8606", "dana", 2020),
        ("chain-break", "dana", 2021),
        ("fmv-mismatch", "dana", 2023),
        ("roth-five-year", "lee", 2023),
        ("deductibility-unknown", "lee", 2024),
    } <= said
