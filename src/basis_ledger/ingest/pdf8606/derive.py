"""Derive a revision's field map from the fillable form itself: which widget holds which line.

An amount widget belongs to the line whose label box is printed immediately left of it on the same row, with no
other widget in between. A widget abutting a labelled one on its right is its cents part (2017/2018) or, after
line 10, the decimals of the ratio. Header, address and preparer widgets are found by their printed captions.
tools/derive_fieldmap.py writes the result to schemas/fieldmaps/; the reader also uses it for a fillable
revision that has no committed map.
"""

from __future__ import annotations

import re

from basis_ledger.ingest.pdf8606.layout import LABEL_RE, numeric_tokens
from basis_ledger.ingest.pdf8606.pdf import Widget, widgets
from basis_ledger.ingest.pdf8606.textpos import Frag, fragments

LABEL_GAP = 60.0  # points from a label box to its entry space (line 10's digit box is ~37 pt away)
COMPANION_GAP = 12.0  # cents or decimals box starts within this of the labelled box's right edge

# key -> (caption pattern, where the caption is printed relative to the box)
CAPTIONS: dict[str, tuple[str, str]] = {
    "name": (r"^Name\b", "above"),
    "ssn": (r"social security number", "above"),
    "address_street": (r"^Home address", "above"),
    "address_apt": (r"^Apt\.? no", "above"),
    "address_city_state_zip": (r"^City, town", "above"),
    "address_foreign_country": (r"^Foreign country", "above"),
    "address_foreign_province": (r"^Foreign province", "above"),
    "address_foreign_postal": (r"^Foreign postal", "above"),
    "amended_return_checkbox": (r"amended", "box"),
    "preparer_name": (r"preparer.s name", "above"),
    "preparer_self_employed_checkbox": (r"^Check\b|self-employed", "box"),
    "preparer_ptin": (r"^PTIN", "above"),
    "preparer_firm_name": (r"^Firm.s name", "left"),
    "preparer_firm_address": (r"^Firm.s address", "left"),
    "preparer_firm_ein": (r"^Firm.s EIN", "left"),
    "preparer_phone": (r"^Phone", "left"),
}


def derive(reader, frags: list[Frag] | None = None) -> tuple[dict[str, str], list[str]]:
    """(map key -> fully qualified field name, widget names left unmapped). `frags`: the pages' text if read."""
    ws = widgets(reader)
    if frags is None:
        frags = [f for i, page in enumerate(reader.pages, 1) for f in fragments(page, i)]
    fields = _lines(ws, frags)
    fields.update(_captioned(ws, frags, set(fields.values())))
    left = [w.name for w in ws if w.name not in set(fields.values())]
    return dict(sorted(fields.items(), key=lambda kv: _order(kv[0]))), left


def _lines(ws: list[Widget], frags: list[Frag]) -> dict[str, str]:
    labels = [t for t in numeric_tokens(frags) if LABEL_RE.match(t.text)]
    text_ws = [w for w in ws if w.kind == "/Tx"]
    keyed: dict[str, Widget] = {}
    for w in text_ws:
        x0, y0, _, y1 = w.rect

        def between(lab_x: float, w: Widget = w) -> bool:
            return any(
                o is not w
                and o.page == w.page
                and lab_x < o.rect[0] < w.rect[0]
                and o.rect[1] < w.rect[3]
                and o.rect[3] > w.rect[1]
                for o in text_ws
            )

        near = [
            lab
            for lab in labels
            if lab.page == w.page and 0 < x0 - lab.x <= LABEL_GAP and y0 - 3 <= lab.y <= y1 and not between(lab.x)
        ]
        if near:
            lab = max(near, key=lambda lab: lab.x)
            keyed.setdefault(f"line_{lab.text}", w)
    for key, lw in list(keyed.items()):
        for w in text_ws:
            if (
                w.page == lw.page
                and abs(w.rect[1] - lw.rect[1]) <= 2
                and 0 <= w.rect[0] - lw.rect[2] <= COMPANION_GAP
                and w not in keyed.values()
            ):
                keyed[key + ("_decimal" if key == "line_10" else "_cents")] = w
    return {k: w.name for k, w in keyed.items()}


def _captioned(ws: list[Widget], frags: list[Frag], taken: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, (pattern, where) in CAPTIONS.items():
        caps = [f for f in frags if re.search(pattern, f.text.strip())]
        best: tuple[float, Widget] | None = None
        for cap in caps:
            for w in ws:
                if w.page != cap.page or w.name in taken or w.name in out.values():
                    continue
                d = _distance(cap, w, where)
                if d is not None and (best is None or d < best[0]):
                    best = (d, w)
        if best:
            out[key] = best[1].name
    return out


def _distance(cap: Frag, w: Widget, where: str) -> float | None:
    x0, y0, x1, y1 = w.rect
    if where == "box":
        if w.kind != "/Btn":
            return None
        return abs((x0 + x1) / 2 - cap.x) / 4 + abs((y0 + y1) / 2 - cap.y)
    if w.kind != "/Tx":
        return None
    if where == "above" and y1 - 1 <= cap.y <= y1 + 10 and x0 - 8 <= cap.x <= x1:
        return abs(x0 - cap.x)
    if where == "left" and y0 - 3 <= cap.y <= y1 + 2 and cap.x < x0:
        return x0 - cap.x
    return None


def _order(key: str) -> tuple[int, int, str]:
    m = re.match(r"line_(\d+)([abc]?)(.*)", key)
    if m:
        return (1, int(m.group(1)), m.group(2) + m.group(3))
    first = ("name", "ssn")
    return (0 if key in first else 2, first.index(key) if key in first else 0, key)
