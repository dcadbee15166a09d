"""Every statement profile (schemas/profiles/*.toml) is well formed and reads every header generation it lists.

Adding a custodian is adding a profile file: these tests pick it up by themselves; add its golden fixture
(tests/ingest/golden/<export>.csv + .expected.json) for the rows only it has.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from basis_ledger.ingest.base import Account, Context
from basis_ledger.ingest.registry import choose, importers
from basis_ledger.ingest.source import SourceFile
from basis_ledger.ingest.statements import profile as profiles
from basis_ledger.ingest.statements.classify import valid_then

NAMES = profiles.profile_names()
GENERATIONS = [(n, h) for n in NAMES for h in profiles.get(n).headers]


def test_the_required_custodians_have_profiles() -> None:
    assert {"fidelity", "schwab", "vanguard", "etrade", "merrill", "tdameritrade"} <= set(NAMES)
    names = [i.name for i in importers()]
    assert names[-1] == "generic"  # the interchange format is tried last
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", NAMES)
def test_profile_is_well_formed(name: str) -> None:
    p = profiles.get(name)
    assert p.name == name and p.custodian and p.headers and p.rules
    for rule in p.rules:
        assert valid_then(rule.then), f"{name}: rule {rule.text.pattern!r} -> unknown {rule.then!r}"
    for h in p.headers:
        if h.role == "transactions":  # date, action and amount must be found by name in this generation
            for field in ("date", "action", "amount"):
                assert set(p.columns[field]) & h.columns, f"{name} / {h.generation}: no column for {field}"
        elif h.role == "positions":  # the column summed per account, and where the as-of date is
            assert p.positions["value"] and (p.positions.get("date_title") or p.positions.get("date_filename"))
        else:
            assert h.role == "skip" and h.reason


def _file_for(name: str, header: profiles.Header) -> str:
    """A file in this header generation (columns in the profile's order) with one unknown action in ACC1."""
    p = profiles.get(name)
    cols = sorted(header.columns)
    values = {c: "" for c in cols}
    when = date(2024, 3, 5).strftime(p.date_formats[0])
    for field, text in (("date", when), ("action", "ZZZ UNKNOWN ACTION"), ("amount", "1234.56"), ("account", "ACC1")):
        for alias in p.columns.get(field, ()):
            if alias in values:
                values[alias] = text
                break
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(cols)
    w.writerow([values[c] for c in cols])
    return out.getvalue()


@pytest.mark.parametrize(("name", "header"), GENERATIONS, ids=[f"{n}: {h.generation}" for n, h in GENERATIONS])
def test_every_header_generation_is_recognised_and_read(name: str, header, tmp_path: Path) -> None:
    path = tmp_path / "ACC1.csv"
    path.write_text(_file_for(name, header))
    src = SourceFile.read(path)
    imp = choose(src)
    assert imp.name == name
    ex = imp.extract(src, Context({"ACC1": Account("ACC1", "ed", "traditional")}))
    if header.role == "skip":
        assert ex.skipped == {header.reason: 1} and not ex.review
    elif header.role == "positions":  # a snapshot of no known date is never taken for a 31 December value
        assert ex.events.empty and not ex.problems
        assert ex.skipped == {"positions as of an unknown date (only a 31 December value counts), accounts": 1}
    else:
        # An IRA row no rule knows is never dropped: it comes back for review, read from the right columns.
        assert ex.review == [
            {"line": 2, "date": "2024-03-05", "text": "ZZZ UNKNOWN ACTION", "amount": "1234.56", "account": "ACC1"}
        ]
