"""Custodian documents (Form 5498, Form 1099-R) read back from the ledger, one object per document."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from basis_ledger.audit.context import AuditContext, parse_money
from basis_ledger.audit.findings import Evidence
from basis_ledger.model import POOLED_TYPES
from basis_ledger.resources import load_toml

_TRUE = {"x", "yes", "y", "true", "1", "checked", "on"}


@cache
def spec() -> dict:
    return load_toml("audit_documents.toml")


@dataclass
class Document:
    form: str  # "5498" | "1099-R"
    taxpayer: str
    year: int
    account: str
    file: str
    line: int
    boxes: dict[str, str] = field(default_factory=dict)
    type: str = "traditional"

    def box(self, role: str) -> str | None:
        for name in spec()["boxes"][self.form].get(role, []):
            if name in self.boxes and self.boxes[name].strip() != "":
                return self.boxes[name].strip()
        return None

    def amount(self, role: str) -> int | None:
        text = self.box(role)
        try:
            return None if text is None else parse_money(text)
        except ValueError:
            return None

    @property
    def codes(self) -> set[str]:
        return set(re.findall(r"[0-9A-Z]", (self.box("codes") or "").upper()))

    @property
    def chain(self) -> str:
        return f"inherited:{self.account}" if self.type == "inherited_traditional" else "own"

    def evidence(self, role: str, what: str) -> Evidence:
        return Evidence(self.file, f"line {self.line}", f"{self.form} {self.account} {what}".replace("  ", " "))


def documents(ctx: AuditContext) -> list[Document]:
    frame = ctx.documents
    if frame is None or len(frame) == 0:
        return []
    by_account = event_account_types(ctx)
    docs: dict[tuple, Document] = {}
    for r in frame.itertuples():
        key = (getattr(r, "file_id", r.source_file), int(r.doc_index), str(r.form))
        if key not in docs:
            docs[key] = Document(
                str(r.form),
                str(r.taxpayer),
                int(r.tax_year),
                str(r.account or ""),
                str(r.source_file),
                int(r.source_line),
            )
        docs[key].boxes[str(r.box)] = str(r.value)
    for d in docs.values():
        d.type = _type_of(d, ctx.accounts, by_account)
    return list(docs.values())


def event_account_types(ctx: AuditContext) -> dict[str, str]:
    """The account type each account's events carry most often. An account may be named in more than one
    taxpayer's events, so a range of taxpayers (audit/run.py) is given the whole ledger's."""
    shared = getattr(ctx, "shared_account_types", None)
    if shared is not None:
        return shared
    ev = ctx.events
    if ev is None or len(ev) == 0:
        return {}
    return ev.groupby("account")["account_type"].agg(lambda s: s.mode().iat[0]).to_dict()


def _type_of(d: Document, accounts: dict, by_account: dict[str, str]) -> str:
    """The account's declared type, else the type its events carry, else what the form itself says."""
    declared = accounts.get(d.account)
    if declared is not None:
        return getattr(declared, "type", declared)
    if d.account in by_account:
        return by_account[d.account]
    flags = spec()["boxes"][d.form].get("type_flags", {})
    for box, kind in flags.items():
        if (d.boxes.get(box) or "").strip().lower() in _TRUE:
            return kind
    text = (d.box("type") or "").lower()
    if "roth" in text:
        return "roth"
    for t in ("sep", "simple"):
        if t in text:
            return t
    if d.form == "1099-R":
        if d.codes & set(spec()["codes"]["roth"]):
            return "roth"
        return "traditional" if (d.box("ira_sep_simple") or "").lower() in _TRUE else "plan"
    if d.box("roth_only") is not None:
        return "roth"
    return "traditional"


def pooled_or_inherited(d: Document) -> bool:
    return d.type in POOLED_TYPES or d.type == "inherited_traditional"
