"""Findings as columns: what a rule returns and what the audit sorts, filters and writes, one array per field.

An audit of a firm's ledger finds hundreds of thousands of things; a Python object per finding and per piece
of evidence cost more than the rules themselves. So a rule hands back a `FindingColumns`: an Arrow table with
one row per finding (the fields of audit.findings.Finding, in its order) and its evidence as one list column.
A rule whose findings are few may still build `Finding` objects and wrap them with `FindingColumns.of`; a
consumer that shows few findings (the table for people, --explain, the planner) asks for `findings()`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from basis_ledger.audit.findings import Evidence, Finding

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

    def __len__(self) -> int:
        return int(self.table.num_rows)

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
                arrays.append(pa.nulls(n, typ) if value is None else pa.array([value] * n, typ))
            elif isinstance(value, pa.ChunkedArray | pa.Array):
                arrays.append(value if value.type == typ else value.cast(typ))
            else:
                arrays.append(pa.array(value, typ))
        if evidence is None:
            evidence = evidence_lists([0] * (n + 1), [], [], [])
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

    def column(self, name: str) -> pa.Array:
        """One field as one Arrow array (chunks combined)."""
        col = self.table.column(name)
        return col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)

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
