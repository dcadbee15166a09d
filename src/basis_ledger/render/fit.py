"""Tables that fit the terminal: figures whole, text folded at word and path boundaries, minor columns last.

Rich would cut or fold a figure in the middle when a table is wider than the terminal, and folds file names
mid-word. Here every cell is folded by us before rich sees it, so rich only lays out what already fits:
- a figure column (amounts, years, ids) is never folded: it gets the width of its widest value;
- a text column is folded at spaces, then at path punctuation (/ _ - . :), and only a single token longer
  than the column is broken inside;
- when even that does not fit, the least important columns are left out, and a note says which and that
  `--wide` shows them. With `--wide` every column is printed at its full width on one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

# Where a long piece of text may break: after a space, after / \\ _, or after . : - unless a digit follows (so
# 1,234.56 and 2021-06-14 stay whole).
_BREAKS = re.compile(r"(?<=[ /\\_])|(?<=[.:\-])(?!\d)")
_MIN_TEXT = 8


@dataclass(frozen=True)
class Col:
    head: str
    figure: bool = False  # never folded, right-aligned
    rank: int = 0  # 0: always shown; higher: left out first when the terminal is too narrow
    min_width: int = _MIN_TEXT  # the narrowest a text column may be folded to
    styles: tuple[tuple[str, str], ...] = ()  # (cell text, rich style): colour a cell by its value


def fold(text: str, width: int) -> list[str]:
    """Text in lines of at most `width` characters, broken at spaces or path punctuation where possible."""
    out: list[str] = []
    for para in text.split("\n"):
        line = ""
        for piece in _BREAKS.split(para):
            while len(piece) > width:  # one unbreakable token wider than the column: break inside it
                if line:
                    out.append(line.rstrip())
                    line = ""
                out.append(piece[:width])
                piece = piece[width:]
            if len(line) + len(piece) > width and line:
                out.append(line.rstrip())
                line = piece.lstrip(" ")
            else:
                line += piece
        out.append(line.rstrip())
    return out


def _longest_token(text: str) -> int:
    return max((len(p.strip()) for p in _BREAKS.split(text)), default=0)


def overhead(ncols: int) -> int:
    """Characters a table adds around its cells (box.SIMPLE_HEAD without edges: one space of padding on each
    side of a cell, one separator between columns)."""
    return 3 * ncols - 1 if ncols else 0


def widths(cols: list[Col], rows: list[list[str]], total: int, wide: bool) -> tuple[list[int], list[int]]:
    """(the columns shown, their widths) for a terminal of `total` characters."""
    natural = [max([len(h) for h in fold_head(c.head)] + [len(r[i]) for r in rows]) for i, c in enumerate(cols)]
    least = [
        natural[i] if c.figure else max(_longest_head(c.head), min(natural[i], c.min_width)) for i, c in enumerate(cols)
    ]
    shown = list(range(len(cols)))
    if wide:
        return shown, natural
    # Leave out the least important columns, one at a time (the rightmost of the highest rank first), while
    # even their narrowest does not fit.
    for drop in sorted((i for i, c in enumerate(cols) if c.rank), key=lambda i: (-cols[i].rank, -i)):
        if sum(least[i] for i in shown) + overhead(len(shown)) <= total:
            break
        shown.remove(drop)
    w = {i: least[i] for i in shown}
    spare = total - overhead(len(shown)) - sum(w.values())
    # Give the spare room to the folded columns, the one closest to its natural width first: a column that
    # needs a few more characters to stop folding gets them before a long one gets wider.
    for i in sorted((i for i in shown if w[i] < natural[i]), key=lambda j: (natural[j] - w[j], j)):
        step = min(spare, natural[i] - w[i])
        w[i] += step
        spare -= step
    return shown, [w[i] for i in shown]


def fold_head(head: str) -> list[str]:
    return head.split(" ")


def _longest_head(head: str) -> int:
    return max(len(p) for p in fold_head(head))


def print_table(
    out: Console,
    title: str,
    cols: list[Col],
    rows: list[list[str]],
    wide: bool = False,
    styles: list[str | None] | None = None,
) -> None:
    """Print `rows` (cells already as text) under `title`, fitted to the console's width."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    shown, w = widths(cols, rows, out.width, wide)
    table = Table(title=escape(title), title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
    for i, width in zip(shown, w, strict=True):
        c = cols[i]
        head = "\n".join(fold(c.head, width))
        table.add_column(head, justify="right" if c.figure else "left", width=width, no_wrap=True)
    for n, r in enumerate(rows):
        cells = [
            Text("\n".join(fold(r[i], width)), style=dict(cols[i].styles).get(r[i], ""))
            for i, width in zip(shown, w, strict=True)
        ]
        table.add_row(*cells, style=styles[n] if styles else None)
    needed = sum(w) + overhead(len(shown))
    saved = out.width
    out.width = max(saved, needed)  # wider than the terminal only when the figures alone need it, or --wide
    try:
        out.print(table)
    finally:
        out.width = saved
    left_out = [cols[i].head for i in range(len(cols)) if i not in shown]
    if left_out:
        out.print(f"({', '.join(left_out)} left out to fit {saved} columns; --wide shows every column)", style="dim")
