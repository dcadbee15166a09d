"""Findings as columns: what a rule returns and what the audit sorts, filters and writes, one array per field.

An audit of a firm's ledger finds hundreds of thousands of things; a Python object per finding and per piece
of evidence cost more than the rules themselves. So a rule hands back a `FindingColumns`: an Arrow table with
one row per finding (the fields of audit.findings.Finding, in its order) and its evidence as one list column.
A rule whose findings are few may still build `Finding` objects and wrap them with `FindingColumns.of`; a
consumer that shows few findings (the table for people, --explain, the planner) asks for `findings()`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from basis_ledger.audit.findings import SEVERITIES, Evidence, Finding, codes

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

# The row fields, as audit.findings.Finding names and orders them; `evidence` is the last column.
TEXT_FIELDS = ("code", "taxpayer", "message", "line", "expected", "found", "chain")
OPTIONAL_FIELDS = frozenset({"line", "expected", "found"})  # None where the finding has none
EVIDENCE_FIELDS = ("file", "where", "what")


def schema() -> pa.Schema:
    import pyarrow as pa

    evidence = pa.list_(pa.struct([(name, pa.string()) for name in EVIDENCE_FIELDS]))
    return pa.schema(
        [
            ("code", pa.string()),
            ("taxpayer", pa.string()),
            ("tax_year", pa.int64()),
            ("message", pa.string()),
            ("line", pa.string()),
            ("expected", pa.string()),
            ("found", pa.string()),
            ("chain", pa.string()),
            ("evidence", evidence),
        ]
    )


@dataclass(frozen=True)
class FindingColumns:
    """Findings as one Arrow table (`schema()`): row i is the i-th finding, its evidence the list in row i."""

    table: pa.Table
    # Columns dictionary-encoded once (`encoded`), shared by the sort's keys and the JSON writer's by-value texts.
    _encoded: dict[str, pa.DictionaryArray] = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def encoded(self, name: str) -> pa.DictionaryArray:
        """One field dictionary-encoded, a null being one of its values (made once per FindingColumns)."""
        if name not in self._encoded:
            self._encoded[name] = self.column(name).dictionary_encode(null_encoding="encode")
        return self._encoded[name]

    @classmethod
    def empty(cls) -> FindingColumns:
        return cls(schema().empty_table())

    @classmethod
    def build(
        cls,
        code: object,
        taxpayer: object,
        tax_year: object,
        message: object,
        *,
        line: object = None,
        expected: object = None,
        found: object = None,
        chain: object = "own",
        evidence: pa.Array | None = None,
    ) -> FindingColumns:
        """Findings from columns of equal length (numpy arrays, lists or pyarrow arrays); a field given as a
        scalar (a str, an int or None) is that value in every row. `evidence` is a list<struct<file, where,
        what>> array (see `evidence_lists`); without it every finding has none. The length is taken from
        `message`, which is always a column."""
        import numpy as np
        import pyarrow as pa

        n = len(message)  # type: ignore[arg-type]
        sch = schema()
        values: dict[str, Any] = {
            "code": code,
            "taxpayer": taxpayer,
            "tax_year": tax_year,
            "message": message,
            "line": line,
            "expected": expected,
            "found": found,
            "chain": chain,
        }
        arrays = []
        for name, value in values.items():
            typ = sch.field(name).type
            if value is None or isinstance(value, str | int):
                arrays.append(pa.nulls(n, typ) if value is None else pa.repeat(pa.scalar(value, typ), n))
            elif isinstance(value, pa.ChunkedArray | pa.Array):
                arrays.append(value if value.type == typ else value.cast(typ))
            else:
                arrays.append(pa.array(value, typ))
        if evidence is None:
            evidence = evidence_lists(np.zeros(n + 1, dtype=np.int32), [], [], [])
        arrays.append(evidence)
        if any(len(a) != n for a in arrays):
            raise ValueError(f"finding columns of unequal length: {[len(a) for a in arrays]}")
        return cls(pa.Table.from_arrays(arrays, schema=sch))

    @classmethod
    def of(cls, findings: Sequence[Finding]) -> FindingColumns:
        """Finding objects as columns (for rules whose findings are few)."""
        offsets = [0]
        files: list[str] = []
        wheres: list[str] = []
        whats: list[str] = []
        for f in findings:
            for e in f.evidence:
                files.append(e.file)
                wheres.append(e.where)
                whats.append(e.what)
            offsets.append(len(files))
        return cls.build(
            [f.code for f in findings],
            [f.taxpayer for f in findings],
            [f.tax_year for f in findings],
            [f.message for f in findings],
            line=[f.line for f in findings],
            expected=[f.expected for f in findings],
            found=[f.found for f in findings],
            chain=[f.chain for f in findings],
            evidence=evidence_lists(offsets, files, wheres, whats),
        )

    @classmethod
    def concat(cls, parts: Iterable[FindingColumns]) -> FindingColumns:
        import pyarrow as pa

        tables = [p.table for p in parts if len(p)]
        if not tables:
            return cls.empty()
        return cls(pa.concat_tables(tables).combine_chunks())

    def take(self, positions: np.ndarray | Sequence[int]) -> FindingColumns:
        """The findings at these positions, in this order (a sort, a filter, a slice)."""
        import numpy as np

        return FindingColumns(self.table.take(np.asarray(positions, dtype=np.int64)))

    def slice(self, start: int, length: int) -> FindingColumns:
        """Findings start to start + length (fewer at the end), without a copy."""
        return FindingColumns(self.table.slice(start, length))

    def where(self, mask: pa.Array | np.ndarray) -> FindingColumns:
        """The findings where `mask` (a boolean per finding) is true, in their order."""
        return FindingColumns(self.table.filter(mask))

    def select(self, taxpayer: str | None = None, year: int | None = None) -> FindingColumns:
        """Only one taxpayer's findings and only one tax year's, where given (as the audit's -t and -y)."""
        import pyarrow.compute as pc

        out = self
        if taxpayer is not None and len(out):
            out = out.where(pc.equal(out.column("taxpayer"), taxpayer))
        if year is not None and len(out):
            out = out.where(pc.equal(out.column("tax_year"), year))
        return out

    def severities(self) -> pa.Array:
        """Each finding's severity (schemas/findings.toml, by its code), as Finding.severity gives it."""
        import pyarrow as pa

        coded = self.encoded("code")
        named = [codes()[c]["severity"] for c in coded.dictionary.to_pylist()]
        out: pa.Array = pa.array(named, pa.string()).take(coded.indices)
        return out

    def has_errors(self) -> bool:
        return len(self) > 0 and "error" in set(self.severities().unique().to_pylist())

    def ordered(self) -> FindingColumns:
        """Each distinct finding once (the first of equal ones: a rule run twice must not say it twice), sorted
        as audit/run.sort_key sorts Finding objects, ties kept in their order: `sorted(dict.fromkeys(findings),
        key=sort_key)`, by one numpy lexsort over each sort field's ranks."""
        return self if len(self) < 2 else self.take(self.order())

    def sorted(self) -> Sorted:
        """`ordered()` without the copy: these columns and the positions in that order (Sorted)."""
        return Sorted(self, self.order())

    def order(self) -> np.ndarray:
        """The positions `ordered()` takes, in its order (repeats left out)."""
        import numpy as np

        n = len(self)
        if n < 2:
            return np.arange(n, dtype=np.int64)
        keys = self._sort_keys()
        order = np.lexsort(keys[::-1])  # stable: equal keys keep their order
        same = _ties(keys, order)  # sorted row i+1 has the same keys as row i
        if same.any():
            # The message, the last key, decides only between rows tied on all the others: ranked among those.
            at = np.flatnonzero(np.concatenate([same, [False]]) | np.concatenate([[False], same]))
            run = np.cumsum(~np.concatenate([[False], same]))[at]  # which run of tied rows each belongs to
            message = _ranks(self.column("message").take(order[at]))
            by = np.lexsort((message, run))
            order[at] = order[at][by]
            rank = np.full(n, -1, dtype=np.int64)
            rank[at] = message[by]
            same &= rank[1:] == rank[:-1]
        if same.any():
            order = order[~self._repeats(order, same)]
        out: np.ndarray = order.astype(np.int64, copy=False)
        return out

    def _sort_keys(self) -> list[np.ndarray]:
        """run.sort_key's fields as integer arrays, most significant first: taxpayer, chain not own, chain, tax
        year, severity (errors first), code, the line's place in the form (its first '+' part); then the message
        (ranked by `ordered` only where these tie)."""
        import numpy as np

        chain = self.encoded("chain")
        coded = self.encoded("code")
        severity = np.array(
            [SEVERITIES.index(codes()[c]["severity"]) for c in coded.dictionary.to_pylist()], dtype=np.int64
        )
        lines = self.encoded("line")
        order = line_order()
        # Each distinct line's place; a finding without a line (None, one of the values) sorts as "".
        place = np.array([order.get((v or "").split("+")[0], len(order)) for v in lines.dictionary.to_pylist()])
        not_own = np.array([c != "own" for c in chain.dictionary.to_pylist()], dtype=np.int64)
        return [
            _ranks(self.encoded("taxpayer")),
            not_own[np.asarray(chain.indices)],
            _ranks(chain),
            np.asarray(self.column("tax_year")),
            severity[np.asarray(coded.indices)],
            _ranks(coded),
            place.astype(np.int64)[np.asarray(lines.indices)],
        ]

    def _repeats(self, order: np.ndarray, same: np.ndarray) -> np.ndarray:
        """Which positions of `order` repeat an earlier finding in full (evidence included). Only findings
        whose sort keys tie can be equal: those are compared as Finding objects, as dict.fromkeys compares."""
        import numpy as np

        tied = np.zeros(len(order), dtype=bool)
        tied[1:] |= same
        tied[:-1] |= same
        at = np.flatnonzero(tied)
        found = self.take(order[at]).findings()
        run = np.cumsum(~np.concatenate([[False], same]))[at]  # which run of equal keys each belongs to
        repeat = np.zeros(len(order), dtype=bool)
        seen: set[tuple[int, Finding]] = set()
        for i, r, f in zip(at.tolist(), run.tolist(), found, strict=True):
            if (r, f) in seen:
                repeat[i] = True
            seen.add((r, f))
        return repeat

    def column(self, name: str) -> pa.Array:
        """One field as one Arrow array (chunks combined)."""
        col = self.table.column(name)
        return col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)

    def __iter__(self) -> Iterator[Finding]:
        """The findings as objects (for writers that take a few at a time: the table, --explain, the workbook)."""
        return iter(self.findings())

    def findings(self) -> list[Finding]:
        """Back to Finding objects (for consumers that show few: the table, --explain, the planner)."""
        cols = {name: self.column(name).to_pylist() for name in (*TEXT_FIELDS, "tax_year")}
        evidence = self.column("evidence").to_pylist()
        return [
            Finding(
                code,
                taxpayer,
                year,
                message,
                line=line,
                expected=expected,
                found=found,
                chain=chain,
                evidence=tuple(Evidence(e["file"], e["where"], e["what"]) for e in ev),
            )
            for code, taxpayer, year, message, line, expected, found, chain, ev in zip(
                cols["code"],
                cols["taxpayer"],
                cols["tax_year"],
                cols["message"],
                cols["line"],
                cols["expected"],
                cols["found"],
                cols["chain"],
                evidence,
                strict=True,
            )
        ]


@dataclass(frozen=True)
class Sorted:
    """Findings in `FindingColumns.ordered()`'s order, not yet copied into it: the columns as the rules made them
    and the positions in order. The JSON writer takes them a block at a time (`slice`), so every finding's text
    is copied once into a block's few megabytes, not first into a sorted copy of a whole range (some 150 MB);
    `columns()` makes that copy for the consumers that want one table."""

    unsorted: FindingColumns
    positions: np.ndarray

    def __len__(self) -> int:
        return len(self.positions)

    def slice(self, start: int, length: int) -> FindingColumns:
        return self.unsorted.take(self.positions[start : start + length])

    def columns(self) -> FindingColumns:
        return self.unsorted.take(self.positions)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.columns())

    def has_errors(self) -> bool:
        return self.unsorted.has_errors()  # (a left-out repeat is a finding kept, severity and all)


def evidence_lists(offsets: object, file: object, where: object, what: object) -> pa.ListArray:
    """Each finding's evidence as one list array: finding i's pieces are rows offsets[i]:offsets[i+1] of the
    flat `file`, `where` and `what` columns (equal-length sequences or pyarrow string arrays)."""
    import numpy as np
    import pyarrow as pa

    flat = pa.StructArray.from_arrays(
        [a if isinstance(a, pa.Array) else pa.array(a, pa.string()) for a in (file, where, what)],
        names=list(EVIDENCE_FIELDS),
    )
    offs = pa.array(np.asarray(offsets, dtype=np.int32), pa.int32())
    return pa.ListArray.from_arrays(offs, flat, type=schema().field("evidence").type)


def _ties(keys: list[np.ndarray], order: np.ndarray) -> np.ndarray:
    """Whether each row of `order` after the first has the same keys as the one before it."""
    import numpy as np

    same = np.ones(len(order) - 1, dtype=bool)
    for k in keys:
        ks = k[order]
        same &= ks[1:] == ks[:-1]
    return same


def _ranks(values: pa.Array | pa.DictionaryArray) -> np.ndarray:
    """Each value's rank among the distinct values, as Python orders str (code points: UTF-8's byte order, which
    is how Arrow sorts text) or int."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    coded = values if isinstance(values, pa.DictionaryArray) else values.dictionary_encode()
    rank = np.empty(len(coded.dictionary), dtype=np.int64)
    rank[np.asarray(pc.sort_indices(coded.dictionary))] = np.arange(len(coded.dictionary))
    out: np.ndarray = rank[np.asarray(coded.indices)]
    return out


@cache
def line_order() -> dict[str, int]:
    """Each Form 8606 line key's place in the form (engine/results.LINE_KEYS: its first place)."""
    from basis_ledger.engine.results import LINE_KEYS

    order: dict[str, int] = {}
    for i, k in enumerate(LINE_KEYS):
        order.setdefault(k, i)
    return order
