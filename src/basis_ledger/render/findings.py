"""Audit findings for people, in two depths: one line per finding (`audit`), or the full text with the evidence
behind every number (`audit --explain [CODE|N]`). The numbers N are the listing's, in the same order."""

from __future__ import annotations

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


def _counts(findings: list[Finding]) -> str:
    counts = [(s, sum(f.severity == s for f in findings)) for s in _STYLE]
    return ", ".join(f"{n} {s}{'' if n == 1 else 's'}" for s, n in counts if n)


def findings_table(findings: list[Finding], out: Console, wide: bool = False) -> None:
    """One row per finding: number, severity, code, who/year/line, expected / found, one short sentence.

    A finding code is never folded. When the columns side by side do not fit the terminal (80 columns cannot
    hold a 21-character code beside the rest), the code and its place share a column, the place on the line
    below; if that is still too wide, expected / found is left out (`--explain` and `--wide` show it)."""
    from basis_ledger.audit.findings import codes
    from basis_ledger.render.fit import Col, fitted, print_table, widths

    if not findings:
        out.print("No findings: the history, the filed forms and the custodian documents agree.")
        return
    table = codes()
    number = Col("#", figure=True)
    severity = Col("severity", figure=True, styles=tuple(_STYLE.items()))
    found = Col("expected / found", min_width=12)
    sentence = Col("finding", min_width=14)
    rows = [
        [str(n), f.severity, f.code, _where(f), _pair(f), table[f.code].get("short", "")]
        for n, f in enumerate(findings, start=1)
    ]
    cols = [number, severity, Col("code", min_width=12), Col("where", min_width=10), found, sentence]
    shown, w = widths(cols, rows, out.width, wide)
    if not wide and (len(shown) < len(cols) or not fitted(out, w)):
        cols = [number, severity, Col("code / where", min_width=12), Col(found.head, rank=1, min_width=12), sentence]
        rows = [[n, s, f"{code}\n{where}", ef, short] for n, s, code, where, ef, short in rows]
    title = f"Audit: {len(findings)} findings"
    print_table(out, title, cols, rows, wide)
    out.print(f"{_counts(findings)}; the full text and evidence: audit --explain [N|CODE]", highlight=False)


def select(findings: list[Finding], which: str | None) -> list[tuple[int, Finding]]:
    """The findings `--explain` names: all, the N-th of the listing, or every one with that code."""
    from basis_ledger.audit.findings import codes

    numbered = list(enumerate(findings, start=1))
    if which is None:
        return numbered
    if which.isdigit():
        n = int(which)
        if not 1 <= n <= len(findings):
            raise InputError([Problem("--explain", f"no finding {n}: the audit lists {len(findings)}")])
        return [numbered[n - 1]]
    picked = [(n, f) for n, f in numbered if f.code == which]
    if not picked:
        if which not in codes():
            from basis_ledger.suggest import did_you_mean

            hint = did_you_mean(which, codes())
            raise InputError([Problem("--explain", f"'{which}' is not a finding code{hint}")])
        raise InputError([Problem("--explain", f"no {which} finding in this audit")])
    return picked


def explain(numbered: list[tuple[int, Finding]], out: Console) -> None:
    """Today's full text of each finding: what it means, expected and found, and where each number comes from."""
    from rich.text import Text

    from basis_ledger.audit.findings import codes
    from basis_ledger.render.fit import fold

    width = max(out.width - 4, 30)
    table = codes()
    for i, (n, f) in enumerate(numbered):
        if i:
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
