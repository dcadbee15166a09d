"""Low-level PDF access with pypdf: opening safely (size, encryption, corruption), widgets, plain page text."""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO

from basis_ledger.model import InputError, Problem

MAX_FIELD_DEPTH = 32  # a real form nests fields 3 or 4 deep
MAX_PDF_BYTES = 20 * 1024 * 1024  # a two-page form is ~0.1 MB; anything this big is not one


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
        with warnings.catch_warnings():  # pypdf also warns through the warnings module
            warnings.simplefilter("ignore")
            yield
    finally:
        log.setLevel(before)


def open_pdf(data: bytes, name: str):
    """A PdfReader over the bytes, or an InputError a user can act on. pypdf's decompression limits stay on."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

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
                how = "AES-encrypted" if b"/AESV" in data else "encrypted"
                raise InputError(
                    [
                        Problem(
                            name,
                            f"{how} PDF (password protected); open it and save or print an "
                            "unprotected copy, then import that",
                        )
                    ]
                )
            if len(reader.pages) == 0:
                raise ValueError("no pages")
    except InputError:
        raise
    except Exception as exc:  # pypdf raises many kinds on broken files; all mean the same to a user
        if isinstance(exc, DependencyError) and b"/Encrypt" in data:
            # AES (PDF 1.6 and later), even with only an owner password that anyone may open, needs pypdf's
            # optional `cryptography` package: say what to install, not "corrupt".
            raise InputError(
                [
                    Problem(
                        name,
                        "AES-encrypted PDF: opening it needs the 'cryptography' package (pip install "
                        "cryptography), or save or print an unprotected copy and import that",
                    )
                ]
            ) from None
        if b"/Encrypt" in data:  # e.g. AES, which pypdf cannot even open without the cryptography package
            how = "AES-encrypted" if b"/AESV" in data else "encrypted"
            raise InputError(
                [Problem(name, f"{how} PDF; open it and save or print an unprotected copy, then import that")]
            ) from None
        raise InputError(
            [Problem(name, f"corrupt or truncated PDF, cannot be read ({type(exc).__name__}: {str(exc)[:120]})")]
        ) from None
    return reader


def _opens_without_password(reader) -> bool:
    """Files with only an owner password (no-editing flags) open with an empty user password."""
    try:
        return bool(reader.decrypt(""))
    except Exception as exc:
        from pypdf.errors import DependencyError

        if isinstance(exc, DependencyError):  # AES without `cryptography`: open_pdf says so
            raise
        return False


def page_text(page) -> str:
    with quiet():
        return page.extract_text() or ""


def widgets(reader) -> list[Widget]:
    """Every form widget, with its fully qualified field name, in page order."""
    found: list[Widget] = []
    for page_no, page in enumerate(reader.pages, 1):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Widget":
                continue
            names, node, kind, max_len, value = [], annot, None, None, None
            seen: set[int] = set()
            while node is not None:
                if id(node) in seen or len(seen) > MAX_FIELD_DEPTH:  # a /Parent loop (itself, or a cycle)
                    raise InputError([Problem(reader_name(reader), "damaged form: a field's /Parent chain loops")])
                seen.add(id(node))
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


def reader_name(reader) -> str:
    from basis_ledger.faults import current_file

    return current_file() or "PDF"


def ssn_last4(text: str) -> str | None:
    """The last four digits of an SSN as printed (`000-12-3456`, `XXX-XX-3456`, `000123456`); None if not one."""
    m = re.search(r"(?:[0-9]{3}|[Xx*]{3})[- ]?(?:[0-9]{2}|[Xx*]{2})[- ]?([0-9]{4})\s*$", text.strip())
    return m.group(1) if m else None
