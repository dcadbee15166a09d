"""One name for one thing: the message words (Problem, Caution, Finding) and the names the review found twice."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "basis_ledger"


def _definitions() -> Counter:
    names: Counter = Counter()
    for path in SRC.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                names[node.name] += 1
            elif isinstance(node, ast.Assign):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


@pytest.mark.parametrize("name", ["Row", "event_evidence", "Context", "Problem", "Caution", "Finding"])
def test_defined_once(name):
    assert _definitions()[name] == 1, name


@pytest.mark.parametrize("module", ["reconcile.py", "positions.py", "registry.py"])
def test_module_name_used_once(module):
    assert len(list(SRC.rglob(module))) <= 1, module


def test_computed_years_carry_cautions():
    from basis_ledger.engine.form8606 import Options
    from basis_ledger.engine.results import compute_lines
    from tests.core.helpers import csv_text, events_from

    frame = compute_lines(
        events_from(csv_text("ed,2023-05-01,2023,IRA-1,traditional,nondeductible_contribution,6500,")), {}, Options()
    )
    assert "cautions" in frame.columns and "warnings" not in frame.columns
    assert all(isinstance(cs, list) for cs in frame["cautions"])


def test_money_text_has_one_home():
    from basis_ledger import money as m
    from basis_ledger.audit.context import dollars, parse_money
    from basis_ledger.audit.rules.common import money
    from basis_ledger.engine.form8606 import Options
    from basis_ledger.engine.objects import money_value

    for cents in (0, 5, 100, 123456, -150, 700000):
        assert money(cents) == dollars(cents) == m.dollars_text(cents)
        assert money_value(cents, Options(cents=True)) == m.json_amount(cents, keep_cents=True)
    assert parse_money("$5,174.48") == m.parse_printed("5174.48") == 517448
