"""Texts and evidence for many findings at once: money text for an array of cents, and each finding's events
found by key in one sort of the whole frame.

A rule first selects the rows that are findings with whole-frame operations; this module then builds the
findings' texts and evidence for those rows only, so the per-row Python work is proportional to what is
reported, never to the ledger's size. The texts are the same as the scalar helpers give (money.dollars_text,
rules.common.row_evidence, context.event_evidence): the equivalence tests compare them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from basis_ledger.audit.findings import Evidence

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


def money_texts(cents: object) -> list[str]:
    """money.dollars_text of every amount (`$1,234`, `-$0.05`, `$1,234.56`), exact, for an int64 array or list."""
    return money_array(cents).to_pylist()  # type: ignore[no-any-return]


def money_array(cents: object):  # -> pyarrow.StringArray
    """money_texts as a pyarrow string array (to join into messages without a Python string per amount).

    Thousands are grouped by integer arithmetic on whole arrays (pyarrow casts each group to text), so the cost
    per amount is a few array operations instead of a Python format call."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    c = np.asarray(cents, dtype=np.int64)
    if not len(c):
        return pa.array([], type=pa.string())
    dollars, rest = np.divmod(np.abs(c), 100)
    # Groups of three digits, highest first; each group but the leading one is zero-padded and follows a comma.
    groups = max(1, (len(str(int(dollars.max()))) + 2) // 3)
    width = np.ones(len(c), dtype=np.int64)
    for k in range(1, groups):
        width += dollars >= 1000**k
    pieces: list[object] = [pc.if_else(pa.array(c < 0), "-$", "$")]
    for k in range(groups - 1, -1, -1):
        g = pa.array((dollars // 1000**k) % 1000)
        text = pc.cast(g, pa.string())
        padded = pc.binary_join_element_wise(",", pc.utf8_lpad(text, 3, "0"), "")
        pieces.append(pc.if_else(pa.array(width == k + 1), text, pc.if_else(pa.array(width > k + 1), padded, "")))
    frac = pc.binary_join_element_wise(".", pc.utf8_lpad(pc.cast(pa.array(rest), pa.string()), 2, "0"), "")
    pieces.append(pc.if_else(pa.array(rest != 0), frac, ""))
    return pc.binary_join_element_wise(*pieces, "")


def joined(*parts: object) -> list[str]:
    """Element-wise concatenation of literal strings and equal-length columns (lists or arrays of text or
    integers, or pyarrow arrays): one message per finding, without a Python format call per finding."""
    return joined_array(*parts).to_pylist()  # type: ignore[no-any-return]


def joined_array(*parts: object):  # -> pyarrow.StringArray
    import pyarrow as pa
    import pyarrow.compute as pc

    cols: list[object] = []
    for part in parts:
        if isinstance(part, str):
            cols.append(part)
            continue
        arr = part if isinstance(part, pa.Array) else pa.array(part)
        cols.append(arr if pa.types.is_string(arr.type) else pc.cast(arr, pa.string()))
    return pc.binary_join_element_wise(*cols, "")


def _codes(parts: Sequence[object]) -> np.ndarray:
    """One int64 code per position for several key columns together (equal keys, equal codes)."""
    import numpy as np
    import pandas as pd

    code = np.zeros(len(parts[0]), dtype=np.int64)  # type: ignore[arg-type]
    for col in parts:
        c, uniq = pd.factorize(np.asarray(col, dtype=object) if not _is_int(col) else np.asarray(col))
        code = code * (len(uniq) + 1) + c + 1
        code = pd.factorize(code)[0].astype(np.int64)  # keep the combined code small
    return code


def _is_int(col: object) -> bool:
    import numpy as np

    return np.asarray(col).dtype.kind in "iub"


class Matched:
    """For each wanted key, the positions of the rows with that key, in frame order (`slice(i)`)."""

    def __init__(self, positions: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> None:
        self.positions, self.starts, self.ends = positions, starts, ends

    def slice(self, i: int) -> np.ndarray:
        return self.positions[self.starts[i] : self.ends[i]]

    def count(self, i: int) -> int:
        return int(self.ends[i] - self.starts[i])

    def taken(self) -> tuple[np.ndarray, list[int]]:
        """Every wanted key's positions one after the other, and where each key's run starts (plus the end)."""
        import numpy as np

        counts = (self.ends - self.starts).tolist()
        if not counts:
            return np.zeros(0, dtype=np.int64), [0]
        take = np.concatenate([self.positions[s : s + n] for s, n in zip(self.starts.tolist(), counts, strict=True)])
        return take.astype(np.int64), [0, *np.cumsum(counts).tolist()]


def match(rows: np.ndarray, row_keys: Sequence[object], want_keys: Sequence[object]) -> Matched:
    """The rows at positions `rows` (frame order) grouped under each wanted key: one joint factorization and one
    stable sort, however many keys are wanted. `row_keys` are aligned with `rows`."""
    import numpy as np

    n = len(rows)
    joined = [np.concatenate([np.asarray(r), np.asarray(w)]) for r, w in zip(row_keys, want_keys, strict=True)]
    if not len(joined[0]):
        empty = np.zeros(len(want_keys[0]), dtype=np.int64)  # type: ignore[arg-type]
        return Matched(np.zeros(0, dtype=np.int64), empty, empty)
    code = _codes(joined)
    row_code, want_code = code[:n], code[n:]
    order = np.argsort(row_code, kind="stable")
    sorted_code = row_code[order]
    starts = np.searchsorted(sorted_code, want_code, "left")
    ends = np.searchsorted(sorted_code, want_code, "right")
    return Matched(np.asarray(rows)[order], starts, ends)


class EventTexts:
    """An events frame's columns for evidence, read once and shared by the rules (`texts_of`): each text column
    as integer codes and its distinct values, so the values at some positions are `at(name, positions)` and a
    whole-column comparison is one on small integers; no Python string per row is made (at 940,000 events a
    string per row and column would be hundreds of megabytes)."""

    def __init__(self, ev: pd.DataFrame) -> None:
        self.frame = ev
        self.source = ev  # the frame it stands for (texts_of)
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._ints: dict[str, np.ndarray] = {}
        self._texts: dict[str, np.ndarray] = {}
        self._event_ev: np.ndarray | None = None  # event_evidence made so far, by position
        self._event_done: np.ndarray | None = None

    def ints(self, name: str) -> np.ndarray:
        """An integer column (amount_cents, source_line, tax_year, id) as int64."""
        import numpy as np

        if name not in self._ints:
            self._ints[name] = self.frame[name].to_numpy(dtype=np.int64)
        return self._ints[name]

    def codes(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A text column as (codes, distinct values): values[codes] is the column; an absent column is all ""."""
        import numpy as np
        import pandas as pd

        if name not in self._codes:
            ev = self.frame
            if name in ev.columns:
                codes, uniq = pd.factorize(ev[name], use_na_sentinel=False)
                self._codes[name] = (np.asarray(codes, dtype=np.int32), np.asarray(uniq, dtype=object))
            else:
                self._codes[name] = (np.zeros(len(ev), dtype=np.int32), np.array([""], dtype=object))
        return self._codes[name]

    def at(self, name: str, positions: np.ndarray) -> np.ndarray:
        """The column's values at `positions` (object array for text, int64 for the integer columns)."""
        if name in _INT_COLUMNS:
            return self.ints(name)[positions]
        codes, uniq = self.codes(name)
        return uniq[codes[positions]]

    def year_at(self, positions: np.ndarray) -> np.ndarray:
        """The calendar year of each event's date at `positions` (int64), read once per distinct date."""
        import numpy as np

        if "_year" not in self._ints:
            self._ints["_year"] = np.array([int(str(d)[:4]) for d in self.codes("date")[1]], dtype=np.int64)
        return self._ints["_year"][self.codes("date")[0][positions]]  # type: ignore[no-any-return]

    def code_of(self, name: str, values: object) -> np.ndarray:
        """The codes `values` have in the column (-2 for a value the column does not hold): to match keys."""
        import numpy as np
        import pandas as pd

        _, uniq = self.codes(name)
        found = pd.Index(uniq).get_indexer(np.asarray(values, dtype=object))
        return np.where(found < 0, -2, found).astype(np.int64)

    def is_(self, name: str, value: str) -> np.ndarray:
        """A boolean mask: the column equals `value` (by codes)."""
        import numpy as np

        codes, uniq = self.codes(name)
        hit = np.flatnonzero(uniq == value)
        return codes == hit[0] if len(hit) else np.zeros(len(codes), dtype=bool)

    def match(self, rows: np.ndarray, names: Sequence[str], want: Sequence[object]) -> Matched:
        """`match` on the named columns at `rows` against the wanted values (text columns compared by codes)."""
        cols = []
        wanted = []
        for name, values in zip(names, want, strict=True):
            if name in _INT_COLUMNS:
                cols.append(self.ints(name)[rows])
                wanted.append(values)
            else:
                cols.append(self.codes(name)[0][rows])
                wanted.append(self.code_of(name, values))
        return match(rows, cols, wanted)

    def text_at(self, name: str, positions: np.ndarray) -> np.ndarray:
        """The column's values at `positions` as a format string would write them (str of each distinct value,
        made once): what the evidence texts print."""
        import numpy as np

        if name not in self._texts:
            self._texts[name] = np.array([str(u) for u in self.codes(name)[1]], dtype=object)
        return self._texts[name][self.codes(name)[0][positions]]  # type: ignore[no-any-return]

    def row_evidence(self, positions: np.ndarray) -> list[Evidence]:
        """rules.common.row_evidence of each position: `kind date account = $amount`, file and line."""
        import pyarrow.compute as pc

        from basis_ledger.audit.rules.common import row_evidence

        if not len(positions):
            return []
        lines = self.at("source_line", positions)
        what = joined_array(
            self.text_at("kind", positions), " ", self.text_at("date", positions), " ",
            self.text_at("account", positions), " = ", money_array(self.at("amount_cents", positions)),
        )  # fmt: skip
        whats = pc.replace_substring(what, "  ", " ").to_pylist()  # as str.replace: non-overlapping, left to right
        wheres = joined("line ", lines)
        files = self.text_at("source_file", positions).tolist()
        out = [Evidence(f, w, x) for f, w, x in zip(files, wheres, whats, strict=True)]
        for i in (lines == 0).nonzero()[0].tolist():  # a row the planner made: its memo says how (rare)
            p = positions[i : i + 1]
            out[i] = row_evidence({c: self.at(c, p)[0] for c in _ROW_COLUMNS})
        return out

    def event_evidence(self, positions: np.ndarray) -> list[Evidence]:
        """context.event_evidence's line for each position: `kind date $amount`, file and line. Each row's is
        made once and shared (missing-8606 and basis-unknown show the same distributions and conversions)."""
        import numpy as np

        if not len(positions):
            return []
        if self._event_ev is None:
            self._event_ev = np.empty(len(self.frame), dtype=object)
            self._event_done = np.zeros(len(self.frame), dtype=bool)
        todo = np.unique(positions[~self._event_done[positions]])
        if len(todo):
            amounts = money_array(self.at("amount_cents", todo))
            whats = joined(self.text_at("kind", todo), " ", self.text_at("date", todo), " ", amounts)
            wheres = joined("line ", self.at("source_line", todo))
            files = self.text_at("source_file", todo).tolist()
            made = np.empty(len(todo), dtype=object)
            made[:] = [Evidence(f, w, x) for f, w, x in zip(files, wheres, whats, strict=True)]
            self._event_ev[todo] = made
            self._event_done[todo] = True
        return self._event_ev[positions].tolist()  # type: ignore[no-any-return]

    def grouped_event_evidence(self, matched: Matched, limit: int = 12) -> list[list[Evidence]]:
        """context.evidence_by_year for each wanted key of `matched`: at most `limit` events, then a count (the
        count names the file of the last event shown)."""
        import numpy as np

        counts = matched.ends - matched.starts
        if not len(counts):
            return []
        shown = np.minimum(counts, limit)
        take = np.concatenate([matched.positions[s : s + k] for s, k in zip(matched.starts, shown, strict=True)])
        texts = self.event_evidence(take.astype(np.int64))
        out: list[list[Evidence]] = []
        at = 0
        for n, k in zip(counts.tolist(), shown.tolist(), strict=True):
            got = texts[at : at + k]
            at += k
            if n > k:
                got.append(Evidence(got[-1].file, "...", f"and {n - k} more events"))
            out.append(got)
        return out


def texts_of(ctx: object) -> EventTexts:
    """The context's EventTexts, made once per events frame and shared by every rule that reads it. An audit
    context's are of its keyed events (the same rows, with `chain` and `form_year`)."""
    ev = ctx.events  # type: ignore[attr-defined]
    cached = getattr(ctx, "_event_texts", None)
    if cached is None or cached.source is not ev:
        keyed = getattr(type(ctx), "keyed", None) is not None
        cached = EventTexts(ctx.keyed if keyed else ev)  # type: ignore[attr-defined]
        cached.source = ev
        with contextlib.suppress(AttributeError):  # a context that takes no attributes does not share them
            ctx._event_texts = cached  # type: ignore[attr-defined]
    return cached


_INT_COLUMNS = frozenset({"amount_cents", "source_line", "tax_year", "id", "form_year", "_order"})
_ROW_COLUMNS = ("kind", "date", "account", "amount_cents", "source_file", "source_line", "memo")
