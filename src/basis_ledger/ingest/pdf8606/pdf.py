"""Low-level PDF access with pypdf: opening safely, widgets, and page text with positions on the page.

pypdf reports text inside form XObjects (how flattened forms carry their values) in the XObject's own
coordinates, so `fragments` follows the `cm` / `Do` operators itself to put every piece on the page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from basis_ledger.model import InputError, Problem

MAX_PDF_BYTES = 20 * 1024 * 1024  # a two-page form is ~0.1 MB; anything this big is not one
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Frag:
    """A piece of page text where pypdf placed it: page (1-based), baseline start x/y in points."""

    page: int
    x: float
    y: float
    text: str


@dataclass(frozen=True, slots=True)
class Widget:
    name: str  # fully qualified: topmostSubform[0].Page1[0].f1_9[0]
    page: int
    rect: tuple[float, float, float, float]
    kind: str  # "/Tx" text, "/Btn" checkbox
    max_len: int | None
    value: str


@contextmanager
def quiet() -> Iterator[None]:
    """pypdf logs font and syntax warnings (to stderr) for quirks it recovers from; they are not the user's."""
    log = logging.getLogger("pypdf")
    before = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(before)


def open_pdf(data: bytes, name: str):
    """A PdfReader over the bytes, or an InputError a user can act on. pypdf's decompression limits stay on."""
    from pypdf import PdfReader

    if len(data) > MAX_PDF_BYTES:
        raise InputError(
            [
                Problem(
                    name,
                    f"PDF too large ({len(data):,} bytes; a Form 8606 is far below the {MAX_PDF_BYTES:,}-byte limit)",
                )
            ]
        )
    if not data.lstrip()[:5] == b"%PDF-":
        raise InputError([Problem(name, "not a PDF (no %PDF- header)")])
    try:
        with quiet():
            reader = PdfReader(BytesIO(data), strict=False)
            if reader.is_encrypted and not _opens_without_password(reader):
                raise InputError(
                    [
                        Problem(
                            name,
                            "encrypted PDF (password protected); open it and save or print an "
                            "unprotected copy, then import that",
                        )
                    ]
                )
            if len(reader.pages) == 0:
                raise ValueError("no pages")
    except InputError:
        raise
    except Exception as exc:  # pypdf raises many kinds on broken files; all mean the same to a user
        raise InputError(
            [Problem(name, f"corrupt or truncated PDF, cannot be read ({type(exc).__name__}: {str(exc)[:120]})")]
        ) from None
    return reader


def _opens_without_password(reader) -> bool:
    """Files with only an owner password (no-editing flags) open with an empty user password."""
    try:
        return bool(reader.decrypt(""))
    except Exception:
        return False


def page_text(page) -> str:
    with quiet():
        return page.extract_text() or ""


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


def widgets(reader) -> list[Widget]:
    """Every form widget, with its fully qualified field name, in page order."""
    found: list[Widget] = []
    for page_no, page in enumerate(reader.pages, 1):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Widget":
                continue
            names, node, kind, max_len, value = [], annot, None, None, None
            while node is not None:
                if "/T" in node:
                    names.append(str(node["/T"]))
                kind = kind or node.get("/FT")
                max_len = max_len if max_len is not None else node.get("/MaxLen")
                value = value if value is not None else node.get("/V")
                node = node.get("/Parent")
                node = node.get_object() if node is not None else None
            rect = tuple(round(float(v), 1) for v in annot.get("/Rect", (0, 0, 0, 0)))
            x0, y0, x1, y1 = rect
            found.append(
                Widget(
                    ".".join(reversed(names)),
                    page_no,
                    (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)),
                    str(kind or ""),
                    int(max_len) if max_len is not None else None,
                    "" if value is None else str(value),
                )
            )
    return found


def ssn_last4(text: str) -> str | None:
    """The last four digits of an SSN as printed (`000-12-3456`, `XXX-XX-3456`, `000123456`); None if not one."""
    m = re.search(r"(?:\d{3}|[Xx*]{3})[- ]?(?:\d{2}|[Xx*]{2})[- ]?(\d{4})\s*$", text.strip())
    return m.group(1) if m else None
