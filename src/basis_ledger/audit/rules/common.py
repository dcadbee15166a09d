"""Shared pieces of the event finding rules: money text, evidence, event columns, the own chain's lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from basis_ledger.audit.columns import FindingColumns
from basis_ledger.audit.findings import Evidence, Finding, RuleContext
from basis_ledger.model import kinds
from basis_ledger.money import dollars_text

if TYPE_CHECKING:
    import pandas as pd

# A rule returns its findings as objects, or (a rule with many) as columns: audit/columns.FindingColumns.
Rule = Callable[[RuleContext], "list[Finding] | FindingColumns"]
CONTRIBUTION_INPUTS = ("nondeductible", "deductible", "traditional_undeclared", "roth_contribution")
TRADITIONAL_CONTRIBUTION_INPUTS = CONTRIBUTION_INPUTS[:3]


def money(cents: int) -> str:
    """`$1,234` or `$1,234.56`: exact, from integer cents (money.dollars_text)."""
    return dollars_text(cents)


def row_evidence(row) -> Evidence:
    """A ledger (or what-if) event as evidence: its file and line, and what it says."""
    what = f"{row['kind']} {row['date']} {row['account']} = {money(row['amount_cents'])}".replace("  ", " ")
    line = int(row["source_line"])
    if not line:  # a row the planner made (a projected 31 December value): its memo says how
        memo = row.get("memo") or ""
        return Evidence(str(row["source_file"]), "no line", f"{what} ({memo})" if memo else what)
    return Evidence(str(row["source_file"]), f"line {line}", what)


class Events:
    """The events by position: evidence built from column lists, and positions grouped by keys.

    Columns are turned into lists only when first needed, so a rule that finds nothing pays nothing."""

    def __init__(self, ev: pd.DataFrame):
        self.frame = ev
        self._cols: dict[str, list] = {}

    def col(self, name: str) -> list:
        if name not in self._cols:
            ev = self.frame
            self._cols[name] = ev[name].tolist() if name in ev.columns else [""] * len(ev)
        return self._cols[name]

    def evidence(self, positions) -> tuple[Evidence, ...]:
        kind, date, acct, amount = self.col("kind"), self.col("date"), self.col("account"), self.col("amount_cents")
        files, lines, memos = self.col("source_file"), self.col("source_line"), self.col("memo")
        return tuple(
            row_evidence(
                {"kind": kind[p], "date": date[p], "account": acct[p], "amount_cents": amount[p],
                 "source_file": files[p], "source_line": lines[p], "memo": memos[p]}
            )
            for p in positions
        )  # fmt: skip

    def groups(self, mask, *keys: pd.Series) -> dict:
        """(key values) -> positions in the whole frame, for the rows where mask holds."""
        import numpy as np
        import pandas as pd

        pos = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(pos):
            return {}
        sub = pd.DataFrame({i: k.to_numpy()[pos] for i, k in enumerate(keys)})
        return {k: pos[v] for k, v in sub.groupby(list(range(len(keys)))).indices.items()}


def line_evidence(label: str, cents) -> Evidence:
    return Evidence("computed", f"line {label}", money(cents))


def inputs_of(ev: pd.DataFrame) -> pd.Series:
    """Each event's engine input (schemas/event_kinds.toml), by one look-up per distinct kind."""
    import numpy as np
    import pandas as pd

    codes, uniq = pd.factorize(ev["kind"])
    table = {k: v.input for k, v in kinds().items()}
    lookup = np.array([table.get(k) for k in uniq] + [None], dtype=object)  # code -1 (no kind): no input
    return pd.Series(lookup[codes], index=ev.index)


def placed_of(ctx: RuleContext):  # -> engine.routing.Placed
    """Where the engine places each event (chain, form year, late): an audit context's, made once and shared
    with its keyed events; otherwise placed here."""
    placed = getattr(type(ctx), "placed", None)
    if placed is not None:
        return ctx.placed  # type: ignore[attr-defined]
    from basis_ledger.engine.routing import place

    return place(ctx.events)


def year_of(ev: pd.DataFrame) -> pd.Series:
    return ev["date"].str.slice(0, 4).astype("int64")


def present(row: dict, col: str) -> bool:
    import pandas as pd

    return col in row and not pd.isna(row[col])


def own_lines(ctx: RuleContext) -> pd.DataFrame:
    lines = ctx.lines
    if lines is None or lines.empty or "L6" not in lines.columns:
        return lines.iloc[0:0] if lines is not None else None
    return lines[lines["chain"] == "own"]
