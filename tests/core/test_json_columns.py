"""`compute --json` from columns (render/json_columns.py) has the same bytes as the json module's text of the
plain objects, slice by slice, for any history, places and unit, across slice boundaries."""

from __future__ import annotations

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from basis_ledger.engine.form8606 import Options
from basis_ledger.engine.objects import as_objects
from basis_ledger.loader import Loaded
from basis_ledger.render.lines import write_json
from tests.core.helpers import csv_text, events_from
from tests.core.test_properties import histories


def reference(frame, opts: Options, chunk: int) -> str:
    """What the slice-by-slice writer printed before: one json.dumps per slice of `chunk` rows."""
    out = "["
    for start in range(0, len(frame), chunk):
        body = json.dumps(as_objects(frame.iloc[start : start + chunk], opts), ensure_ascii=False)[1:-1]
        out += ("," if start else "") + body
    return out + "]\n"


def written(frame, opts: Options, chunk: int) -> str:
    buf = io.StringIO()
    write_json(frame, opts, buf, chunk)
    return buf.getvalue()


@settings(max_examples=30, deadline=None)
@given(histories(cents=True), st.integers(3, 9), st.booleans(), st.integers(1, 7))
def test_the_same_bytes_for_any_history_places_unit_and_slice(text, places, cents, chunk):
    opts = Options(ratio_places=places, cents=cents)
    frame = Loaded(events_from(text), {}, options=opts).lines
    assert written(frame, opts, chunk) == reference(frame, opts, chunk)


def test_names_that_need_escaping_and_cautions_come_out_as_json_writes_them():
    text = csv_text(
        'sé "q",2024-03-01,2024,A,traditional,nondeductible_contribution,7000,',
        'sé "q",2024-03-02,,A,traditional,conversion,7000,',
        "back\\slash,2024-12-31,,A,traditional,year_end_value,100,",
    )
    frame = Loaded(events_from(text), {}).lines
    out = written(frame, Options(), 20_000)
    assert out == reference(frame, Options(), 20_000)
    assert {o["taxpayer"] for o in json.loads(out)} == {'sé "q"', "back\\slash"}
    assert any(o["warnings"] for o in json.loads(out))  # line 6 unknown for the first: a caution is printed


def test_no_rows_is_an_empty_array():
    frame = Loaded(events_from(csv_text("a,2020-12-31,,A,,year_end_value,1,")), {}).lines.iloc[:0]
    assert written(frame, Options(), 20_000) == "[]\n"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-(10**15), 10**15), min_size=1, max_size=20), st.booleans())
def test_negative_amounts_are_written_as_money_json_amount_writes_them(cents, keep_cents):
    """No form line is negative today, but a money column must not depend on that: -1 cent is "-0.01" (not
    floor division's "-1.99") and -12.50 dollars rounds half-up away from zero, in both writers."""
    import numpy as np

    from basis_ledger.money import json_amount, json_whole_dollars
    from basis_ledger.render.json_columns import _money

    opts = Options(cents=keep_cents)
    values = np.array(cents, dtype=np.int64)
    expected = [json.dumps(json_amount(c, keep_cents=keep_cents)) for c in cents]
    assert _money(values, opts).to_pylist() == expected
    assert json_whole_dollars(values).tolist() == [json_amount(c, keep_cents=False) for c in cents]
