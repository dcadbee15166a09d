"""Build a ledger for audit tests: events from generic-CSV text, filed 8606s and custodian documents inserted
directly into the ledger's tables (as the 8606 PDF reader and the 1099-R/5498 importers would)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from basis_ledger.audit.run import run_audit
from basis_ledger.commands.audit import load_context
from basis_ledger.ledger.store import Ledger
from tests.core.helpers import HEADER, events_from

AS_OF = "2030-01-01"  # every return in these histories is due

MESSY = Path(__file__).resolve().parents[2] / "sample_data" / "messy-household"
DANA_BORN, LEE_BORN = "1978-05-12", "1972-09-30"


def messy_household_steps() -> list[tuple[str, ...]]:
    """The commands that set up sample_data/messy-household as a user would (as `make demo` does): taxpayers,
    the plan account, then every CSV and printed 8606 in one import."""
    return [
        ("taxpayer", "set", "dana", "--full-name", "Dana Q. Messy", "--ssn-last4", "1111", "--birth-date", DANA_BORN),
        ("taxpayer", "set", "lee", "--full-name", "Lee R. Messy", "--ssn-last4", "2222", "--birth-date", LEE_BORN),
        ("account", "set", "ACME-401K", "--owner", "dana", "--type", "plan"),
        ("import", *map(str, sorted(MESSY.glob("*.csv"))), *map(str, sorted(MESSY.glob("*.pdf")))),
    ]


def build_ledger(
    path: Path,
    rows: list[str],
    filed: list[dict] | None = None,
    documents: list[dict] | None = None,
    taxpayers: dict | None = None,
) -> Path:
    """rows: generic-CSV rows. filed: [{taxpayer, tax_year, lines: {line: value text}}]. documents:
    [{form, taxpayer, tax_year, account, boxes: {box: value}}]. taxpayers: {name: {birth_date: ...}}."""
    text = HEADER + "\n" + "\n".join(rows) + "\n"
    events = events_from(text, "history.csv")
    store = Ledger.open(path, create=True)
    try:
        with store.transaction() as conn:
            store.add_file(conn, "history.csv", hashlib.sha256(text.encode()).hexdigest(), "generic", events)
            if filed:
                fid, _ = store.add_file(
                    conn, "f8606.pdf", hashlib.sha256(repr(filed).encode()).hexdigest(), "pdf", None
                )
                forms = [
                    {**f, "lines": {k: (v, f"topmostSubform[0].Page1[0].line_{k}[0]") for k, v in f["lines"].items()}}
                    for f in filed
                ]
                store.add_filed_forms(conn, fid, forms)
            if documents:
                fid, _ = store.add_file(
                    conn, "taxforms.csv", hashlib.sha256(repr(documents).encode()).hexdigest(), "taxforms", None
                )
                store.add_documents(
                    conn, fid, [{"doc_index": i, "source_line": i + 2, **d} for i, d in enumerate(documents)]
                )
    finally:
        store.close()
    for name, facts in (taxpayers or {}).items():
        Ledger.open(path, write=True).set_taxpayer(name, **facts)
    return path


def audit(path: Path, taxpayer: str | None = None, year: int | None = None, as_of: str = AS_OF):
    ctx = load_context(str(path), taxpayer, 5, False, as_of)
    return run_audit(ctx, taxpayer, year)


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def only(findings, code: str):
    return [f for f in findings if f.code == code]
