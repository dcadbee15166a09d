"""The import pipeline: read, identify, extract, validate every file, then write all of them or none."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from basis_ledger.faults import reading
from basis_ledger.ingest.base import Context, Extracted, extract, has_column, to_arrow
from basis_ledger.ingest.registry import choose
from basis_ledger.ingest.source import SourceFile
from basis_ledger.ledger.dedup import Verdict, match
from basis_ledger.ledger.schema import validation_problems
from basis_ledger.ledger.store import Ledger
from basis_ledger.model import Caution, InputError, Problem

if TYPE_CHECKING:
    from basis_ledger.ledger.backend import Connection


@dataclass(frozen=True)
class FileResult:
    file: str
    sha256: str
    importer: str
    events: int
    status: str  # "imported" | "already imported" | "would import"
    skipped: dict[str, int]
    cautions: tuple[Caution, ...] = ()  # what the user must read that did not stop the import (file and line)
    recorded: tuple[str, ...] = ()  # what was kept besides events: "Form 8606 (2021, ed)", "5498 (2024)"
    recognised: dict[str, int] = field(default_factory=dict)  # rows already in the ledger, by the file holding them

    def as_json(self) -> dict[str, Any]:
        """import --json: the cautions as the texts printed (the key stays `notes`, the published contract)."""
        out = dict(self.__dict__)
        return {
            ("notes" if k == "cautions" else k): [str(c) for c in v] if k == "cautions" else v for k, v in out.items()
        }


def extract_file(
    path: Path, profile: str | None = None, ctx: Context | None = None, validate: bool = True
) -> tuple[SourceFile, Extracted]:
    """Read and extract one file; every problem in it (parse and schema) raises together.

    validate=False leaves the schema check of a file that parsed cleanly to the caller (import_files checks all
    files' events in one pass)."""
    with reading(path):  # a parser's fault on this file (csv, zip, xml, pdf) is a Problem naming it
        src = SourceFile.read(path)
        # Statement and tax-form importers need the declared accounts and the user's mapping (Context); the
        # events come back as an Arrow table, whichever importer made them (ingest/base.extract).
        extracted = extract(choose(src, profile), src, ctx)
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
    rules: tuple[Any, ...] = (),  # the user's row rules (--map FILE:LINE=..., [[rule]] by date range or amount)
    on_file: Callable[[Path], None] | None = None,  # progress: called as each file is read
    allow_late: bool = False,  # keep contributions deposited after their year's deadline (ledger/deadlines.py)
    keep_duplicates: bool = False,  # --keep-duplicates: rows the ledger already holds are imported again
) -> list[FileResult]:
    """All files or none: any problem in any file leaves the ledger exactly as it was.

    Files are read and parsed first, without the lock. Every check that reads the ledger (already imported,
    owners and openings of 8606 PDFs, tax forms against statements, duplicates and conflicts) then runs inside
    the write transaction (BEGIN IMMEDIATE), so two imports at once cannot both pass a check the other breaks."""
    ledger = Ledger.open(ledger_path, create=True) if ledger_path.exists() else None
    try:
        ctx = Context(ledger.accounts() if ledger else {}, dict(mapping or {}), taxpayer, tuple(rules))
        parsed, problems = _parse(paths, profile, ctx, on_file)
        if problems:  # report the rest too (owners of 8606 PDFs, conflicts), all at once, in file order
            try:  # (the checks edit the parsed files in place: these are thrown away with the refusal)
                plan(parsed, ledger, taxpayer, as_opening, keep_duplicates, allow_late=allow_late)
            except InputError as err:
                problems += err.problems
            order = {str(p): i for i, p in enumerate(paths)}
            raise InputError(sorted(problems, key=lambda p: order.get(p.file, len(order))))
        checked = None
        if ledger is None:  # a new ledger is created only for an import that passes every check
            checked = plan(parsed, None, taxpayer, as_opening, keep_duplicates, allow_late=allow_late)
            ledger = Ledger.open(ledger_path, create=True)
        with ledger.transaction() as conn:
            if checked is not None and not _pristine(ledger, conn):
                raise _Raced  # another process made this ledger meanwhile: check against what it holds now
            staged, results = checked or plan(
                parsed, ledger, taxpayer, as_opening, keep_duplicates, conn, allow_late=allow_late
            )
            for s in staged:
                results.append(_write(ledger, conn, s))
        return sorted(results, key=lambda r: [str(p) for p in paths].index(r.file))
    except _Raced:
        ledger.close()  # type: ignore[union-attr]  # (rolled back: nothing written)
        ledger = None
        return import_files(
            ledger_path, paths, profile, taxpayer, as_opening, mapping, rules, on_file, allow_late, keep_duplicates
        )
    finally:
        if ledger:
            ledger.close()


class _Raced(Exception):
    """The new ledger this import was checked against as empty was made, and written to, by another process."""


def _pristine(ledger: Ledger, conn: Connection) -> bool:
    """Nothing in the ledger that a check reads: no file, account or taxpayer (a ledger just made by this import).

    On a new ledger the checks ran once before it was made, on the files as parsed (they edit them in place, so
    running them again would need copies of every file: 14 s of deepcopy for a 50,000-row 1099-R CSV)."""
    return conn.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None and not (
        ledger.accounts() or ledger.taxpayers()
    )


@dataclass
class Staged:
    src: SourceFile
    extracted: Extracted
    verdict: Verdict = field(default_factory=Verdict)
    again: int | None = None  # file id, when these bytes were imported before and undone since
    supersedes: dict[int, str] = field(default_factory=dict)  # ledger event id -> why it is voided on write


def _parse(
    paths: list[Path], profile: str | None, ctx: Context, on_file: Callable[[Path], None] | None
) -> tuple[list[tuple[SourceFile, Extracted]], list[Problem]]:
    parsed, problems = [], []
    for path in paths:
        if on_file:
            on_file(path)
        try:
            parsed.append(extract_file(path, profile, ctx, validate=False))
        except InputError as err:
            problems += err.problems
    return parsed, problems


def plan(
    parsed: list[tuple[SourceFile, Extracted]],
    ledger: Ledger | None,
    taxpayer: str | None,
    as_opening: bool,
    keep_duplicates: bool,
    conn: Connection | None = None,
    allow_late: bool = False,
) -> tuple[list[Staged], list[FileResult]]:
    """Every check against the ledger, in order; raises InputError with all problems. Inside the transaction
    when conn is given (import); on the ledger as it is, read only, for inspect."""
    problems: list[Problem] = []
    staged: list[Staged] = []
    results: list[FileResult] = []
    seen: dict[str, str] = {}
    for src, extracted in parsed:
        row = ledger.file_row(conn or ledger.conn, src.sha256) if ledger else None
        earlier = (row[1] if row and row[2] else None) or seen.get(src.sha256)
        if earlier:
            status = f"already imported (as {earlier}); nothing added"
            if keep_duplicates and row and row[2]:  # the ledger holds it, live: its rows were judged when it came in
                status += (
                    f"; --keep-duplicates applies when a file comes in: to keep this one's rows, run"
                    f" 'basis-ledger import --undo {src.path}' first, then import it again with --keep-duplicates"
                )
            results.append(FileResult(str(src.path), src.sha256, extracted.importer, 0, status, extracted.skipped))
            continue
        try:
            if extracted.filed_forms:
                from basis_ledger.ledger.openings import attach

                attach(src, extracted, ledger, taxpayer, as_opening, [(s.src, s.extracted) for s in staged])
        except InputError as err:
            problems += err.problems
            continue
        seen[src.sha256] = src.name
        staged.append(Staged(src, extracted, again=row[0] if row else None))
    pairs = [(s.src, s.extracted) for s in staged]
    problems += _validate_together(pairs)
    problems += _over_the_ceiling(pairs, ledger)
    if not allow_late and not problems:
        from basis_ledger.ledger.deadlines import late_contributions

        problems += late_contributions([(str(s.path), e.events) for s, e in pairs])
    from basis_ledger.ledger.crosscheck import reconcile

    batch = [(str(s.path), e) for s, e in pairs]
    problems += reconcile(batch, ledger)
    verdicts, conflicts = match(batch, ledger, conn or (ledger.conn if ledger else None), keep_duplicates)
    problems += conflicts
    if problems:
        raise InputError(problems)
    for s, v in zip(staged, verdicts, strict=True):
        s.verdict = v
    if ledger is not None:
        superseded(staged, ledger, conn or ledger.conn)
    return staged, results


def superseded(staged: list[Staged], ledger: Ledger, conn: Connection) -> None:
    """Events the ledger holds from a tax form that a statement of this import now has with its date: the form's
    event is voided when the statement is written (statements beat forms, whichever arrives first)."""
    from basis_ledger.ingest.taxforms import FORM_IMPORTERS

    frames = [s for s in staged if (e := s.extracted.events) is not None and e.num_rows and not has_column(e, "origin")]
    if not frames:
        return
    held = ledger.form_events(conn, tuple(FORM_IMPORTERS))
    if not held:
        return
    for s in frames:
        ev = s.extracted.events
        assert ev is not None  # frames holds only files with events
        lines: dict[tuple[Any, ...], int] = {}
        columns = (
            to_arrow(ev).column(c).to_pylist() for c in ("taxpayer", "account", "tax_year", "kind", "source_line")
        )
        for t, a, y, k, line in zip(*columns, strict=True):
            lines.setdefault((t, a, int(y), k), int(line))
        for event_id, t, a, y, k, name, form_line in held:
            line = lines.get((t, a, int(y), k))
            if line is None or any(event_id in x.supersedes for x in staged):
                continue
            s.supersedes[event_id] = f"superseded by {s.src.name}:{line} (a statement's dated {k})"
            s.extracted.cautions.append(
                Caution(
                    "form-event-superseded",
                    f"{k} {y} of account {a} ({t}) replaces the one from the tax form {name}:{form_line}, which "
                    "is voided (statements have dates, forms only years)",
                    str(s.src.path),
                    line,
                )
            )


def _write(ledger: Ledger, conn: Connection, s: Staged) -> FileResult:
    ex, v = s.extracted, s.verdict
    events = ex.events
    if events is not None and v.keep is not None and not v.keep.all():  # (a copy only when rows are dropped)
        from basis_ledger.arrays import arrow_bools

        events = events.filter(arrow_bools(v.keep))
    documents = [d for d, k in zip(ex.documents, v.keep_documents or [True] * len(ex.documents), strict=True) if k]
    if s.again is None:
        file_id, n = ledger.add_file(conn, s.src.name, s.src.sha256, ex.importer, events)
    else:  # imported before, undone since: the same file row, new event rows, and a record of the re-import
        file_id, n = s.again, ledger.add_events(conn, s.again, events)
        ledger.reimport(conn, file_id)
    ledger.add_documents(conn, file_id, documents)
    ledger.add_filed_forms(conn, file_id, ex.filed_forms)
    for event_id, why in s.supersedes.items():
        ledger.void_events(conn, [event_id], why)
    return FileResult(
        str(s.src.path),
        s.src.sha256,
        ex.importer,
        n,
        "imported" if s.again is None else "imported again (it had been undone)",
        ex.skipped,
        tuple(ex.cautions),
        _recorded(ex),
        v.recognised,
    )


def _recorded(extracted: Extracted) -> tuple[str, ...]:
    forms = [f"Form 8606 ({f['tax_year']}, {f['taxpayer']})" for f in extracted.filed_forms]
    docs = sorted({f"{d['form']} ({d['tax_year']}, {d['taxpayer']})" for d in extracted.documents})
    return (*forms, *docs)


def _over_the_ceiling(staged: list[tuple[SourceFile, Extracted]], ledger: Ledger | None) -> list[Problem]:
    """All of a taxpayer's amounts together stay under money.MAX_TOTAL_CENTS, so the engine computes exactly."""
    from basis_ledger.money import MAX_TOTAL_CENTS, format_cents

    held: dict[str, int] = dict(ledger.amount_totals()) if ledger else {}
    sums = [(src.label, *_per_taxpayer(e.events)) for src, e in staged if e.events is not None and e.events.num_rows]
    # A total over the ceiling has a part (the ledger's, or one file's) over ceiling / parts: only those
    # taxpayers are summed one by one, in Python integers.
    share = MAX_TOTAL_CENTS // (len(sums) + 1)
    candidates = {who for who, total in held.items() if total > share}
    for _label, names, values in sums:
        candidates.update(names[i] for i in (values > share).nonzero()[0].tolist())
    totals = {who: held.get(who, 0) for who in candidates}
    first: dict[str, str] = {}
    order: dict[str, tuple[int, int, int]] = {w: (0, i, 0) for i, w in enumerate(held) if w in candidates}
    for f, (label, names, values) in enumerate(sums):
        for at, who in enumerate(names):
            if who not in candidates:
                continue
            totals[who] += int(values[at])
            first.setdefault(who, label)
            order.setdefault(who, (1, f, at))  # where the taxpayer was first seen, as the ledger, then the files
    ceiling = format_cents(MAX_TOTAL_CENTS, whole=True)
    return [
        Problem(first[who], f"taxpayer '{who}': amounts total more than ${ceiling}, the ledger's ceiling (a typo?)")
        for who in sorted(totals, key=order.__getitem__)
        if totals[who] > MAX_TOTAL_CENTS and who in first
    ]


def _per_taxpayer(events: Any) -> tuple[list[str], Any]:
    """Each taxpayer of a file's events (in sorted order) and their amounts summed, exactly in int64 (each of a
    file's rows is capped, so no file's sum can overflow)."""
    import numpy as np

    from basis_ledger.arrays import numpy_ints
    from basis_ledger.ledger.schema import Columns

    codes, names = Columns(events).codes("taxpayer")
    sums = np.zeros(len(names), dtype=np.int64)
    np.add.at(sums, codes, numpy_ints(events.column("amount_cents")).astype(np.int64))
    order = sorted(range(len(names)), key=names.__getitem__)
    return [names[i] for i in order], sums[order]


def _validate_together(staged: list[tuple[SourceFile, Extracted]]) -> list[Problem]:
    """One pass of the rules over every staged file's events (each step of it costs about the same for 10 rows
    as for 10,000); each row's problem names its own file."""
    from basis_ledger.ingest.base import EVENT_COLUMNS
    from basis_ledger.ledger.batch import together

    tables = [e.events for _, e in staged]
    both = together(tables, list(EVENT_COLUMNS))
    if both is None:
        return []
    from basis_ledger.arrays import numpy_ints

    labels = [s.label for s, _ in staged]
    file_of = numpy_ints(both.column("file_index"))
    return validation_problems(both, "import", files=lambda i: labels[file_of[i]])
