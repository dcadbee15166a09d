"""Where an event lands is one rule (schemas/event_kinds.toml, applied by engine/routing.py): the engine, the
audit, the planner's balances and the workbook's notes all see the same year, chain and input for an event."""

from __future__ import annotations

from datetime import date

from basis_ledger.audit.context import make_context
from basis_ledger.audit.pool import flows
from basis_ledger.engine.inputs import FIELDS, INTERNAL_FIELDS, build
from basis_ledger.engine.routing import check_table, place, route
from basis_ledger.model import kinds
from basis_ledger.render.workbook import write_workbook
from basis_ledger.taxcalendar import extended_due_date
from tests.core.helpers import csv_text, events_from, years

# A 2023 contribution returned in March 2024, before the due date: it was never made, so it is a 2023 event
# (off 2023's line 1), not a 2024 one. A 2021 contribution returned after the extended due date of the 2021
# return is a withdrawn excess: it leaves the basis in 2023, the year it comes out.
HISTORY = csv_text(
    "ed,2022-12-31,2022,,traditional,basis_opening,1000,",
    "ed,2023-05-01,2023,IRA-1,traditional,nondeductible_contribution,6500,",
    "ed,2023-12-31,,IRA-1,traditional,year_end_value,20000,",
    "ed,2024-03-10,2023,IRA-1,traditional,returned_contribution,6500,returned before the due date",
    "ed,2024-12-31,,IRA-1,traditional,year_end_value,21000,",
)


def test_returned_before_the_due_date_is_an_event_of_its_own_tax_year_everywhere(tmp_path):
    ev = events_from(HISTORY)
    returned = ev.index[ev["kind"] == "returned_contribution"][0]
    # the engine: never made, so 2023's line 1 is 0 and the basis stays 1,000
    got = years(HISTORY)
    assert got[("ed", 2023)]["lines"].get("1", 0) in (0, None) and got[("ed", 2023)]["basis_end"] == 1000
    inp = build(ev, {})
    j = 2023 - int(inp.years[0])
    assert inp["returned_traditional"][0, j] == 650000
    # the audit: the same year
    ctx = make_context(ev, {}, as_of=date(2026, 6, 1))
    assert int(ctx.keyed.loc[returned, "form_year"]) == 2023
    assert returned in ctx.at("ed", "own", 2023).index
    assert returned not in ctx.at("ed", "own", 2024).index
    # the workbook: the Events sheet's form year and the note of 2023's "returned" cell
    from openpyxl import load_workbook

    path = tmp_path / "w.xlsx"
    write_workbook(path, ctx, [])
    wb = load_workbook(path)
    rows = list(wb["Events"].iter_rows(values_only=True))
    head = rows[0]
    (ret,) = [r for r in rows[1:] if r[head.index("Kind")] == "returned_contribution"]
    assert ret[head.index("Form year")] == 2023
    ws = wb["ed"]
    label = next(c for c in ws["A"] if str(c.value).startswith("Traditional contributions returned"))
    year_col = {c.value: c.column for c in ws[5] if isinstance(c.value, int)}
    note_2023 = ws.cell(label.row, year_col[2023]).comment
    assert note_2023 is not None and "returned_contribution 2024-03-10" in note_2023.text
    assert ws.cell(label.row, year_col[2024]).comment is None


def test_returned_after_the_extended_due_date_lands_in_the_year_it_comes_out():
    text = csv_text(
        "ed,2021-05-01,2021,IRA-1,traditional,nondeductible_contribution,6000,",
        "ed,2021-12-31,,IRA-1,traditional,year_end_value,6000,",
        "ed,2023-03-01,2021,IRA-1,traditional,returned_contribution,1000,a withdrawn excess",
        "ed,2023-12-31,,IRA-1,traditional,year_end_value,5000,",
    )
    ev = events_from(text)
    placed = place(ev)
    assert placed.form_year.tolist() == [2021, 2021, 2023, 2023]
    assert placed.late.tolist() == [False, False, True, False]
    routed = route(ev, {"qualified": ev["kind"] == "", "nonqualified": ev["kind"] == ""})
    assert set(routed.hits) >= {"returned_late", "nondeductible", "year_end_value"}
    assert "returned_traditional" not in routed.hits


def test_the_extended_due_date_moves_off_a_weekend():
    # 15 October 2023 was a Sunday: a 2022 contribution returned on Monday 16 October 2023 came back in time.
    assert extended_due_date(2022) == date(2023, 10, 16)
    text = csv_text(
        "ed,2022-05-01,2022,IRA-1,traditional,nondeductible_contribution,6000,",
        "ed,2022-12-31,,IRA-1,traditional,year_end_value,6000,",
        "ed,2023-10-16,2022,IRA-1,traditional,returned_contribution,6000,",
        "ed,2023-10-17,2022,IRA-1,traditional,returned_contribution,1,a day late",
    )
    placed = place(events_from(text))
    assert placed.late.tolist() == [False, False, False, True]
    assert placed.form_year.tolist() == [2022, 2022, 2022, 2023]


def test_the_table_is_consistent_and_covers_every_engine_input():
    assert check_table() == []
    routed_fields = {r.field for k in kinds().values() for r in k.routes}
    # The declarations (engine/inputs.py) fill `undeclared` from the undeclared contributions; line 6's
    # recharacterizations and the missing 31 December values are derived from routed parts and the accounts.
    computed = {"undeclared", "value_recharacterized", "year_end_value_missing"}
    assert routed_fields <= set(FIELDS) | set(INTERNAL_FIELDS)
    assert set(FIELDS) - computed <= routed_fields, "an engine input nothing routes to"
    assert set(INTERNAL_FIELDS) <= routed_fields


def test_balance_flows_come_from_the_table():
    f = flows()
    assert f["conversion"] == -1 and f["nondeductible_contribution"] == 1
    assert "year_end_value" not in f and "basis_opening" not in f
