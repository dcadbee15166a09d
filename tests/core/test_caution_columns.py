"""The computed lines' cautions as columns (engine/results.Cautions): the same per-row lists in and out, rows
taken in any order, and the JSON writer's lists of them as the json module writes them, in both of its ways
(one integer per row's list, or tuples when the distinct cautions are too many for one integer)."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from basis_ledger.engine.results import Cautions
from basis_ledger.model import Caution
from basis_ledger.render import json_columns

cautions = st.builds(Caution, st.sampled_from(["a", "b-c", "é"]), st.text(max_size=8))
rows_of_cautions = st.lists(st.lists(cautions, max_size=4), max_size=30)


def as_lists(c: Cautions) -> list[list[Caution]]:
    return [list(ws) for ws in c.lists()]


@settings(max_examples=200, deadline=None)
@given(rows_of_cautions, st.data())
def test_lists_come_back_and_rows_are_taken_in_any_order(lists, data):
    c = Cautions.of_lists(lists)
    assert as_lists(c) == lists
    assert c.counts().tolist() == [len(ws) for ws in lists]
    if lists:
        rows = data.draw(st.lists(st.integers(0, len(lists) - 1), max_size=40))
        taken = c.take(np.array(rows, dtype=np.int64))
        assert as_lists(taken) == [lists[r] for r in rows]


class _Lines:
    """What the writer reads of the lines: their number and their caution columns."""

    def __init__(self, c: Cautions) -> None:
        self.caution_columns, self._n = c, c.n

    def __len__(self) -> int:
        return self._n


def expected(lists: list[list[Caution]]) -> list[str]:
    return [json.dumps([w.as_dict() for w in ws], ensure_ascii=False) for ws in lists]


@settings(max_examples=100, deadline=None)
@given(rows_of_cautions)
def test_the_warnings_text_is_the_json_modules(lists):
    got = json_columns._warnings(_Lines(Cautions.of_lists(lists)))  # type: ignore[arg-type]
    assert got.to_pylist() == expected(lists)


def test_too_many_distinct_cautions_for_one_integer_per_row_still_give_the_same_text():
    many = [Caution("year-end-value-missing", f"account {i}") for i in range(70_000)]
    lists = [many[i : i + 5] for i in range(0, 70_000, 5)] + [[], many[:1]]  # 70,001 ** 6 > 2 ** 62
    got = json_columns._warnings(_Lines(Cautions.of_lists(lists)))  # type: ignore[arg-type]
    assert got.to_pylist() == expected(lists)
