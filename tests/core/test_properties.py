"""Invariants over random histories (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from basis_ledger.engine.form8606 import Options
from basis_ledger.engine.invariants import broken_rules
from basis_ledger.engine.results import check_lines, compute_lines
from tests.core.helpers import csv_text, events_from, years

YEARS = range(2015, 2025)

event = st.one_of(
    st.tuples(st.just("nondeductible_contribution"), st.integers(1, 7000)),
    st.tuples(st.just("distribution"), st.integers(1, 40000)),
    st.tuples(st.just("conversion"), st.integers(1, 40000)),
    st.tuples(st.just("after_tax_rollover_from_plan"), st.integers(1, 30000)),
)
# Returns and recharacterizations, out of either kind of IRA, in the year or after 31 December (then for the year
# before): (kind, amount, account type). Out of a Roth IRA before 2018 a recharacterization undoes a conversion.
correction = st.tuples(
    st.sampled_from(["returned_contribution", "recharacterization", "recharacterization_transfer"]),
    st.integers(1, 7000),
    st.sampled_from(["traditional", "roth"]),
)
roth_event = st.one_of(
    st.tuples(st.just("roth_contribution"), st.integers(1, 7000)),
    st.tuples(st.just("roth_distribution"), st.integers(1, 20000)),
    st.tuples(st.just("designated_roth_rollover"), st.integers(1, 20000)),
    st.tuples(st.just("roth_contribution_recharacterization"), st.integers(1, 7000)),
)


@st.composite
def histories(draw, cents: bool = False, corrections: bool = True):
    rows = []
    for person in draw(st.sampled_from([["a"], ["a", "b"]])):
        if draw(st.booleans()):
            rows.append(f"{person},2015-01-10,2014,,,basis_opening,{draw(st.integers(0, 50000))},")
        for y in YEARS:
            for kind, amount in draw(st.lists(event, max_size=3)):
                amt = f"{amount}.{draw(st.integers(0, 99)):02d}" if cents else str(amount)
                day = draw(st.integers(1, 28))
                rows.append(f"{person},{y}-06-{day:02d},{y},A,,{kind},{amt},")
            for kind, amount, acct in draw(st.lists(correction, max_size=2 if corrections else 0)):
                when = f"{y + 1}-02-{draw(st.integers(1, 28)):02d}" if draw(st.booleans()) else f"{y}-09-01"
                rows.append(f"{person},{when},{y},{'R' if acct == 'roth' else 'A'},{acct},{kind},{amount},")
            for kind, amount in draw(st.lists(roth_event, max_size=2 if corrections else 0)):
                rows.append(f"{person},{y}-07-{draw(st.integers(1, 28)):02d},{y},R,roth,{kind},{amount},")
            if draw(st.integers(0, 5)):  # usually a year-end value, sometimes none
                rows.append(f"{person},{y}-12-31,,A,,year_end_value,{draw(st.integers(0, 300000))},")
    return csv_text(*rows) if rows else csv_text("a,2020-12-31,,A,,year_end_value,1,")


def _by_person(result: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for key, o in result.items():
        if len(key) == 3 and key[1] == "own":
            out.setdefault(key[0], []).append(o)
    return {p: sorted(v, key=lambda o: o["tax_year"]) for p, v in out.items()}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_basis_is_conserved_never_negative_and_line_2_carries_line_14(text):
    result = years(text)
    events = events_from(text)
    for person, objs in _by_person(result).items():
        mine = events[events["taxpayer"] == person]
        added = mine.loc[mine["kind"].isin(["basis_opening", "after_tax_rollover_from_plan"]), "amount_cents"].sum()
        added = int(added) // 100
        used = 0
        previous_end = None
        for o in objs:
            lines = o["lines"]
            assert o["basis_end"] >= 0
            assert all(v >= 0 for k, v in lines.items() if k != "10")
            if "10" in lines:
                assert lines["10"] <= "1." + "0" * (len(lines["10"]) - 2)  # a ratio string such as "0.50000"
            if "2" in lines and previous_end is not None:
                rolled_in = mine.loc[
                    (mine["kind"] == "after_tax_rollover_from_plan") & mine["date"].str.startswith(str(o["tax_year"])),
                    "amount_cents",
                ].sum()
                assert lines["2"] == previous_end + int(rolled_in) // 100
            added += lines.get("1", 0)
            used += lines["13"] if "13" in lines else lines.get("17", 0)
            previous_end = o["basis_end"]
        # Whole-dollar inputs: every dollar of basis is either used (nontaxable) or still carried.
        assert used + objs[-1]["basis_end"] == added
        assert used <= added


@settings(max_examples=40, deadline=None)
@given(histories(cents=True), st.integers(3, 9), st.booleans())
def test_the_form_arithmetic_holds_for_any_history_places_and_units(text, places, cents):
    opts = Options(ratio_places=places, cents=cents)
    frame = compute_lines(events_from(text), {}, opts)
    assert check_lines(frame, opts) == []
    assert broken_rules(frame, opts) == []  # the vectorized asserts every run makes agree with the pandera model
    assert (frame["L10"].dropna() <= 10**places).all()


def test_import_is_idempotent(tmp_path_factory, new_ledger):
    """On both engines (tests/engines.py): 25 histories on SQLite, 10 on PostgreSQL (a database each)."""
    from pathlib import Path

    from basis_ledger.ledger.importing import import_files
    from basis_ledger.ledger.store import Ledger

    @settings(
        max_examples={"sqlite": 25, "postgresql": 10}[new_ledger.engine],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(histories(cents=True))
    def check(text):
        folder, db = tmp_path_factory.mktemp("idem"), new_ledger()
        path = folder / "h.csv"
        path.write_text(text)
        first = import_files(db.path(), [path])
        store = Ledger.open(db.path())
        before = store.events()
        store.close()
        again = import_files(db.path(), [Path(path)])
        store = Ledger.open(db.path())
        after = store.events()
        store.close()
        assert [r.status for r in first] == ["imported"] and again[0].status.startswith("already imported")
        assert after.equals(before) and len(after) == first[0].events

    check()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(corrections=False), st.lists(st.tuples(st.sampled_from(YEARS), correction, st.booleans()), max_size=3))
def test_a_return_or_recharacterization_never_adds_to_line_1_or_the_traditional_basis(text, extra):
    # Treated as never made to the traditional IRA (instructions, "Return of IRA Contributions" and
    # "Recharacterizations"): taking a contribution back can only lower line 1 and the basis carried.
    rows = [
        f"a,{f'{y + 1}-02-10' if later else f'{y}-09-01'},{y},{'R' if acct == 'roth' else 'A'},{acct},{kind},{amount},"
        for y, (kind, amount, acct), later in extra
    ]
    before, after = years(text), years(text.rstrip("\n") + "\n" + "\n".join(rows) + "\n" if rows else text)
    for key, o in before.items():
        if len(key) != 3 or key[1] != "own" or key not in after:
            continue
        assert after[key]["lines"].get("1", 0) <= o["lines"].get("1", 0)
        # Out of the traditional pool only (one moved into it after 31 December raises line 6, rightly): the basis
        # carried can only fall, give or take the rounding of line 10 and of each line to whole dollars.
        if all(acct != "roth" for _y, (_k, _a, acct), _l in extra):
            assert after[key]["basis_end"] <= o["basis_end"] + 1, (key, o["basis_end"], after[key]["basis_end"])
