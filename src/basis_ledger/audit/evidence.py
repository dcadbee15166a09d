"""Texts and evidence for many findings at once: money text for an array of cents, and each finding's events
found by key in one sort of the whole frame.

A rule first selects the rows that are findings with whole-frame operations; this module then builds the
findings' texts and evidence for those rows only, so the per-row Python work is proportional to what is
reported, never to the ledger's size. The texts are the same as the scalar helpers give (money.dollars_text,
rules.common.row_evidence, context.event_evidence): the equivalence tests compare them.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from basis_ledger.audit.findings import Evidence

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from basis_ledger.engine.columns import Columns


def money_texts(cents: object) -> list[str]:
    """money.dollars_text of every amount (`$1,234`, `-$0.05`, `$1,234.56`), exact, for an int64 array or list."""
    return money_array(cents).to_pylist()  # type: ignore[no-any-return]


def money_array(cents: object):  # -> pyarrow.StringArray
    """money_texts as a pyarrow string array (to join into messages without a Python string per amount).

    Every text is written right-aligned into one fixed-width row of bytes, padded with spaces (a money text has
    none), and Arrow's whitespace trim makes the string array: the digit places are the same columns in every
    row, so each is one whole-array numpy operation, and no mask of each row's used bytes is built. The matrix
    is filled transposed (a text position is one contiguous row of it) and turned once."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    c = np.asarray(cents, dtype=np.int64)
    n = len(c)
    if not n:
        return pa.array([], type=pa.string())
    whole = np.abs(c) // 100
    rest = (np.abs(c) - whole * 100).astype(np.uint8)
    top = int(whole.max())
    # int32 arithmetic where the dollars fit: half the memory traffic of int64 for the same exact digits.
    dollars = whole.astype(np.int32) if top < 2**31 else whole
    places = len(str(top))  # the most digits any amount has
    width = 2 + places + (places - 1) // 3 + 3  # sign, $, digits and commas, .cc
    t = np.empty((width, n), dtype=np.uint8)
    _write_cents(t, rest)
    _write_digits(t, dollars, places)
    # `$` just before each amount's first digit, `-` before that: the one per-row position of a text.
    digits = 1 + np.searchsorted(10 ** np.arange(1, places, dtype=np.int64), dollars, "right")
    lead = width - 4 - (digits - 1) - (digits - 1) // 3  # the first digit's column
    t[:2] = ord(" ")
    t[lead - 1, np.arange(n)] = ord("$")
    neg = np.flatnonzero(c < 0)
    t[lead[neg] - 2, neg] = ord("-")
    rows = np.ascontiguousarray(t.T)
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    padded = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(rows))
    return pc.ascii_trim_whitespace(padded)


def _write_cents(t: np.ndarray, rest: np.ndarray) -> None:
    """The last three positions of each text: `.cc`, or spaces where the amount is whole dollars."""
    import numpy as np

    width = len(t)
    tens = rest // 10
    t[width - 3] = ord(".")
    t[width - 2] = 48 + tens
    t[width - 1] = 48 + rest - 10 * tens
    t[width - 3 :, np.flatnonzero(rest == 0)] = ord(" ")


def _write_digits(t: np.ndarray, dollars: np.ndarray, places: int) -> None:
    """The dollars' digits right-aligned before the cents, a comma before every third; a place the amount does
    not reach (and its comma) a space. The units digit is always written: `$0`."""
    import numpy as np

    q = dollars
    at = len(t) - 4
    for j in range(places):
        if j and j % 3 == 0:
            t[at] = np.where(q > 0, ord(","), ord(" "))
            at -= 1
        q10 = q // 10
        digit = (q - 10 * q10).astype(np.uint8) + 48
        if j:
            digit[q == 0] = ord(" ")
        t[at] = digit
        at -= 1
        q = q10


def joined(*parts: object) -> list[str]:
    """Element-wise concatenation of literal strings and equal-length columns (lists or arrays of text or
    integers, or pyarrow arrays): one message per finding, without a Python format call per finding."""
    return joined_array(*parts).to_pylist()  # type: ignore[no-any-return]


def joined_array(*parts: object):  # -> pyarrow.StringArray
    import pyarrow as pa
    import pyarrow.compute as pc

    cols: list[object] = []
    made: dict[int, object] = {}  # a column given more than once (a message names its year twice) is made once
    for part in parts:
        if isinstance(part, str):
            cols.append(part)
            continue
        if id(part) not in made:
            arr = part if isinstance(part, pa.Array) else pa.array(part)
            made[id(part)] = arr if pa.types.is_string(arr.type) else pc.cast(arr, pa.string())
        cols.append(made[id(part)])
    return pc.binary_join_element_wise(*cols, "")


def texts_at(names: object, codes: object):  # -> pyarrow.StringArray
    """names[codes] (distinct texts and each row's code into them, as pandas.factorize gives) as an Arrow string
    array: the distinct texts taken by code. A numpy object array of a Python string per finding costs 44 ns a
    string to turn into Arrow (FindingColumns.build), a take 5 ns."""
    import numpy as np
    import pyarrow as pa

    distinct = np.asarray(names, dtype=object)
    at = np.asarray(codes, dtype=np.int64)
    at = np.where(at < 0, at + len(distinct), at)  # as numpy indexes: -1 is the last
    return pa.array(distinct.tolist(), pa.string()).take(pa.array(at, pa.int64()))


class EvidenceColumns:
    """The evidence of n findings as flat columns: finding i's pieces are rows offsets[i]:offsets[i+1] of the
    `file`, `where` and `what` string arrays (what audit/columns.FindingColumns takes, as `lists()`)."""

    __slots__ = ("file", "offsets", "what", "where")

    def __init__(self, offsets: np.ndarray, file: object, where: object, what: object) -> None:
        import numpy as np

        self.offsets = np.asarray(offsets, dtype=np.int64)
        self.file, self.where, self.what = (_strings(a) for a in (file, where, what))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @classmethod
    def one_each(cls, file: object, where: object, what: object) -> EvidenceColumns:
        """One piece per finding (columns of equal length; a str is that text for every finding)."""
        import numpy as np

        n = next(len(a) for a in (file, where, what) if not isinstance(a, str))  # type: ignore[arg-type]
        return cls(np.arange(n + 1), *(_repeat(a, n) if isinstance(a, str) else a for a in (file, where, what)))

    def lists(self):  # -> pyarrow.ListArray
        """As FindingColumns' evidence column."""
        from basis_ledger.audit.columns import evidence_lists

        return evidence_lists(self.offsets, self.file, self.where, self.what)

    def objects(self) -> list[list[Evidence]]:
        """Each finding's evidence as Evidence objects (for the rules that still build Finding objects)."""
        flat = [
            Evidence(f, w, x)
            for f, w, x in zip(self.file.to_pylist(), self.where.to_pylist(), self.what.to_pylist(), strict=True)
        ]
        bounds = self.offsets.tolist()
        return [flat[a:b] for a, b in itertools.pairwise(bounds)]

    @classmethod
    def chained(cls, *parts: EvidenceColumns) -> EvidenceColumns:
        """For each finding, the pieces of the first part, then those of the second, and so on."""
        import numpy as np
        import pyarrow as pa

        n = len(parts[0])
        counts = [np.diff(p.offsets) for p in parts]
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(sum(counts), out=offsets[1:])
        before = np.zeros(n, dtype=np.int64)  # pieces of earlier parts in each finding
        places = []
        for p, c in zip(parts, counts, strict=True):
            owner = np.repeat(np.arange(n), c)
            within = np.arange(int(p.offsets[-1])) - p.offsets[owner]
            places.append(offsets[owner] + before[owner] + within)
            before += c
        order = np.empty(int(offsets[-1]), dtype=np.int64)
        order[np.concatenate(places)] = np.arange(len(order))
        cols = [pa.concat_arrays([getattr(p, name) for p in parts]).take(order) for name in ("file", "where", "what")]
        return cls(offsets, *cols)


def _strings(a: object):  # -> pyarrow.StringArray
    import pyarrow as pa

    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    if isinstance(a, pa.Array):
        return a if a.type == pa.string() else a.cast(pa.string())
    return pa.array(a, type=pa.string())


def _repeat(text: str, n: int):  # -> pyarrow.StringArray
    import pyarrow as pa

    return pa.repeat(pa.scalar(text, pa.string()), n)


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


def _int_codes(parts: Sequence[object]) -> np.ndarray | None:
    """_codes for integer key columns (codes, years) by arithmetic: each column shifted to start at 0 and the
    columns combined as digits of one int64 (equal keys, equal codes); None when a column is not integers or the
    combined range would not fit."""
    import numpy as np

    cols = [np.asarray(c) for c in parts]
    if not all(c.dtype.kind in "iu" for c in cols):
        return None
    code = np.zeros(len(cols[0]), dtype=np.int64)
    room = 1
    for c in cols:
        low, high = int(c.min()), int(c.max())
        span = high - low + 1
        room *= span
        if room >= 2**62:
            return None
        code = code * span + (c.astype(np.int64) - low)
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
        take, bounds = self.taken_array()
        return take, bounds.tolist()

    def taken_array(self) -> tuple[np.ndarray, np.ndarray]:
        """`taken` with the run starts as an int64 array."""
        import numpy as np

        counts = self.ends - self.starts
        bounds = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=bounds[1:])
        return self.positions[ranges(self.starts, counts)].astype(np.int64), bounds


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenation of arange(s, s + c) for each start s and count c, without a Python loop."""
    import numpy as np

    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    first = np.zeros(len(counts), dtype=np.int64)  # where each range begins in the result
    np.cumsum(counts[:-1], out=first[1:])
    return np.repeat(np.asarray(starts, dtype=np.int64) - first, counts) + np.arange(total)


def match(rows: np.ndarray, row_keys: Sequence[object], want_keys: Sequence[object]) -> Matched:
    """The rows at positions `rows` (frame order) grouped under each wanted key: one joint factorization and one
    stable sort, however many keys are wanted. `row_keys` are aligned with `rows`."""
    import numpy as np

    n = len(rows)
    joined = [np.concatenate([np.asarray(r), np.asarray(w)]) for r, w in zip(row_keys, want_keys, strict=True)]
    if not len(joined[0]):
        empty = np.zeros(len(want_keys[0]), dtype=np.int64)  # type: ignore[arg-type]
        return Matched(np.zeros(0, dtype=np.int64), empty, empty)
    code = _int_codes(joined)
    if code is None:
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

    def __init__(self, ev: pd.DataFrame, columns: Columns | None = None) -> None:
        self.frame = ev
        self.source = ev  # the frame it stands for (texts_of)
        # The engine's columns of the same rows (the loader's, or a range's), whose text columns the engine has
        # factorized already (engine/columns.Columns.factorize): their codes are taken instead of factorizing
        # the frame's column again (0.075 s over a 20,000-taxpayer ledger's ranges).
        self.columns = columns if columns is not None and len(columns) == len(ev) else None
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._ints: dict[str, np.ndarray] = {}
        self._texts: dict[str, np.ndarray] = {}
        self._index: dict[str, pd.Index] = {}

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
            shared = self._shared_codes(name)
            if shared is not None:
                self._codes[name] = shared
            elif name in ev.columns:
                codes, uniq = pd.factorize(ev[name], use_na_sentinel=False)
                self._codes[name] = (np.asarray(codes, dtype=np.int32), np.asarray(uniq, dtype=object))
            else:
                self._codes[name] = (np.zeros(len(ev), dtype=np.int32), np.array([""], dtype=object))
        return self._codes[name]

    def _shared_codes(self, name: str) -> tuple[np.ndarray, np.ndarray] | None:
        """`codes` from the engine's factorization of the same column (codes in sorted order of the values, not
        in order of first appearance: nothing here reads the order of codes), where it holds Arrow text without
        nulls (pandas' codes number a missing value; Arrow's leave it null)."""
        import numpy as np

        cols = self.columns
        if cols is None or name not in cols or name in _INT_COLUMNS:
            return None
        col = cols._data[name]
        if isinstance(col, np.ndarray) or col.null_count or not hasattr(col, "type"):
            return None
        code, names = cols.factorize(name)
        return code.astype(np.int32), np.array(names, dtype=object)

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

        index = self._index.get(name)
        if index is None:  # one hash table of the column's distinct values, kept for every later look-up
            index = self._index[name] = pd.Index(self.codes(name)[1])
        found = index.get_indexer(np.asarray(values, dtype=object))
        return np.where(found < 0, -2, found).astype(np.int64)

    def code_of_coded(self, name: str, codes: np.ndarray, distinct: object) -> np.ndarray:
        """code_of for values given as codes into their distinct values (pandas.factorize of another frame's
        column): each distinct value looked up once. A missing value (code -1) matches nothing (-2)."""
        import numpy as np

        found = self.code_of(name, distinct)
        return np.where(codes >= 0, found[np.maximum(codes, 0)] if len(found) else -2, -2)

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

    def text_array(self, name: str, positions: np.ndarray):  # -> pyarrow.StringArray
        """text_at as a pyarrow string array: the distinct texts taken by code, no Python string per row."""
        import pyarrow as pa

        key = "_arrow_" + name
        if key not in self._texts:
            self.text_at(name, positions[:0])
            self._texts[key] = pa.array(self._texts[name].tolist(), type=pa.string())  # type: ignore[assignment]
        return self._texts[key].take(self.codes(name)[0][positions])  # type: ignore[attr-defined]

    def row_evidence_columns(self, positions: np.ndarray) -> EvidenceColumns:
        """rules.common.row_evidence of each position, one piece each: `kind date account = $amount`, file and
        line (a row the planner made, with no line, says `no line` and its memo)."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        from basis_ledger.audit.rules.common import row_evidence

        positions = np.asarray(positions, dtype=np.int64)
        lines = self.at("source_line", positions)
        what = joined_array(
            self.text_array("kind", positions), " ", self.text_array("date", positions), " ",
            self.text_array("account", positions), " = ", money_array(self.at("amount_cents", positions)),
        )  # fmt: skip
        what = pc.replace_substring(what, "  ", " ")  # as str.replace: non-overlapping, left to right
        cols = [self.text_array("source_file", positions), joined_array("line ", lines), what]
        planned = np.flatnonzero(lines == 0)
        if len(planned):  # rows the planner made (rare): the scalar helper's text, put in their places
            made = [row_evidence({c: self.at(c, positions[i : i + 1])[0] for c in _ROW_COLUMNS}) for i in planned]
            index = np.arange(len(positions))
            index[planned] = len(positions) + np.arange(len(planned))
            patch = ([e.file for e in made], [e.where for e in made], [e.what for e in made])
            cols = [
                pa.concat_arrays([c, pa.array(p, pa.string())]).take(index) for c, p in zip(cols, patch, strict=True)
            ]
        return EvidenceColumns.one_each(*cols)

    def row_evidence(self, positions: np.ndarray) -> list[Evidence]:
        """row_evidence_columns as Evidence objects."""
        if not len(positions):
            return []
        return [e for each in self.row_evidence_columns(positions).objects() for e in each]

    def event_evidence_columns(self, positions: np.ndarray) -> EvidenceColumns:
        """context.event_evidence's line for each position, one piece each: `kind date $amount`, file and line."""
        import numpy as np

        positions = np.asarray(positions, dtype=np.int64)
        what = joined_array(
            self.text_array("kind", positions), " ", self.text_array("date", positions), " ",
            money_array(self.at("amount_cents", positions)),
        )  # fmt: skip
        where = joined_array("line ", self.at("source_line", positions))
        return EvidenceColumns.one_each(self.text_array("source_file", positions), where, what)

    def event_evidence(self, positions: np.ndarray) -> list[Evidence]:
        """event_evidence_columns as Evidence objects."""
        if not len(positions):
            return []
        return [e for each in self.event_evidence_columns(positions).objects() for e in each]

    def grouped_event_evidence_columns(self, matched: Matched, limit: int = 12) -> EvidenceColumns:
        """context.evidence_by_year for each wanted key of `matched`: at most `limit` events, then a count (the
        count names the file of the last event shown)."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        counts = matched.ends - matched.starts
        shown = np.minimum(counts, limit)
        more = counts - shown
        pieces = shown + (more > 0)
        offsets = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(pieces, out=offsets[1:])
        # Each piece's event: the shown events, and for the count the last one shown again (for its file).
        within = ranges(np.zeros(len(counts), dtype=np.int64), pieces)
        owner = np.repeat(np.arange(len(counts)), pieces)
        is_count = within >= shown[owner]
        pick = matched.starts[owner] + np.minimum(within, shown[owner] - 1)
        events = self.event_evidence_columns(matched.positions[pick].astype(np.int64))
        if not is_count.any():
            return EvidenceColumns(offsets, events.file, events.where, events.what)
        flag = pa.array(is_count)
        count_text = joined_array("and ", np.where(is_count, more[owner], 0), " more events")
        return EvidenceColumns(
            offsets,
            events.file,
            pc.if_else(flag, pa.scalar("...", pa.string()), events.where),
            pc.if_else(flag, count_text, events.what),
        )

    def grouped_event_evidence(self, matched: Matched, limit: int = 12) -> list[list[Evidence]]:
        """grouped_event_evidence_columns as Evidence objects."""
        if not len(matched.starts):
            return []
        return self.grouped_event_evidence_columns(matched, limit).objects()


def texts_of(ctx: object) -> EventTexts:
    """The context's EventTexts, made once per events frame and shared by every rule that reads it. An audit
    context's are of its keyed events (the same rows, with `chain` and `form_year`)."""
    ev = ctx.events  # type: ignore[attr-defined]
    cached = getattr(ctx, "_event_texts", None)
    if cached is None or cached.source is not ev:
        keyed = getattr(type(ctx), "keyed", None) is not None
        columns = getattr(ctx, "_columns", None)
        cached = EventTexts(ctx.keyed if keyed else ev, columns)  # type: ignore[attr-defined]
        cached.source = ev
        with contextlib.suppress(AttributeError):  # a context that takes no attributes does not share them
            ctx._event_texts = cached  # type: ignore[attr-defined]
    return cached


_INT_COLUMNS = frozenset({"amount_cents", "source_line", "tax_year", "id", "form_year", "_order"})
_ROW_COLUMNS = ("kind", "date", "account", "amount_cents", "source_file", "source_line", "memo")
