"""audit/columns.FindingColumns: findings as columns give back exactly the findings they were made from."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basis_ledger.audit.columns import FindingColumns, evidence_lists
from basis_ledger.audit.findings import Evidence, Finding

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
evidence = st.builds(Evidence, text, text, text)
finding = st.builds(
    Finding,
    st.sampled_from(["missing-8606", "basis-unknown", "chain-break"]),
    text,
    st.integers(1975, 2100),
    text,
    line=st.none() | text,
    expected=st.none() | text,
    found=st.none() | text,
    chain=st.sampled_from(["own", "spouse-inherited"]),
    evidence=st.lists(evidence, max_size=4).map(tuple),
)


@settings(deadline=None)  # the first example loads pyarrow
@given(st.lists(finding, max_size=20))
def test_round_trip(findings: list[Finding]) -> None:
    assert FindingColumns.of(findings).findings() == findings


@settings(deadline=None)
@given(st.lists(finding, max_size=10), st.lists(finding, max_size=10))
def test_concat_and_take(a: list[Finding], b: list[Finding]) -> None:
    both = FindingColumns.concat([FindingColumns.of(a), FindingColumns.of(b)])
    assert both.findings() == a + b
    order = np.arange(len(a) + len(b))[::-1]
    assert both.take(order).findings() == (a + b)[::-1]


def test_build_broadcasts_scalars_and_splits_evidence() -> None:
    ev = evidence_lists([0, 2, 2, 3], ["f.csv", "f.csv", "g.csv"], ["line 2", "line 3", "line 9"], ["a", "b", "c"])
    cols = FindingColumns.build(
        "missing-8606", ["ed", "ed", "jo"], np.array([2021, 2022, 2021]), ["m1", "m2", "m3"], found="none", evidence=ev
    )
    got = cols.findings()
    assert [f.found for f in got] == ["none"] * 3
    assert [f.line for f in got] == [None] * 3
    assert [f.chain for f in got] == ["own"] * 3
    assert got[0].evidence == (Evidence("f.csv", "line 2", "a"), Evidence("f.csv", "line 3", "b"))
    assert got[1].evidence == ()
    assert got[2].evidence == (Evidence("g.csv", "line 9", "c"),)


def test_unequal_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="unequal length"):
        FindingColumns.build("c", ["ed"], [2021, 2022], ["m1", "m2"])


def test_empty() -> None:
    assert len(FindingColumns.empty()) == 0
    assert FindingColumns.concat([]).findings() == []
    assert FindingColumns.of([]).findings() == []
