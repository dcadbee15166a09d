"""The import pipeline: read, identify, extract, validate every file, then write all of them or none."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from basis_ledger.faults import reading
from basis_ledger.ingest.base import Context, Extracted
from basis_ledger.ingest.registry import choose
from basis_ledger.ingest.source import SourceFile
from basis_ledger.ledger.schema import validation_problems
from basis_ledger.ledger.store import Ledger
from basis_ledger.model import InputError, Problem


@dataclass(frozen=True)
class FileResult:
    file: str
    sha256: str
    importer: str
    events: int
    status: str  # "imported" | "already imported" | "would import"
    skipped: dict[str, int]
    notes: tuple[str, ...] = ()  # warnings that did not stop the import (statements, tax forms)
    recorded: tuple[str, ...] = ()  # what was kept besides events: "Form 8606 (2021, ed)", "5498 (2024)"


def extract_file(
    path: Path, profile: str | None = None, ctx: Context | None = None, validate: bool = True
) -> tuple[SourceFile, Extracted]:
    """Read and extract one file; every problem in it (parse and schema) raises together.

    validate=False leaves the schema check of a file that parsed cleanly to the caller (import_files checks all
    files' events in one pandera pass)."""
    with reading(path):  # a parser's fault on this file (csv, zip, xml, pdf) is a Problem naming it
        src = SourceFile.read(path)
        importer = choose(src, profile)
        # Statement and tax-form importers need the declared accounts and the user's mapping (Context).
        extracted = importer.extract(src, ctx) if getattr(importer, "takes_context", False) else importer.extract(src)
    problems = list(extracted.problems)
    if extracted.events is not None and (validate or problems):
        problems += validation_problems(extracted.events, str(path))
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.line or 0, p.column or "")))
    return src, extracted


def import_files(
    ledger_path: Path,
    paths: list[Path],
    profile: str | None = None,
    taxpayer: str | None = None,  # owner of Form 8606 PDFs (else matched by name / SSN last four)
    as_opening: bool = False,  # Form 8606 PDFs also seed opening balances
    mapping: dict[str, str] | None = None,  # custodian text -> event kind (--map / --mapping)
    on_file: Callable[[Path], None] | None = None,  # progress: called as each file is read
    allow_late: bool = False,  # keep contributions deposited after their year's deadline (ledger/deadlines.py)
) -> list[FileResult]:
    """All files or none: any problem in any file leaves the ledger exactly as it was."""
    problems: list[Problem] = []
    staged: list[tuple[SourceFile, Extracted]] = []
    seen: dict[str, str] = {}
    ledger = Ledger.open(ledger_path, create=True) if ledger_path.exists() else None
    results: list[FileResult] = []
    ctx = Context(ledger.accounts() if ledger else {}, dict(mapping or {}), taxpayer)
    for path in paths:
        if on_file:
            on_file(path)
        try:
            src, extracted = extract_file(path, profile, ctx, validate=False)
            if extracted.filed_forms:
                from basis_ledger.ledger.openings import attach

                attach(src, extracted, ledger, taxpayer, as_opening, staged)
        except InputError as err:
            problems += err.problems
            continue
        earlier = (ledger.has_file(src.sha256) if ledger else None) or seen.get(src.sha256)
        if earlier:
            results.append(
                FileResult(
                    str(path),
                    src.sha256,
                    extracted.importer,
                    0,
                    f"already imported (as {earlier}); nothing added",
                    extracted.skipped,
                )
            )
            continue
        seen[src.sha256] = src.name
        staged.append((src, extracted))
    problems += _validate_together(staged)
    problems += _over_the_ceiling(staged, ledger)
    if not allow_late and not problems:
        from basis_ledger.ledger.deadlines import late_contributions

        problems += late_contributions([(str(s.path), e.events) for s, e in staged])
    from basis_ledger.ledger.crosscheck import reconcile

    problems += reconcile([(str(s.path), e) for s, e in staged], ledger)
    if problems:
        raise InputError(problems)
    if staged:
        ledger = ledger or Ledger.open(ledger_path, create=True)
        with ledger.transaction() as conn:
            for src, extracted in staged:
                file_id, n = ledger.add_file(conn, src.name, src.sha256, extracted.importer, extracted.events)
                ledger.add_documents(conn, file_id, extracted.documents)
                ledger.add_filed_forms(conn, file_id, extracted.filed_forms)
                results.append(
                    FileResult(
                        str(src.path),
                        src.sha256,
                        extracted.importer,
                        n,
                        "imported",
                        extracted.skipped,
                        tuple(extracted.notes),
                        _recorded(extracted),
                    )
                )
    if ledger:
        ledger.close()
    return results


def _recorded(extracted: Extracted) -> tuple[str, ...]:
    forms = [f"Form 8606 ({f['tax_year']}, {f['taxpayer']})" for f in extracted.filed_forms]
    docs = sorted({f"{d['form']} ({d['tax_year']}, {d['taxpayer']})" for d in extracted.documents})
    return (*forms, *docs)


def _over_the_ceiling(staged: list[tuple[SourceFile, Extracted]], ledger: Ledger | None) -> list[Problem]:
    """All of a taxpayer's amounts together stay under money.MAX_TOTAL_CENTS, so the engine computes exactly."""
    from basis_ledger.money import MAX_TOTAL_CENTS, format_cents

    totals: dict[str, int] = dict(ledger.amount_totals()) if ledger else {}
    first: dict[str, str] = {}
    for src, e in staged:
        if e.events is None or not len(e.events):
            continue
        for who, cents in e.events.groupby("taxpayer")["amount_cents"].sum().items():
            totals[who] = totals.get(who, 0) + int(cents)
            first.setdefault(who, src.label)
    ceiling = format_cents(MAX_TOTAL_CENTS, whole=True)
    return [
        Problem(first[who], f"taxpayer '{who}': amounts total more than ${ceiling}, the ledger's ceiling (a typo?)")
        for who, total in totals.items()
        if total > MAX_TOTAL_CENTS and who in first
    ]


def _validate_together(staged: list[tuple[SourceFile, Extracted]]) -> list[Problem]:
    """One pandera pass over every staged file's events (a pass costs about the same for 10 rows as for 10,000)."""
    frames = [e.events.assign(source_file=s.label) for s, e in staged if e.events is not None and len(e.events)]
    if not frames:
        return []
    import pandas as pd

    together = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
    return validation_problems(together, "import")
