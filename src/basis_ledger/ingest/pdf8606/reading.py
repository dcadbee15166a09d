"""Reading one Form 8606 PDF: is it one, which year, and its lines from the fields or from the page text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from basis_ledger.ingest.pdf8606 import by_position, fieldmaps
from basis_ledger.ingest.pdf8606.pdf import page_text, ssn_last4, widgets
from basis_ledger.ingest.pdf8606.textpos import text_pass
from basis_ledger.ingest.pdf8606.values import money_text, ratio_text
from basis_ledger.model import InputError, Problem

_YEAR_PATTERNS = (
    re.compile(r"Attach\s+to\s+(?:your\s+)?((?:19|20)[0-9][0-9])\s+Form"),
    re.compile(r"8606\s*\(((?:19|20)[0-9][0-9])\)"),  # the footer, "Form 8606 (2023)"
    re.compile(r"((?:19|20)[0-9][0-9])\s+Form\s+8606"),  # the PDF title
)


MAX_PAGES = 3  # Form 8606 has two pages; a third would be a statement attached to it


@dataclass
class FormRead:
    tax_year: int
    name: str = ""
    ssn_last4: str | None = None
    lines: dict[str, tuple[str, str]] = field(default_factory=dict)  # line -> (value text, source ref)
    how: str = ""  # "fields" or "page text"


def form_year(reader, text: str | None = None) -> int | None:
    text = page_text(reader.pages[0]) if text is None else text
    title = str((reader.metadata or {}).get("/Title", "")) if _safe_metadata(reader) else ""
    for pattern in _YEAR_PATTERNS:
        for source in (text, title):
            m = pattern.search(source)
            if m:
                return int(m.group(1))
    return None


def _safe_metadata(reader) -> bool:
    try:
        reader.metadata  # noqa: B018 - a broken info dictionary raises here
        return True
    except Exception:
        return False


def read(reader, name: str) -> FormRead:
    problems: list[Problem] = []
    ws = widgets(reader)
    values = {w.name: w.value for w in ws if w.kind == "/Tx"}
    # Fast path: an IRS fillable form of a revision we have a map for, titled "YYYY Form 8606", with values in its
    # fields, needs no page text at all (parsing the pages is most of the cost of reading).
    title = form_year(reader, text="") if _safe_metadata(reader) else None
    fields = fieldmaps.committed().get(title or 0)
    if (
        fields
        and any(v.strip() for v in values.values())
        and all(fields[f"line_{k}"] in values for k in fieldmaps.LINE_KEYS)
    ):
        form = _from_fields(values, fields, title, problems, name)
        if problems:
            raise InputError(problems)
        if form.lines:
            return form
    passes = [text_pass(page, i) for i, page in enumerate(reader.pages[:MAX_PAGES], 1)]
    year = _year_of_8606(reader, [t for t, _ in passes], name)
    frags = [f for _, fs in passes for f in fs]
    form = None
    if any(v.strip() for v in values.values()):
        fmap = fieldmaps.for_form(reader, year, set(values), frags)
        form = _from_fields(values, fmap, year, problems, name) if fmap else None
    if form is None or not form.lines:
        form = _from_text(frags, year, problems, name)
    if problems:
        raise InputError(problems)
    if not form.lines:
        raise InputError([Problem(name, f"{year} Form 8606 with no line filled in (a blank form?)")])
    return form


def _year_of_8606(reader, texts: list[str], name: str) -> int:
    """The checks on the page text: a text layer, the 8606 heading, a tax year."""

    def fail(message: str) -> InputError:
        return InputError([Problem(name, message)])

    if sum(len(t.strip()) for t in texts) < 40:
        raise fail(
            "no text layer (a scan?); OCR is not supported yet: enter the lines by hand in a generic CSV "
            "(see docs/prior-forms.md)"
        )
    if not re.search(r"8606", texts[0]) or not re.search(r"Nondeductible\s+IRAs", texts[0], re.IGNORECASE):
        raise fail("not a Form 8606 (page 1 has no 'Form 8606 ... Nondeductible IRAs' heading)")
    year = form_year(reader, texts[0])
    if year is None:
        raise fail(
            "a Form 8606, but its tax year is not printed where expected ('Attach to YYYY Form 1040'); cannot import it"
        )
    return year


def _from_fields(
    values: dict[str, str], fmap: dict[str, str], year: int, problems: list[Problem], name: str
) -> FormRead:
    form = FormRead(year, how="fields")
    form.name = values.get(fmap.get("name", ""), "").strip()
    form.ssn_last4 = ssn_last4(values.get(fmap.get("ssn", ""), ""))
    for line in fieldmaps.LINE_KEYS:
        main = fmap[f"line_{line}"]
        part = fmap.get(f"line_{line}_decimal" if line == "10" else f"line_{line}_cents")
        raw, extra = values.get(main, ""), values.get(part, "") if part else ""
        if not raw.strip() and not extra.strip():
            continue
        text = ratio_text(raw, extra) if line == "10" else money_text(raw, extra)
        ref = main if not part or not extra.strip() else f"{main} + {part}"
        if text is None:
            shown = f"{raw!r} + {extra!r}" if extra.strip() else repr(raw)
            problems.append(
                Problem(name, f"line {line}: {shown} is not {'a ratio' if line == '10' else 'an amount'}", column=ref)
            )
            continue
        form.lines[line] = (text, ref)
    return form


def _from_text(frags: list, year: int, problems: list[Problem], name: str) -> FormRead:
    found = by_position.read(frags)
    form = FormRead(year, name=found.name, ssn_last4=found.ssn_last4, how="page text")
    for line in (k for k in fieldmaps.LINE_KEYS if k in found.lines):
        parts, ref = found.lines[line]
        text = ratio_text(*parts[:2]) if line == "10" else money_text(*parts[:2])
        if text is None or len(parts) > 2:
            problems.append(
                Problem(
                    name,
                    f"line {line}: cannot read {' '.join(parts)!r} as {'a ratio' if line == '10' else 'an amount'}",
                    column=ref,
                )
            )
            continue
        form.lines[line] = (text, ref)
    return form
