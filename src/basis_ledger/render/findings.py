"""Audit findings for people, in two depths: one line per finding (`audit`), or the full text with the evidence
behind every number (`audit --explain [CODE|N]`). The numbers N are the listing's, in the same order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from basis_ledger.model import InputError, Problem

if TYPE_CHECKING:
    from rich.console import Console

    from basis_ledger.audit.findings import Finding

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _where(f: Finding) -> str:
    who = f.taxpayer if f.chain == "own" else f"{f.taxpayer} ({f.chain})"
    return f"{who} {f.tax_year}" + (f" line {f.line}" if f.line else "")


def _pair(f: Finding) -> str:
    return f"{f.expected or '-'} / {f.found or '-'}"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {s}{'' if n == 1 else 's'}" for s, n in ((s, counts.get(s, 0)) for s in _STYLE) if n)


class Listing:
    """The audit table's rows, numbered, as the findings arrive a range of taxpayers at a time: each row's cells
    go to an anonymous temporary file, and only the widest and longest-worded cell of each column is kept (what
    the table's widths depend on, render/fit.widths), so a ledger's findings are never all held."""

    def __init__(self) -> None:
        import tempfile

        self.n = 0
        self.counts: dict[str, int] = {}
        self._file = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (closed in rows())
        self._extremes: dict[int, list[str]] = {}  # column (6: code and place in one) -> its three extreme cells

    def add(self, findings: Iterable[Finding]) -> None:
        import json

        from basis_ledger.audit.findings import codes

        table = codes()
        for f in findings:
            self.n += 1
            self.counts[f.severity] = self.counts.get(f.severity, 0) + 1
            row = [str(self.n), f.severity, f.code, _where(f), _pair(f), table[f.code].get("short", "")]
            for i, text in enumerate([*row, f"{row[2]}\n{row[3]}"]):
                self._keep(i, text)
            self._file.write(json.dumps(row, ensure_ascii=False) + "\n")

    def _keep(self, col: int, text: str) -> None:
        from basis_ledger.render.fit import longest_word

        kept = self._extremes.get(col)
        if kept is None:
            self._extremes[col] = [text, text, text]
            return
        for k, measure in enumerate((_piece_width, len, lambda t: max(longest_word(p) for p in t.split("\n")))):
            if measure(text) > measure(kept[k]):
                kept[k] = text

    def done(self) -> None:
        """Nothing more to write: the table is printed from rows() once every range is in."""

    def sizing(self, columns: list[int]) -> list[list[str]]:
        """Three rows that give each of `columns` its widest line, widest --wide line and longest word."""
        return [[self._extremes[c][k] for c in columns] for k in range(3)]

    def rows(self, shared: bool = False) -> Iterator[list[str]]:
        """The rows in order; `shared`: code and place in one cell, as the narrow layout prints them."""
        import json

        self._file.seek(0)
        for line in self._file:
            n, s, code, where, ef, short = json.loads(line)
            yield [n, s, f"{code}\n{where}", ef, short] if shared else [n, s, code, where, ef, short]
        self._file.close()


def _piece_width(text: str) -> int:
    return max(len(p) for p in text.split("\n"))


def findings_table(findings: Listing | list[Finding], out: Console, wide: bool = False) -> None:
    """One row per finding: number, severity, code, who/year/line, expected / found, one short sentence.

    A finding code is never folded. When the columns side by side do not fit the terminal (80 columns cannot
    hold a 21-character code beside the rest), the code and its place share a column, the place on the line
    below; if that is still too wide, expected / found is left out (`--explain` and `--wide` show it)."""
    from basis_ledger.render.fit import Col, fitted, print_table, widths

    listing = findings if isinstance(findings, Listing) else Listing()
    if not isinstance(findings, Listing):
        listing.add(findings)
    if not listing.n:
        out.print("No findings: the history, the filed forms and the custodian documents agree.")
        return
    number = Col("#", figure=True)
    severity = Col("severity", figure=True, styles=tuple(_STYLE.items()))
    found = Col("expected / found", min_width=12)
    sentence = Col("finding", min_width=14)
    cols = [number, severity, Col("code", min_width=12), Col("where", min_width=10), found, sentence]
    sizing = listing.sizing([0, 1, 2, 3, 4, 5])
    shown, w = widths(cols, sizing, out.width, wide)
    shared = not wide and (len(shown) < len(cols) or not fitted(out, w))
    if shared:
        cols = [number, severity, Col("code / where", min_width=12), Col(found.head, rank=1, min_width=12), sentence]
        sizing = listing.sizing([0, 1, 6, 4, 5])
    title = f"Audit: {listing.n} findings"
    print_table(out, title, cols, listing.rows(shared), wide, sizing=sizing)
    out.print(f"{_counts(listing.counts)}; the full text and evidence: audit --explain [N|CODE]", highlight=False)


def check_which(which: str | None) -> None:
    """`--explain CODE` with a word that is no finding code is bad input, said before the audit runs."""
    from basis_ledger.audit.findings import codes

    if which is None or which.isdigit() or which in codes():
        return
    from basis_ledger.suggest import did_you_mean

    hint = did_you_mean(which, codes())
    raise InputError([Problem("--explain", f"'{which}' is not a finding code{hint}")])


class Explained:
    """`--explain [N|CODE]` as the findings arrive: each one it names is printed when it comes (numbered as the
    listing numbers it); `done()` says when none was."""

    def __init__(self, which: str | None, out: Console) -> None:
        check_which(which)
        self.which, self.out, self.n, self.shown = which, out, 0, 0

    def add(self, findings: Iterable[Finding]) -> None:
        which = self.which
        for f in findings:
            self.n += 1
            if which is None or (f.code == which if not which.isdigit() else self.n == int(which)):
                explain([(self.n, f)], self.out, first=not self.shown)
                self.shown += 1

    def done(self) -> None:
        which = self.which
        if self.shown or which is None:
            return
        if which.isdigit():
            raise InputError([Problem("--explain", f"no finding {int(which)}: the audit lists {self.n}")])
        raise InputError([Problem("--explain", f"no {which} finding in this audit")])


def select(findings: list[Finding], which: str | None) -> list[tuple[int, Finding]]:
    """The findings `--explain` names: all, the N-th of the listing, or every one with that code."""
    numbered = list(enumerate(findings, start=1))
    if which is None:
        return numbered
    check_which(which)
    if which.isdigit():
        n = int(which)
        if not 1 <= n <= len(findings):
            raise InputError([Problem("--explain", f"no finding {n}: the audit lists {len(findings)}")])
        return [numbered[n - 1]]
    picked = [(n, f) for n, f in numbered if f.code == which]
    if not picked:
        raise InputError([Problem("--explain", f"no {which} finding in this audit")])
    return picked


def explain(numbered: list[tuple[int, Finding]], out: Console, first: bool = True) -> None:
    """Today's full text of each finding: what it means, expected and found, and where each number comes from."""
    from rich.text import Text

    from basis_ledger.audit.findings import codes
    from basis_ledger.render.fit import fold

    width = max(out.width - 4, 30)
    table = codes()
    for i, (n, f) in enumerate(numbered):
        if i or not first:  # a blank line between two findings
            out.print()
        head = Text(f"{n}. ")
        head.append(f.severity, style=_STYLE[f.severity])
        head.append(f" {f.code}: {_where(f)}")
        out.print(head)
        body = [table[f.code].get("title", ""), f"expected {f.expected or '-'}; found {f.found or '-'}", ""]
        body += fold(f.message, width)
        if f.evidence:
            body += ["", "where each number comes from:"]
            for e in f.evidence:
                item = f"{e.file}, {e.where}" + (f": {e.what}" if e.what else "")
                first, *rest = fold(item, width - 2, path=True)
                body += [f"- {first}", *(f"  {r}" for r in rest)]
        body += ["", f"what to do: docs/findings.md, '{f.code}'"]
        for line in body:
            out.print(Text("    " + line if line else ""), highlight=False)
