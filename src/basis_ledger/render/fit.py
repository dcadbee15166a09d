"""Tables that fit the terminal: figures and codes whole, text folded at word and path boundaries, minor columns
left out first.

Rich would cut or fold a figure in the middle when a table is wider than the terminal, and folds file names
mid-word. Here every cell is folded by us before rich sees it, so rich only lays out what already fits:
- a figure column (amounts, years, ids) is never folded: it gets the width of its widest value;
- a text column is folded at spaces only (a path column also after / and \\), so a word, a finding code, an
  event kind or a file name's last part is never broken: the column is at least as wide as its longest one;
- when even that does not fit, the least important columns are left out, and a note says which and that
  `--wide` shows them. With `--wide` every column is printed at its full width on one line.
A line break inside a cell ("\\n") starts a new line of it; with `--wide` it is a space.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

# Where a long piece of text may break: after a space; in a file name also after a path separator. Never inside a
# word, so a code like deductibility-unknown, an amount like 1,234.56 or a date stays on one line.
_WORDS = re.compile(r"(?<= )")
_PATHS = re.compile(r"(?<=[ /\\])")
_MIN_TEXT = 8
PRINT_ROWS = 2_000  # rows print_table holds as rich cells at a time


@dataclass(frozen=True)
class Col:
    head: str
    figure: bool = False  # never folded, right-aligned
    rank: int = 0  # 0: always shown; higher: left out first when the terminal is too narrow
    min_width: int = _MIN_TEXT  # the narrowest a text column may be folded to
    styles: tuple[tuple[str, str], ...] = ()  # (cell text, rich style): colour a cell by its value
    path: bool = False  # file names: may also fold after a path separator


def fold(text: str, width: int, path: bool = False) -> list[str]:
    """Text in lines of at most `width` characters, broken at spaces (and, for a path, after / or \\) only.

    A single word (or path part) wider than `width` is kept whole on its own line, never cut: widths() makes a
    table's column at least that wide."""
    out: list[str] = []
    for para in text.split("\n"):
        line = ""
        for piece in (_PATHS if path else _WORDS).split(para):
            if len(line) + len(piece.rstrip(" ")) > width and line.strip():
                out.append(line.rstrip())
                line = piece.lstrip(" ")
            else:
                line += piece
        out.append(line.rstrip())
    return out


def longest_word(text: str, path: bool = False) -> int:
    """The widest piece `fold` never breaks."""
    return max((len(p.strip(" ")) for p in (_PATHS if path else _WORDS).split(text)), default=0)


def overhead(ncols: int) -> int:
    """Characters a table adds around its cells (box.SIMPLE_HEAD without edges: one space of padding on each
    side of a cell, one separator between columns)."""
    return 3 * ncols - 1 if ncols else 0


def widths(cols: list[Col], rows: list[list[str]], total: int, wide: bool) -> tuple[list[int], list[int]]:
    """(the columns shown, their widths) for a terminal of `total` characters."""

    def natural_of(i: int, c: Col) -> int:
        cells = [one_line(r[i]) for r in rows] if wide else [p for r in rows for p in r[i].split("\n")]
        return max([len(h) for h in fold_head(c.head)] + [len(p) for p in cells])

    def least_of(i: int, c: Col) -> int:
        if c.figure:
            return natural[i]
        words = max((longest_word(p, c.path) for r in rows for p in r[i].split("\n")), default=0)
        return max(_longest_head(c.head), words, min(natural[i], c.min_width))

    natural = [natural_of(i, c) for i, c in enumerate(cols)]
    least = [least_of(i, c) for i, c in enumerate(cols)]
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
    spare = max(total - overhead(len(shown)) - sum(w.values()), 0)  # none when even the narrowest overflows
    # Give the spare room to the folded columns, the one closest to its natural width first: a column that
    # needs a few more characters to stop folding gets them before a long one gets wider.
    for i in sorted((i for i in shown if w[i] < natural[i]), key=lambda j: (natural[j] - w[j], j)):
        step = min(spare, natural[i] - w[i])
        w[i] += step
        spare -= step
    return shown, [w[i] for i in shown]


def one_line(text: str) -> str:
    """A cell as --wide prints it: its lines joined by a space."""
    return text.replace("\n", " ")


def fitted(out: Console, widths_: list[int]) -> bool:
    """Whether a table of these column widths fits the console."""
    return sum(widths_) + overhead(len(widths_)) <= out.width


def fold_head(head: str) -> list[str]:
    return head.split(" ")


def _longest_head(head: str) -> int:
    return max(len(p) for p in fold_head(head))


def print_table(
    out: Console,
    title: str,
    cols: list[Col],
    rows: Iterable[list[str]],
    wide: bool = False,
    styles: list[str | None] | None = None,
    sizing: list[list[str]] | None = None,
) -> None:
    """Print `rows` (cells already as text) under `title`, fitted to the console's width. `sizing`: rows that
    give every column its widest and longest-worded cell (render/findings.Listing keeps them), when `rows` is a
    stream too long to hold. Printed PRINT_ROWS rows at a time, as tables of the same column widths without a
    header after the first: the same text as one table, without holding every row's cells."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    if sizing is None:
        rows = rows if isinstance(rows, list) else list(rows)
    shown, w = widths(cols, rows if sizing is None else sizing, out.width, wide)  # type: ignore[arg-type]

    def table_of(first: bool) -> Table:
        table = Table(
            title=escape(title) if first else None,
            title_justify="left",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            show_header=first,
        )
        for i, width in zip(shown, w, strict=True):
            c = cols[i]
            head = "\n".join(fold(c.head, width))
            table.add_column(head, justify="right" if c.figure else "left", width=width, no_wrap=True)
        return table

    needed = sum(w) + overhead(len(shown))
    saved = out.width
    out.width = max(saved, needed)  # wider than the terminal only when the figures alone need it, or --wide
    try:
        table, held, printed = table_of(True), 0, False
        for n, r in enumerate(rows):
            cells = [
                Text(
                    one_line(r[i]) if wide else "\n".join(fold(r[i], width, cols[i].path)),
                    style=dict(cols[i].styles).get(r[i], ""),
                )
                for i, width in zip(shown, w, strict=True)
            ]
            table.add_row(*cells, style=styles[n] if styles else None)
            held += 1
            if held == PRINT_ROWS:
                out.print(table)
                table, held, printed = table_of(False), 0, True
        if held or not printed:
            out.print(table)
    finally:
        out.width = saved
    left_out = [cols[i].head for i in range(len(cols)) if i not in shown]
    if left_out:
        note = f"({', '.join(left_out)} left out to fit {saved} columns; --wide shows every column)"
        out.print("\n".join(fold(note, saved)), style="dim", highlight=False)
