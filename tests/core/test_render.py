"""The JSON writer streams slices of rows; the document must not depend on the slice size."""

import io
import json

from basis_ledger.engine.form8606 import Options
from basis_ledger.engine.results import compute_lines
from basis_ledger.render.lines import as_objects, write_json
from tests.core.helpers import csv_text, events_from

TEXT = csv_text(
    "ed,2023-01-20,2022,,,basis_opening,9000,",
    "ed,2023-02-01,2023,IRA,,nondeductible_contribution,6500,",
    "ed,2023-02-10,,IRA,,conversion,15500.40,",
    "ed,2024-12-31,,IRA,,year_end_value,10,",
    "ann,2021-02-01,2021,IRA,,nondeductible_contribution,6000,",
    "ann,2022-06-01,,R,,roth_distribution,100,",
)


def test_streamed_json_is_the_same_document_for_any_slice_size():
    for opts in (Options(), Options(cents=True, ratio_places=3)):
        frame = compute_lines(events_from(TEXT), {}, opts)
        expected = as_objects(frame, opts)
        for chunk in (1, 2, 3, 1000):
            out = io.StringIO()
            write_json(frame, opts, out, chunk=chunk)
            assert json.loads(out.getvalue()) == expected
    empty = io.StringIO()
    write_json(frame.iloc[0:0], Options(), empty)
    assert json.loads(empty.getvalue()) == []
