"""The engine's inputs built by integer codes (engine/inputs.py, engine/routing.py) equal, field by field, the
per-group pandas build they replaced (tests/core/inputs_oracle.py, a frozen copy): on random histories with
birth dates, Roth clocks and declarations, on frames as the ledger gives them back (Arrow strings), on the sample
households and on a sample of the bulk benchmark's file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from basis_ledger.engine.inputs import FIELDS, Inputs, build
from basis_ledger.ledger.store import Ledger
from basis_ledger.model import Taxpayer
from tests.core import inputs_oracle
from tests.core.helpers import csv_text, events_from
from tests.core.test_properties import histories

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
import bulk  # noqa: E402 - the benchmark's generator, from benchmarks/


def assert_same(got: Inputs, want: Inputs) -> None:
    pd.testing.assert_frame_equal(got.chains, want.chains)
    assert np.array_equal(got.years, want.years)
    assert sorted(got.arrays) == sorted(want.arrays) == sorted(FIELDS)
    for name in FIELDS:
        assert got[name].dtype == want[name].dtype == np.int64, name
        assert np.array_equal(got[name], want[name]), name
    assert np.array_equal(got.birth_known, want.birth_known) and got.birth_known.dtype == bool
    assert got.missing_values == want.missing_values
    assert list(got.missing_values) == list(want.missing_values)  # same order: the cautions list them in it
    g, w = got.routed, want.routed
    assert g is not None and w is not None
    for part in ("chain", "form_year", "date_year", "late"):
        assert np.array_equal(getattr(g, part), getattr(w, part)), part
        assert getattr(g, part).dtype == getattr(w, part).dtype, part
    assert sorted(g.hits) == sorted(w.hits)
    for name, (rows, values) in w.hits.items():
        assert np.array_equal(g.hits[name][0], rows), name
        assert np.array_equal(g.hits[name][1], values) and g.hits[name][1].dtype == np.int64, name


people = st.fixed_dictionaries(
    {
        "birth": st.sampled_from([None, "1950-03-15", "1958-08-31", "1962-01-01", "1966-12-31"]),
        "roth_first": st.sampled_from([None, 2010, 2016, 2021]),
        "declared": st.lists(st.tuples(st.integers(2014, 2025), st.one_of(st.none(), st.integers(0, 700000)))),
    }
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(cents=True), st.dictionaries(st.sampled_from(["a", "b"]), people), st.booleans())
def test_codes_build_equals_the_pandas_build_on_random_histories(text, facts, as_arrow):
    events = events_from(text)
    if as_arrow:  # as the ledger gives them back: Arrow-backed strings
        events = events.convert_dtypes(dtype_backend="pyarrow")
    taxpayers = {
        t: Taxpayer(t, f["birth"], f["roth_first"], declarations=tuple(sorted(dict(f["declared"]).items())))
        for t, f in facts.items()
    }
    assert_same(build(events, taxpayers), inputs_oracle.build(events, taxpayers))


def test_codes_build_equals_the_pandas_build_on_inherited_iras_and_accounts_without_year_end_values():
    text = csv_text(
        "ed,2019-03-01,2019,INH-9,inherited_traditional,distribution,500,",
        "ed,2019-12-31,,INH-9,inherited_traditional,year_end_value,9000,",
        "ed,2021-04-01,2021,INH-9,inherited_traditional,distribution,700,",
        "ed,2020-05-01,2020,IRA-2,traditional,nondeductible_contribution,6000,",
        "ed,2020-12-31,,IRA-1,traditional,year_end_value,1000,",
        "ed,2021-12-31,,IRA-3,traditional,year_end_value,0,",
        "al,2018-01-10,2017,,traditional,basis_opening,2500,",
        "al,2022-06-01,2022,AL-R,roth,roth_distribution,4000,",
        "al,2016-06-01,2016,AL-R,roth,roth_contribution,5500,",
    )
    events = events_from(text)
    people = {"al": Taxpayer("al", "1955-02-28"), "ed": Taxpayer("ed", None, declarations=((2020, 100000),))}
    assert_same(build(events, people), inputs_oracle.build(events, people))


MESSY_SETUP = (  # as `make demo` declares them before importing the messy household
    ("taxpayer", "set", "dana", "--ssn-last4", "1111", "--birth-date", "1978-05-12"),
    ("taxpayer", "set", "lee", "--ssn-last4", "2222", "--birth-date", "1972-09-30"),
    ("account", "set", "ACME-401K", "--owner", "dana", "--type", "plan"),
)


def _ledger_events(tmp_path: Path, *files: Path, setup=()) -> tuple[pd.DataFrame, dict[str, Taxpayer]]:
    ledger = tmp_path / "l.db"
    base = [sys.executable, "-m", "basis_ledger", "--ledger", str(ledger)]
    for args in (*setup, ("import", *map(str, files))):
        subprocess.run([*base, *args], check=True, capture_output=True)
    with Ledger.open(ledger) as store:
        return store.events(), store.taxpayers()


def test_codes_build_equals_the_pandas_build_on_the_sample_households(tmp_path):
    for i, (files, setup) in enumerate(
        [
            ([REPO / "sample_data" / "demo-household.csv"], ()),
            (sorted((REPO / "sample_data" / "messy-household").glob("*.csv")), MESSY_SETUP),
            ([REPO / "sample_data" / "story-ledger.csv"], ()),
        ]
    ):
        (tmp_path / str(i)).mkdir()
        events, people = _ledger_events(tmp_path / str(i), *files, setup=setup)
        assert len(events)
        assert_same(build(events, people), inputs_oracle.build(events, people))


def test_codes_build_equals_the_pandas_build_on_a_sample_of_the_bulk_file(tmp_path):
    csv = tmp_path / "bulk.csv"
    bulk.generate(csv, 400, extra=bulk.PLAN_ROLLOVERS)
    events, people = _ledger_events(tmp_path, csv)
    assert len(events) > 15_000
    assert_same(build(events, people), inputs_oracle.build(events, people))
    # with birth dates, so the Roth clock and the qualified distributions are exercised at this size too
    people = {t: Taxpayer(t, f"19{50 + i % 20}-0{1 + i % 9}-15") for i, t in enumerate(sorted(people))}
    assert_same(build(events, people), inputs_oracle.build(events, people))
