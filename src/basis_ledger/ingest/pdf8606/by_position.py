"""Reading a flattened or printed Form 8606 by position: each number belongs to the line whose label is printed on
its row, left of it. Pitfalls handled: a value that looks like a label ("3" on line 9's row, a lone "0"), the
header's year and sequence number, sentences quoting line numbers, lines that move between pages (2025's 15a-c),
and numbers split over two boxes (dollars and cents; line 10's digit and decimals).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from basis_ledger.ingest.pdf8606.layout import ROW, body_top, label_of, numeric_tokens, row_labels
from basis_ledger.ingest.pdf8606.pdf import ssn_last4
from basis_ledger.ingest.pdf8606.textpos import Frag

_SSN = re.compile(r"(?:[0-9]{3}|[Xx*]{3})[- ]?(?:[0-9]{2}|[Xx*]{2})[- ]?[0-9]{4}")


@dataclass
class Found:
    lines: dict[str, tuple[list[str], str]] = field(default_factory=dict)  # line -> (printed parts, where)
    name: str = ""
    ssn_last4: str | None = None


def read(frags: list[Frag]) -> Found:
    tops = {p: body_top(frags, p) for p in {f.page for f in frags}}
    labels, rest = row_labels(numeric_tokens(frags), tops)
    by_label: dict[int, list] = {}
    for value in rest:
        lab = label_of(value, labels)
        if lab is not None:
            by_label.setdefault(id(lab), []).append(value)
    found = Found()
    for lab in labels:
        values = sorted(by_label.get(id(lab), []), key=lambda t: t.x)
        if not values or lab.text in found.lines:  # a label printed twice: the first with values wins
            continue
        first = values[0]
        found.lines[lab.text] = ([v.text for v in values], f"page {first.page} x={first.x:.0f} y={first.y:.0f}")
    found.name, found.ssn_last4 = _header(frags, tops.get(1, float("inf")))
    return found


def _header(frags: list[Frag], top: float) -> tuple[str, str | None]:
    """Name and SSN from page 1 above Part I: the SSN by its shape, the name just under the "Name" caption."""
    head = [f for f in frags if f.page == 1 and f.y > top]
    ssn = next((ssn_last4(m.group(0)) for f in head if (m := _SSN.search(f.text))), None)
    caption = next((f for f in head if f.text.lstrip().startswith("Name")), None)
    ssn_caption = next((f for f in head if "social security" in f.text), None)
    name = ""
    if caption is not None:
        right = ssn_caption.x - 1 if ssn_caption else float("inf")
        parts = [
            f for f in head if caption.y - 2.5 * ROW <= f.y < caption.y - 1 and f.x < right and not _SSN.search(f.text)
        ]
        name = " ".join(f.text.strip() for f in sorted(parts, key=lambda f: f.x)).strip()
    return name, ssn
