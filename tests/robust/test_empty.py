"""A ledger with a taxpayer and no events: every reporting command answers, none fails."""

from __future__ import annotations

import json

import pytest

from tests.core.helpers import cli


@pytest.mark.parametrize(
    "args", [("compute",), ("basis",), ("compute", "--csv"), ("compute", "--json"), ("basis", "--json"), ("audit",)]
)
def test_reports_on_a_ledger_with_a_taxpayer_and_no_events(tmp_path, args):
    ledger = tmp_path / "l.db"
    assert cli("taxpayer", "set", "ed", "--birth-date", "1970-01-01", ledger=ledger).returncode == 0
    res = cli(*args, ledger=ledger)
    assert res.returncode == 0, res.stderr
    if "--json" in args:
        assert json.loads(res.stdout) == []
    if "--csv" in args:
        assert res.stdout.splitlines()[0].startswith("taxpayer,chain,tax_year")
        assert len(res.stdout.splitlines()) == 1
