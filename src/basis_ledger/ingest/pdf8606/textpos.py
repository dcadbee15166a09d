"""Page text with positions on the page, from one pass of pypdf's text extraction.

pypdf reports text inside form XObjects (how flattened forms carry their values) in the XObject's own
coordinates, so `text_pass` follows the `q`/`Q`/`cm`/`Do` operators itself to put every piece on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from basis_ledger.ingest.pdf8606.pdf import quiet

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Frag:
    """A piece of page text where pypdf placed it: page (1-based), baseline start x/y in points."""

    page: int
    x: float
    y: float
    text: str


def _mul(a: Matrix, b: Matrix) -> Matrix:
    """a then b (PDF row-vector convention)."""
    return (
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    )


def _matrix(values: Any) -> Matrix:
    try:
        m = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        return IDENTITY
    return m if len(m) == 6 else IDENTITY  # type: ignore[return-value]


def fragments(page, page_no: int) -> list[Frag]:
    """Every text piece on the page with its position in page coordinates, form XObjects included."""
    return text_pass(page, page_no)[1]


def text_pass(page, page_no: int) -> tuple[str, list[Frag]]:
    """One parse of the page's content (the costly part of reading): its plain text and its positioned pieces."""
    out: list[Frag] = []
    # One level per form XObject being visited: [resources, base matrix, ctm, q-stack].
    levels: list[list[Any]] = [[page.get("/Resources"), IDENTITY, IDENTITY, []]]
    pending: list[Any] = []  # an XObject entered at `Do`, pushed when its first operator arrives

    def before(op: bytes, args: Any, cm: Any, tm: Any) -> None:
        if pending:
            levels.append(pending.pop())
        res, base, ctm, stack = levels[-1]
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q" and stack:
            levels[-1][2] = stack.pop()
        elif op == b"cm" and len(args) == 6:
            levels[-1][2] = _mul(_matrix(args), ctm)
        elif op == b"Do" and args:
            xobj = _xobject(res, args[0])
            if xobj is not None:
                inner = _mul(_matrix(xobj.get("/Matrix", IDENTITY)), _mul(ctm, base))
                pending.append([xobj.get("/Resources", res), inner, IDENTITY, []])

    def after(op: bytes, args: Any, cm: Any, tm: Any) -> None:
        if op == b"Do":
            if pending:
                pending.clear()  # an XObject without operators (an image, an empty form)
            elif len(levels) > 1 and _xobject(levels[-2][0], args[0]) is not None:
                levels.pop()

    def text(t: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if not t.strip():
            return
        base = levels[-1][1]  # text flushed at `Do` belongs to the caller: its XObject is still pending
        local = _mul(_matrix(tm), _matrix(cm))
        x, y = local[4], local[5]
        gx, gy = x * base[0] + y * base[2] + base[4], x * base[1] + y * base[3] + base[5]
        out.append(Frag(page_no, round(gx, 1), round(gy, 1), t))

    with quiet():
        plain = page.extract_text(visitor_operand_before=before, visitor_operand_after=after, visitor_text=text)
    return plain or "", out


def _xobject(resources: Any, name: Any):
    try:
        obj = resources["/XObject"][name].get_object()
    except Exception:
        return None
    return obj if obj.get("/Subtype") == "/Form" else None
