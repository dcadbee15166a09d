"""Texts and evidence for many findings at once: money text for an array of cents, and each finding's events
found by key in one sort of the whole frame.

A rule first selects the rows that are findings with whole-frame operations; this module then builds the
findings' texts and evidence for those rows only, so the per-row Python work is proportional to what is
reported, never to the ledger's size. The texts are the same as the scalar helpers give (money.dollars_text,
rules.common.row_evidence, context.event_evidence): the equivalence tests compare them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from basis_ledger.audit.findings import Evidence

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


def money_texts(cents: object) -> list[str]:
    """money.dollars_text of every amount (`$1,234`, `-$0.05`, `$1,234.56`), exact, for an int64 array or list.

    Thousands are grouped by integer arithmetic on whole arrays (pyarrow casts each group to text), so the cost
    per amount is a few array operations instead of a Python format call."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    c = np.asarray(cents, dtype=np.int64)
    if not len(c):
        return []
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
    return pc.binary_join_element_wise(*pieces, "").to_pylist()


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
    """An events frame's evidence texts, built for the positions asked only (columns read once, lazily)."""

    def __init__(self, ev: pd.DataFrame) -> None:
        self.frame = ev
        self._cols: dict[str, np.ndarray] = {}

    def col(self, name: str) -> np.ndarray:
        import numpy as np

        if name not in self._cols:
            ev = self.frame
            if name in ev.columns:
                self._cols[name] = ev[name].to_numpy(dtype=np.int64 if name in _INT_COLUMNS else object)
            else:
                self._cols[name] = np.full(len(ev), "", dtype=object)
        return self._cols[name]

    def row_evidence(self, positions: np.ndarray) -> list[Evidence]:
        """rules.common.row_evidence of each position: `kind date account = $amount`, file and line."""
        from basis_ledger.audit.rules.common import row_evidence

        if not len(positions):
            return []
        kind, date, acct = (self.col(c)[positions].tolist() for c in ("kind", "date", "account"))
        files, lines = self.col("source_file")[positions].tolist(), self.col("source_line")[positions].tolist()
        amounts = money_texts(self.col("amount_cents")[positions])
        out = []
        for i, (k, d, a, m, f, line) in enumerate(zip(kind, date, acct, amounts, files, lines, strict=True)):
            if not line:  # a row the planner made: its memo says how (rare; the scalar helper says it)
                p = int(positions[i])
                row = {c: self.col(c)[p] for c in _ROW_COLUMNS}
                out.append(row_evidence(row))
            else:
                out.append(Evidence(str(f), f"line {line}", f"{k} {d} {a} = {m}".replace("  ", " ")))
        return out

    def event_evidence(self, positions: np.ndarray) -> list[Evidence]:
        """context.event_evidence's line for each position: `kind date $amount`, file and line."""
        if not len(positions):
            return []
        kind, date = self.col("kind")[positions].tolist(), self.col("date")[positions].tolist()
        files, lines = self.col("source_file")[positions].tolist(), self.col("source_line")[positions].tolist()
        amounts = money_texts(self.col("amount_cents")[positions])
        return [
            Evidence(str(f), f"line {line}", f"{k} {d} {m}")
            for k, d, m, f, line in zip(kind, date, amounts, files, lines, strict=True)
        ]

    def grouped_event_evidence(self, matched: Matched, limit: int = 12) -> list[list[Evidence]]:
        """context.evidence_by_year for each wanted key of `matched`: at most `limit` events, then a count (the
        count names the file of the last event shown)."""
        import numpy as np

        counts = matched.ends - matched.starts
        shown = np.minimum(counts, limit)
        take = np.concatenate([matched.positions[s : s + k] for s, k in zip(matched.starts, shown, strict=True)])
        texts = self.event_evidence(take.astype(np.int64)) if len(shown) else []
        out: list[list[Evidence]] = []
        at = 0
        for n, k in zip(counts.tolist(), shown.tolist(), strict=True):
            got = texts[at : at + k]
            at += k
            if n > k:
                got.append(Evidence(got[-1].file, "...", f"and {n - k} more events"))
            out.append(got)
        return out


_INT_COLUMNS = frozenset({"amount_cents", "source_line", "tax_year", "id"})
_ROW_COLUMNS = ("kind", "date", "account", "amount_cents", "source_file", "source_line", "memo")
