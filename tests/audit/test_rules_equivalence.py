"""The vectorized audit rules give exactly the findings of the per-row rules they replaced (tests/audit/
rules_oracle.py, a frozen copy): same findings, same order, same texts, same evidence, on a multi-taxpayer sample
of the bulk benchmark's ledger (with and without birth dates, at several audit dates), on random rich histories
with part of their filings and documents, and on the sample households."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from basis_ledger.audit import history, pool, reconcile
from basis_ledger.audit.columns import FindingColumns
from basis_ledger.audit.context import AuditContext, make_context
from basis_ledger.audit.rules import contributions, conversions, findings_of, rollovers
from basis_ledger.ledger.store import Ledger
from basis_ledger.model import Taxpayer
from tests.audit import rules_oracle
from tests.audit.helpers import build_ledger
from tests.audit.histories import consistent_documents, consistent_filings
from tests.audit.histories import history as random_history

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
import bulk  # noqa: E402 - the benchmark's generator, from benchmarks/

PAIRS = [  # (the rule as the audit runs it, its frozen per-row version)
    (reconcile.missing_8606, rules_oracle.missing_8606),
    (history.basis_unknown, rules_oracle.basis_unknown),
    (history.roth_five_year, rules_oracle.roth_five_year),
    (contributions.excess_contribution, rules_oracle.excess_contribution),
    (conversions.pro_rata_exposure, rules_oracle.pro_rata_exposure),
    (rollovers.basis_to_plan, rules_oracle.basis_to_plan),
    (rollovers.rollover_frequency, rules_oracle.rollover_frequency),
    (conversions.leftover_basis, rules_oracle.leftover_basis),
    (contributions.late_contribution, rules_oracle.late_contribution),
]


def assert_same_findings(ctx: AuditContext) -> dict[str, int]:
    """Every pair on one context; returns how many findings each rule gave (so a test can say it was not empty).
    A rule that returns columns is compared through the objects they give back (FindingColumns.findings), and
    its columns must have the column schema exactly."""
    counts = {}
    for new, old in PAIRS:
        found, want = new(ctx), old(ctx)
        if isinstance(found, FindingColumns):
            assert found.table.schema == FindingColumns.empty().table.schema, new.__name__
        got = findings_of(found)
        assert got == want, f"{new.__name__}: {len(got)} findings against {len(want)}"
        counts[new.__name__] = len(got)
    return counts


def _context(ledger: Path, as_of: str, people: dict | None = None) -> AuditContext:
    with Ledger.open(ledger) as store:
        events, taxpayers = store.events(), store.taxpayers()
        filed, docs, accounts = store.filed_forms(), store.documents(), store.accounts()
    return make_context(
        events,
        people if people is not None else taxpayers,
        filed_forms=filed,
        documents=docs,
        accounts=accounts,
        as_of=date.fromisoformat(as_of),
    )


@pytest.fixture(scope="module")
def bulk_ledger(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("bulk")
    csv, ledger = work / "bulk.csv", work / "bulk.db"
    bulk.generate(csv, 300, extra=bulk.PLAN_ROLLOVERS)
    subprocess.run(
        [sys.executable, "-m", "basis_ledger", "--ledger", str(ledger), "import", str(csv)],
        check=True,
        capture_output=True,
    )
    return ledger


@pytest.mark.parametrize("as_of", ["2030-01-01", "2021-06-01"])
def test_rules_equal_the_per_row_rules_on_a_sample_of_the_bulk_ledger(bulk_ledger, as_of):
    counts = assert_same_findings(_context(bulk_ledger, as_of))
    # the sample exercises every rule compared (none passes by finding nothing) but leftover-basis, which the
    # bulk histories never leave (test_leftover_basis_equals_the_per_row_rule)
    assert all(n > 0 for rule, n in counts.items() if rule not in ("leftover_basis", "late_contribution")), counts


def test_rules_equal_the_per_row_rules_with_birth_dates(bulk_ledger):
    with Ledger.open(bulk_ledger) as store:
        names = sorted(store.taxpayers())
    # some 50 or older (the catch-up), some under 59½ (the Roth clock), some unknown
    people = {t: Taxpayer(t, None if i % 7 == 0 else f"19{50 + i % 25}-0{1 + i % 9}-15") for i, t in enumerate(names)}
    counts = assert_same_findings(_context(bulk_ledger, "2030-01-01", people))
    assert counts["excess_contribution"] > 0 and counts["roth_five_year"] > 0, counts


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False), keep=st.floats(0, 1), as_of=st.sampled_from(["2030-01-01", "2022-03-01"]))
def test_rules_equal_the_per_row_rules_on_random_histories(tmp_path_factory, rng, keep, as_of):
    rows, people = random_history(rng, rich=True)
    if rng.random() < 0.5:  # a contribution over the limit, now and then
        t = next(iter(people))
        rows.append(f"{t},2021-03-01,2021,{t.upper()}-IRA,traditional,nondeductible_contribution,9000,")
    filed = [f for f in consistent_filings(rows, people) if rng.random() < keep]  # some years filed, some not
    docs = [d for d in consistent_documents(rows) if rng.random() < keep]
    ledger = build_ledger(tmp_path_factory.mktemp("h") / "l.db", rows, filed=filed, documents=docs, taxpayers=people)
    assert_same_findings(_context(ledger, as_of))


def test_rules_equal_the_per_row_rules_on_the_sample_households(tmp_path):
    setups = {
        "messy": [
            ("taxpayer", "set", "dana", "--ssn-last4", "1111", "--birth-date", "1978-05-12"),
            ("taxpayer", "set", "lee", "--ssn-last4", "2222", "--birth-date", "1972-09-30"),
            ("account", "set", "ACME-401K", "--owner", "dana", "--type", "plan"),
        ]
    }
    cases = {
        "demo": [REPO / "sample_data" / "demo-household.csv"],
        "messy": sorted(p for p in (REPO / "sample_data" / "messy-household").glob("*") if p.suffix != ".md"),
        "story": [REPO / "sample_data" / "story-ledger.csv"],
    }
    for name, files in cases.items():
        ledger = tmp_path / f"{name}.db"
        base = [sys.executable, "-m", "basis_ledger", "--ledger", str(ledger)]
        for args in (*setups.get(name, ()), ("import", *map(str, files))):
            subprocess.run([*base, *args], check=True, capture_output=True)
        assert_same_findings(_context(ledger, "2030-01-01"))


def test_leftover_basis_equals_the_per_row_rule(tmp_path):
    rows = [  # basis 6,000; the value fell to 5,940 and all of it was converted: 60 of basis with $0 behind it
        "al,2024-01-10,2023,,traditional,basis_opening,6000,",
        "al,2024-06-01,,IRA-1,traditional,conversion,5940,",
        "al,2024-12-31,,IRA-1,traditional,year_end_value,0,",
        "bo,2023-03-01,2023,BO-IRA,traditional,nondeductible_contribution,6500,",  # no money behind it at all
        "bo,2023-12-31,,BO-IRA,traditional,year_end_value,0,",
        "bo,2023-12-31,,BO-INH,inherited_traditional,year_end_value,0,",
        "cy,2024-01-10,2023,,traditional,basis_opening,6000,",  # a dollar stays: no finding
        "cy,2024-06-01,,IRA-9,traditional,conversion,5940,",
        "cy,2024-12-31,,IRA-9,traditional,year_end_value,1,",
    ]
    counts = assert_same_findings(_context(build_ledger(tmp_path / "l.db", rows), "2030-01-01"))
    assert counts["leftover_basis"] == 2, counts


def test_late_contribution_equals_the_per_row_rule(tmp_path):
    rows = [  # the bulk histories are never late: deadlines moved (COVID, weekends), traditional and Roth
        "ed,2020-07-15,2019,IRA-1,traditional,nondeductible_contribution,100,",
        "ed,2020-07-16,2019,IRA-1,traditional,nondeductible_contribution,250.50,",
        "ed,2021-05-18,2020,IRA-1,traditional,deductible_contribution,1000,",
        "ed,2023-04-19,2022,ROTH-1,roth,roth_contribution,100,",
        "jo,2023-04-18,2022,ROTH-2,roth,roth_contribution,100,",
        "jo,2024-05-01,2023,JO-IRA,traditional,nondeductible_contribution,7000,",
    ]
    counts = assert_same_findings(_context(build_ledger(tmp_path / "l.db", rows), "2030-01-01"))
    assert counts["late_contribution"] == 4, counts


def test_the_pool_estimate_equals_the_per_row_estimate(bulk_ledger):
    ctx = _context(bulk_ledger, "2030-01-01")
    ev = pool.ordered(ctx.events)
    rng = random.Random(3)
    rows = ev.iloc[sorted(rng.sample(range(len(ev)), 300))]
    points = [
        pool.Point(t, d, None if i % 3 == 0 else int(o))
        for i, (t, d, o) in enumerate(zip(rows["taxpayer"], rows["date"], rows["_order"], strict=True))
    ]
    got_values, got_used = pool.account_values_many(ev, points)
    want_values, want_used = rules_oracle.account_values_many(ev, points)
    assert got_values == want_values
    assert [list(v) for v in got_values] == [list(v) for v in want_values]  # the same accounts, in the same order
    # the same rows, columns, dtypes and order; the index is not compared (the per-row estimate's came from the
    # positions of a merge, which the coded join does not make, and no caller reads it)
    assert got_used.equals(want_used.reset_index(drop=True))
    assert pool.basis_at(ev, ctx.taxpayers, points) == rules_oracle.basis_at(ev, ctx.taxpayers, points)


def test_the_comparison_can_fail(bulk_ledger, monkeypatch):
    # Deliberately wrong money texts, or each key's events in another order, are caught: not vacuous.
    from basis_ledger.audit import evidence

    ctx = _context(bulk_ledger, "2030-01-01")
    import pyarrow.compute as pc

    real_texts, real_match = evidence.money_array, evidence.Matched.__init__
    monkeypatch.setattr(evidence, "money_array", lambda cents: pc.replace_substring(real_texts(cents), ",", ""))
    with pytest.raises(AssertionError, match="findings against"):
        assert_same_findings(ctx)
    monkeypatch.undo()

    def reversed_groups(self, positions, starts, ends):  # every group's rows last to first
        real_match(self, positions.copy(), starts, ends)
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            self.positions[s:e] = positions[s:e][::-1]

    monkeypatch.setattr(evidence.Matched, "__init__", reversed_groups)
    with pytest.raises(AssertionError, match="findings against"):
        assert_same_findings(ctx)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-(10**15), 10**15) | st.integers(-1000, 1000), max_size=40))
def test_money_texts_are_dollars_text(cents):
    # the byte-matrix formatter against the scalar one: signs, commas, cents, zero, every width in one array
    from basis_ledger.audit.evidence import money_texts
    from basis_ledger.money import dollars_text

    assert money_texts(cents) == [dollars_text(c) for c in cents]


def test_money_texts_on_both_sides_of_the_int32_dollars():
    # money_array works in int32 while every amount's dollars fit, in int64 otherwise: the edges of each, and
    # an array holding both kinds of widths
    from basis_ledger.audit.evidence import money_texts
    from basis_ledger.money import dollars_text

    edge = 2**31 * 100
    for cents in ([edge - 1, -(edge - 1), edge - 100], [edge, -edge, edge + 1, 0, -5], [0], [-1, 100, 99999]):
        assert money_texts(cents) == [dollars_text(c) for c in cents], cents


def test_basis_at_with_a_missing_account_equals_the_per_row_estimate(tmp_path):
    # The stand-ins' columns are each text's distinct values taken by code: a missing value (pandas' code -1, in a
    # frame built by hand; the ledger has none) is a null there, not the estimate's own account
    rows = [
        "ann,2022-03-01,2022,ANN-IRA,traditional,nondeductible_contribution,6000,",
        "ann,2022-12-31,2022,ANN-IRA,traditional,year_end_value,9000,",
        "ann,2023-02-01,2023,ANN-401K,traditional,rollover_to_plan,3000,",
        "ann,2023-03-01,2023,ANN-ROTH,roth,roth_contribution,100,",
    ]
    ctx = _context(build_ledger(tmp_path / "l.db", rows), "2030-01-01")
    ev = pool.ordered(ctx.events)
    ev.loc[3, "account"] = None
    points = [pool.Point("ann", "2023-02-01", int(ev["_order"].iloc[2])), pool.Point("ann", "2023-06-01", None)]
    want = rules_oracle.basis_at(ev, ctx.taxpayers, points)
    assert pool.basis_at(ev, ctx.taxpayers, points) == want == [600000, 600000]


def test_code_of_coded_looks_up_each_distinct_value_as_code_of_does():
    # values given as codes into their distinct values (a lines frame's factorized taxpayers): the same codes as
    # code_of of the values themselves; a missing value (-1) or one the events lack matches nothing (-2)
    import numpy as np
    import pandas as pd

    from basis_ledger.audit.evidence import EventTexts

    E = EventTexts(pd.DataFrame({"taxpayer": ["b", "a", "b", "c"]}))
    distinct = np.array(["c", "x", "a"], dtype=object)
    codes = np.array([0, 2, -1, 1, 0])
    assert E.code_of_coded("taxpayer", codes, distinct).tolist() == [2, 1, -2, -2, 2]
    assert (
        E.code_of_coded("taxpayer", codes[[0, 1, 4]], distinct).tolist()
        == E.code_of("taxpayer", ["c", "a", "c"]).tolist()
    )
    assert E.code_of_coded("taxpayer", np.array([-1, -1]), np.array([], dtype=object)).tolist() == [-2, -2]


def test_event_texts_take_the_engines_codes_with_the_same_values():
    # EventTexts given the engine's columns of the same rows reads their factorization (sorted order) instead of
    # pandas' (order of first appearance): every value, mask and look-up must be the same; a text column with a
    # null, or one the columns lack, is factorized from the frame as before
    import numpy as np
    import pyarrow as pa

    from basis_ledger.audit.evidence import EventTexts
    from basis_ledger.engine.columns import Columns

    table = pa.table(
        {
            "taxpayer": ["b", "a", "b", "c", "a"],
            "kind": ["conversion", "year_end_value", "conversion", "distribution", "conversion"],
            "memo": ["x", None, "y", "x", None],
            "amount_cents": [1, 2, 3, 4, 5],
        }
    )
    columns = Columns.of_arrow(table)
    frame = columns.frame().assign(chain=["own", "own", "inherited:X", "own", "own"])
    plain, shared = EventTexts(frame), EventTexts(frame, columns)
    assert shared.columns is columns and EventTexts(frame.iloc[:2], columns).columns is None  # other rows: not
    positions = np.array([4, 0, 3, 3, 1])
    for name in ("taxpayer", "kind", "memo", "chain", "amount_cents"):
        assert shared.at(name, positions).tolist() == plain.at(name, positions).tolist()
        assert shared.text_array(name, positions).to_pylist() == plain.text_array(name, positions).to_pylist()
    assert shared.codes("taxpayer")[1].tolist() == ["a", "b", "c"]  # the engine's, sorted
    assert shared.codes("memo")[1].tolist() == plain.codes("memo")[1].tolist()  # a null: the frame's own
    assert shared.is_("kind", "conversion").tolist() == plain.is_("kind", "conversion").tolist()
    wanted = ["c", "zz", "a"]
    assert (shared.codes("taxpayer")[1][shared.code_of("taxpayer", wanted)[[0, 2]]] == ["c", "a"]).all()
    assert shared.code_of("taxpayer", wanted)[1] == -2
    rows = np.arange(5)
    assert [shared.match(rows, ["taxpayer"], [wanted]).slice(i).tolist() for i in range(3)] == [
        plain.match(rows, ["taxpayer"], [wanted]).slice(i).tolist() for i in range(3)
    ]


def test_pool_codes_taken_from_the_shared_texts_number_the_same_values():
    # basis_to_plan gives pool.Codes the shared texts' codes at the rows it keeps instead of factorizing them
    # again: each column decodes to the same values, and date and account are numbered in sorted order as
    # pandas.factorize(sort=True) numbers them (their order is what _Pairs compares)
    import numpy as np
    import pandas as pd

    from basis_ledger.audit.evidence import EventTexts
    from basis_ledger.audit.pool import Codes

    frame = pd.DataFrame(
        {
            "taxpayer": ["b", "a", "b", "c", "a", "b"],
            "date": ["2021-03-01", "2020-12-31", "2019-01-05", "2021-03-01", "2022-01-01", "2018-06-30"],
            "kind": ["conversion", "year_end_value", "rollover_to_plan", "conversion", "distribution", "x"],
            "account": ["Z1", "A9", "M5", "A9", "Z1", "B2"],
            "account_type": ["traditional", "roth", "traditional", None, "sep", "traditional"],
        }
    )
    rows = np.array([0, 2, 3, 5])
    sub = frame.iloc[rows].reset_index(drop=True)
    plain, shared = Codes(sub), Codes(sub, EventTexts(frame), rows)

    def values(codes, names):  # decoded; pandas' -1 and a NaN or None value are all "missing"
        names = np.asarray(names, dtype=object)
        return [None if c < 0 or pd.isna(names[c]) else names[c] for c in codes.tolist()]

    for name in ("taxpayer", "date", "kind", "account", "account_type"):
        assert values(*getattr(shared, name)) == values(*getattr(plain, name))
    for name in ("date", "account"):
        names = list(getattr(shared, name)[1])
        assert names == sorted(names)
        codes = getattr(shared, name)[0]
        assert (np.argsort(codes, kind="stable") == np.argsort(getattr(plain, name)[0], kind="stable")).all()


def test_keyed_chains_from_codes_are_the_column_pandas_makes_of_the_names():
    # event_keys builds the chain column from the placement's codes and names by an Arrow take: the same values
    # and the same dtype as assigning the object array of names, whichever way the placement holds them
    import numpy as np
    import pandas as pd

    from basis_ledger.audit.context import event_keys
    from basis_ledger.engine.routing import Placed

    events = pd.DataFrame({"taxpayer": ["a", "b", "a"], "amount_cents": [1, 2, 3]})
    names = ["inherited:X1", "own"]
    code = np.array([1, 0, 1])
    years = np.array([2020, 2021, 2020])
    late = np.zeros(3, dtype=bool)
    coded = event_keys(events, Placed((code, names), years, years, late))
    plain = event_keys(events, Placed(np.array(names, dtype=object)[code], years, years, late))
    reference = events.assign(chain=np.array(names, dtype=object)[code])
    for out in (coded, plain):
        assert out["chain"].tolist() == ["own", "inherited:X1", "own"]
        assert out["chain"].dtype == reference["chain"].dtype
        assert out["form_year"].tolist() == [2020, 2021, 2020]


def test_the_placement_taken_from_the_engine_inputs_is_the_events_own(bulk_ledger):
    # Once the lines are computed, an audit view's placement is the engine inputs' (Inputs.routed), not placed
    # again: it must be where engine/routing.place puts the view's own events, row for row
    import numpy as np

    from basis_ledger.audit.run import Ranges
    from basis_ledger.commands.audit import load_context
    from basis_ledger.engine.routing import place

    ctx = load_context(str(bulk_ledger), None, 5, False, "2030-01-01")
    views = 0
    for view in Ranges(ctx, rows=4000):  # several ranges, each its own inputs
        view.lines  # noqa: B018 - builds the inputs
        assert view.placed is view.inputs.routed
        want = place(view.events)
        for field in ("chain", "form_year", "date_year", "late"):
            assert np.array_equal(getattr(view.placed, field), getattr(want, field)), field
        views += 1
    assert views > 1


def test_rules_equal_the_per_row_rules_with_taxpayers_the_table_lacks(bulk_ledger):
    # A person the taxpayer table lacks has no birth date: the limit without the catch-up (excess_contribution
    # looks the birth dates up once per distinct name, a missing one as "")
    with Ledger.open(bulk_ledger) as store:
        names = sorted(store.taxpayers())
    people = {t: Taxpayer(t, "1950-01-15" if i % 2 else None) for i, t in enumerate(names) if i % 3}
    counts = assert_same_findings(_context(bulk_ledger, "2030-01-01", people))
    assert counts["excess_contribution"] > 0, counts
