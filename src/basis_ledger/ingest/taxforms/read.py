"""Reading tax forms: the CSV templates (one row per form, one column per box) and FDX JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING

from basis_ledger.ingest.taxforms.boxes import FormSpec, normalise, spec
from basis_ledger.model import InputError, Problem, mask_ssn
from basis_ledger.suggest import did_you_mean

if TYPE_CHECKING:
    from basis_ledger.ingest.source import SourceFile

IDENTITY = ("taxpayer", "tax_year", "account")  # columns of the documents table; the rest are boxes


def csv_header(src: SourceFile) -> list[str]:
    first = src.head(4096).lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    return [h.strip().lower() for h in next(csv.reader([first]), [])]


def _document(
    fs: FormSpec,
    values: dict[str, object],
    line: int,
    index: int,
    where: str,
    fname: str,
    problems: list[Problem],
    seen: dict[tuple[str, str], tuple[str, str]] | None = None,
) -> dict | None:
    boxes: dict[str, str] = {}
    bad = False
    for col, raw in values.items():
        if raw == "" and fs.columns[col] != "year":  # most boxes are empty: nothing to normalise or keep
            continue
        kind = fs.columns[col]
        if seen is not None and kind != "amount" and isinstance(raw, str):
            # Check boxes, codes, years and names repeat on every row of a CSV: each text is judged once.
            text, problem = seen.get((kind, raw)) or seen.setdefault((kind, raw), normalise(kind, raw))
        else:
            text, problem = normalise(kind, raw)
        if problem:
            problems.append(
                Problem(
                    fname, f"{fs.form} {col}: {problem}", line=line or None, column=f"{where}.{col}" if where else col
                )
            )
            bad = True
        elif text and col not in IDENTITY:
            boxes[col] = text
    year = normalise("year", values.get("tax_year", ""))[0]
    if not year and not bad:
        problems.append(Problem(fname, f"{fs.form} without a tax_year", line=line or None, column=where or None))
    if bad or not year:
        return None
    return {
        "form": fs.form,
        "taxpayer": str(values.get("taxpayer") or "").strip(),
        "tax_year": int(year),
        "account": mask_ssn(str(values.get("account") or "").strip()),  # some payers use the SSN as account
        "doc_index": index,
        "source_line": line,
        "boxes": boxes,
    }


def read_csv(key: str, src: SourceFile) -> tuple[list[dict], list[Problem]]:
    fs, fname = spec(key), str(src.path)
    reader = csv.reader(io.StringIO(src.text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in next(reader)]
    problems = [
        Problem(
            fname,
            f"unknown column '{h}' for Form {fs.form}{did_you_mean(h, fs.columns)} (see schemas/taxforms/{key}.csv)",
            line=1,
        )
        for h in header
        if h and h not in fs.columns
    ]
    problems += [Problem(fname, f"column '{h}' appears twice", line=1) for h in set(header) if header.count(h) > 1]
    if problems:
        raise InputError(problems)
    docs, line = [], 2
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for cells in reader:
        if any(c.strip() for c in cells):
            values = {h: c for h, c in zip(header, cells, strict=False) if h}
            if len(seen) > 10_000:  # free text (payer names) can differ on every row: keep the memo small
                seen.clear()
            doc = _document(fs, values, line, len(docs), "", fname, problems, seen)
            if doc:
                docs.append(doc)
        line = reader.line_num + 1
    return docs, problems


def read_fdx(src: SourceFile) -> tuple[list[dict], list[Problem]]:
    """FDX tax data: {"forms": [{"tax1099R": {...}} | {"taxFormType": "Tax1099R", ...}]}, or a bare list."""
    fname = str(src.path)
    try:
        data = json.loads(src.text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(fname, f"not valid JSON: {exc.msg}", line=exc.lineno)]) from None
    except RecursionError:  # FDX nests 3 or 4 levels; thousands is an attack or a broken export
        raise InputError([Problem(fname, "JSON nested too deeply (the limit is about 1,000 levels)")]) from None
    except ValueError as exc:  # an integer of over 4,300 digits
        raise InputError([Problem(fname, f"not valid JSON: {str(exc)[:100]}")]) from None
    forms = data.get("forms", []) if isinstance(data, dict) else data
    docs: list[dict] = []
    problems: list[Problem] = []
    for i, item in enumerate(forms if isinstance(forms, list) else []):
        found = _fdx_form(item)
        if found is None:
            problems.append(Problem(fname, "neither a Tax1099R nor a Tax5498 object", column=f"forms[{i}]"))
            continue
        fs, obj = found
        values = {fs.fdx_names[k]: v for k, v in obj.items() if k in fs.fdx_names}
        values.setdefault("tax_year", (data.get("taxYear") if isinstance(data, dict) else "") or "")
        values.setdefault("account", obj.get("accountNumber", ""))
        for party in ("payerNameAddress", "issuerNameAddress"):  # FDX: {"name1": ..., "line1": ...}
            if isinstance(obj.get(party), dict) and obj[party].get("name1"):
                values.setdefault("payer", obj[party]["name1"])
        # JSON has no rows: a form's "line" is its position in the forms list (1 = the first).
        doc = _document(fs, values, i + 1, len(docs), f"forms[{i}]", fname, problems)
        if doc:
            docs.append(doc)
    if not docs and not problems:
        problems.append(Problem(fname, "no Tax1099R or Tax5498 forms in this FDX file"))
    return docs, problems


def _fdx_form(item: object) -> tuple[FormSpec, dict] | None:
    if not isinstance(item, dict):
        return None
    for key in ("form1099r", "form5498"):
        fs = spec(key)
        wrapped = item.get(fs.fdx[0].lower() + fs.fdx[1:])  # {"tax1099R": {...}}
        if isinstance(wrapped, dict):
            return fs, wrapped
        if str(item.get("taxFormType", "")).lower() == fs.fdx.lower():
            return fs, item
    return None


def is_fdx(src: SourceFile) -> bool:
    head = src.head(4096).lstrip("\ufeff").lstrip()
    return head[:1] in ("{", "[") and any(s in head for s in ("tax1099R", "tax5498", "Tax1099R", "Tax5498"))
