"""Property: a history filed consistently (every required Form 8606 equal to the computed lines, every 5498 and
1099-R equal to the events) audits without an error, whatever the history, in whole dollars or in cents."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.audit.helpers import audit, build_ledger, only
from tests.audit.histories import consistent_documents, consistent_filings, history


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False), cents=st.booleans(), rich=st.booleans())
def test_consistent_filings_audit_without_errors(rng, cents, rich):
    rows, people = history(rng, rich=rich)
    with tempfile.TemporaryDirectory() as d:
        path = build_ledger(
            Path(d) / "l.db",
            rows,
            filed=consistent_filings(rows, people, cents),
            documents=consistent_documents(rows),
            taxpayers=people,
        )
        found = audit(path)
    errors = [(f.code, f.taxpayer, f.tax_year, f.line, f.expected, f.found) for f in found if f.severity == "error"]
    assert errors == []


def test_the_property_can_fail(tmp_path):
    # the same construction with one filed line changed is caught: the test above is not vacuous
    import random

    rows, people = history(random.Random(7))
    filed = consistent_filings(rows, people)
    form = next(f for f in filed if "14" in f["lines"])
    form["lines"]["14"] = str(int(form["lines"]["14"]) + 500)
    found = audit(
        build_ledger(tmp_path / "l.db", rows, filed=filed, documents=consistent_documents(rows), taxpayers=people)
    )
    assert [f.line for f in only(found, "filed-mismatch")] == ["14"]
