"""The import pipeline's step for filed forms: decide the owner, and with --as-opening add opening events (here,
not in ingest/pdf8606, because it reads the ledger)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.ingest.pdf8606.owner import opening_events, resolve

if TYPE_CHECKING:
    from basis_ledger.ingest.base import Extracted
    from basis_ledger.ingest.source import SourceFile
    from basis_ledger.ledger.store import Ledger


def attach(
    src: SourceFile,
    extracted: Extracted,
    ledger: Ledger | None,
    taxpayer: str | None,
    as_opening: bool,
    staged: list[tuple[SourceFile, Extracted]],
) -> None:
    """In place: owners on the filed forms; with as_opening, their opening events (validated like any events).
    Raises InputError; the pipeline then writes nothing."""
    import pandas as pd

    from basis_ledger.ledger.schema import validation_problems
    from basis_ledger.model import InputError

    if (ledger and ledger.has_file(src.sha256)) or any(s.sha256 == src.sha256 for s, _ in staged):
        return  # already imported: the pipeline says so and adds nothing
    resolve(str(src.path), extracted.filed_forms, taxpayer, ledger.taxpayers() if ledger else {})
    if not as_opening:
        return
    from basis_ledger.ingest.base import to_arrow

    cols = ["taxpayer", "tax_year", "date"]
    frames = [ledger.events()[cols]] if ledger else []
    frames += [to_arrow(e.events).select(cols).to_pandas() for _, e in staged if e.events is not None and len(e.events)]
    history = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    events, cautions = opening_events(str(src.path), extracted.filed_forms, history)
    extracted.cautions.extend(cautions)
    problems = validation_problems(events, str(src.path))
    if problems:
        raise InputError(problems)
    extracted.events = to_arrow(events)  # handed on as every importer's events are (ingest/base.extract)
