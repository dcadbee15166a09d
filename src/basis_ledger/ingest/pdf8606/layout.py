"""What the printed form looks like as text: line labels, numbers, captions and the page regions they sit in.

Shared by the field-map derivation (labels beside widgets) and the position reader (labels beside numbers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from basis_ledger.ingest.pdf8606.textpos import Frag

# The line-number boxes printed left of each entry space: 1..25, and 15a-15c, 25a-25c.
LABEL_RE = re.compile(r"^(?:[1-9]|1[0-46-9]|2[0-4]|15[abc]|25[abc])$")
NUMBER_RE = re.compile(r"^(?:\$?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\$?\.[0-9]+|-0-)$")
# What software prints where a number failed ("NaN" on line 11): kept as a value, so the line is refused as not an
# amount instead of being skipped and a neighbour's number read in its place.
NOT_A_NUMBER = re.compile(r"^(?:NaN|nan|-?inf|-?Infinity|null|None|undefined|#N/A|#VALUE!|#REF!|#DIV/0!|#NUM!)$")
DOT_LEADERS = re.compile(r"(?:\s*\.){2,}\s*$")
AMOUNT_AREA_X = 200.0  # labels and values of the amount columns sit right of this; sentences start at ~65
ROW = 6.0  # a value's baseline sits up to ~6 pt off its label's (right-aligned text in a 12 pt box)


@dataclass(frozen=True, slots=True)
class Token:
    page: int
    x: float
    y: float
    text: str


def numeric_tokens(frags: list[Frag]) -> list[Token]:
    """Tokens from fragments made only of numbers or line labels (a sentence's "line 12" is not one)."""
    out: list[Token] = []
    for f in frags:
        text = DOT_LEADERS.sub("", f.text).replace("×", " ").strip()
        parts = text.split()
        if not parts or not all(
            LABEL_RE.match(p) or NUMBER_RE.match(p) or NOT_A_NUMBER.match(p) or p == "." for p in parts
        ):
            continue
        for i, p in enumerate(parts):
            if p != ".":
                out.append(Token(f.page, f.x + i * 0.01, f.y, p))  # later words of a fragment stay to the right
    return out


def body_top(frags: list[Frag], page: int) -> float:
    """The y of the page's first "Part" heading: the header above it (year, sequence no.) holds no lines."""
    tops = [f.y for f in frags if f.page == page and f.text.lstrip().startswith("Part I")]
    return max(tops) if tops else float("inf")


def row_labels(tokens: list[Token], tops: dict[int, float]) -> tuple[list[Token], list[Token]]:
    """Split tokens of the amount area into (labels, the rest). On a row, the leftmost label-looking token is the
    label; numbers to its right are values even when they look like a label ("3" on line 9's row)."""
    area = [t for t in tokens if t.x >= AMOUNT_AREA_X and t.y < tops.get(t.page, float("inf"))]
    labels: list[Token] = []
    rest: list[Token] = []
    for t in sorted(area, key=lambda t: t.x):
        same_row = any(lab.page == t.page and abs(lab.y - t.y) <= ROW and lab.x < t.x for lab in labels)
        if LABEL_RE.match(t.text) and not same_row:
            labels.append(t)
        else:
            rest.append(t)
    return labels, rest


def label_of(value: Token, labels: list[Token]) -> Token | None:
    """The label on the value's row, left of it: the closest row first, then the nearest to the left."""
    near = [lab for lab in labels if lab.page == value.page and lab.x < value.x and abs(lab.y - value.y) <= ROW]
    if not near:
        return None
    return min(near, key=lambda lab: (round(abs(lab.y - value.y)), value.x - lab.x))
