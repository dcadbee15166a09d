"""Duplicates and conflicts across files: what a file brings that the ledger (or an earlier file) already holds.

Two events are the same transaction when their content identity (corrections.IDENTITY: taxpayer, account, date,
kind, amount, tax year) is equal. Rows are matched as multisets: a file with two identical same-day deposits
holds two events, and of those the ledger keeps as many as the file that shows most of them. That makes the
ledger the same whatever order overlapping downloads arrive in. Conflicts are refused instead: two different
31 December values for one account and date, or a Form 5498 box of one account and year with two values.

Everything here is vectorized over rows (pandas group-bys), and reads the ledger only through the store methods
that take the import transaction's connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from basis_ledger.ledger.corrections import IDENTITY
from basis_ledger.model import Problem
from basis_ledger.money import format_cents

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from basis_ledger.ingest.base import Extracted
    from basis_ledger.ledger.backend import Connection
    from basis_ledger.ledger.store import Ledger

FIX = (
    "if one of them is wrong, void it ('basis-ledger events void ID --reason ...') or undo its file "
    "('basis-ledger import --undo FILE --reason ...'), then import again"
)


@dataclass
class Verdict:
    """What matching decided for one staged file."""

    keep: np.ndarray | None = None  # per event row: True = new, False = recognised
    keep_documents: list[bool] = field(default_factory=list)
    recognised: dict[str, int] = field(default_factory=dict)  # other file -> events recognised from it


def match(
    batch: list[tuple[str, Extracted]],
    ledger: Ledger | None,
    conn: Connection | None,
    keep_duplicates: bool = False,
) -> tuple[list[Verdict], list[Problem]]:
    """One Verdict per staged file (batch order = import order) and the conflicts that stop the import."""
    verdicts = [Verdict() for _ in batch]
    problems = _events(batch, ledger, conn, keep_duplicates, verdicts)
    problems += _documents(batch, ledger, conn, keep_duplicates, verdicts)
    return verdicts, problems


def _events(
    batch: list[tuple[str, Extracted]],
    ledger: Ledger | None,
    conn: Connection | None,
    keep_duplicates: bool,
    verdicts: list[Verdict],
) -> list[Problem]:
    import numpy as np
    import pandas as pd

    frames = []
    for i, (fname, ex) in enumerate(batch):
        ev = ex.events
        if ev is None or ev.empty:
            continue
        verdicts[i].keep = np.ones(len(ev), dtype=bool)
        part = ev[[*IDENTITY, "source_line"]].reset_index(drop=True)
        # A file name that is not UTF-8 carries surrogate escapes, which the Arrow-backed string dtype cannot
        # hold: the messages get it with its bytes shown as \xNN.
        shown = str(fname).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        frames.append(part.assign(_file=i, _row=np.arange(len(ev)), _name=shown))
    if not frames:
        return []
    new = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    new = new.astype({"amount_cents": "int64", "tax_year": "int64"})
    held = _held(new, ledger, conn)
    problems = _year_end_conflicts(new, held)
    if keep_duplicates:
        return problems
    # Fast path: a file whose accounts' date spans meet neither the ledger's rows nor another file's of this
    # import cannot share an identity with anything; it is kept whole, and only the others are matched.
    new = new[new["_file"].isin(_overlapping_files(new, held))]
    if new.empty:
        return problems
    keys = list(IDENTITY)
    # How many of each identity the ledger holds, and how many each file shows.
    in_ledger = held.groupby(keys, sort=False).size().rename("l").reset_index()
    per_file = new.groupby([*keys, "_file"], sort=True).size().rename("c").reset_index()
    per_file = per_file.merge(in_ledger, on=keys, how="left").fillna({"l": 0})
    per_file = per_file.sort_values([*keys, "_file"], kind="stable")
    group = per_file.groupby(keys, sort=False).ngroup()
    most_before = per_file.groupby(group)["c"].cummax().groupby(group).shift(1).fillna(0)
    prev = np.maximum(per_file["l"].to_numpy(), most_before.to_numpy())
    per_file["new"] = np.clip(per_file["c"].to_numpy() - prev, 0, None)
    rank = new.groupby([*keys, "_file"], sort=False).cumcount()
    new = new.assign(_rank=rank).merge(per_file[[*keys, "_file", "new"]], on=[*keys, "_file"], how="left")
    seen = new[new["_rank"] >= new["new"]]
    if seen.empty:
        return problems
    # Where each recognised row was seen first: the ledger's file, else the earliest file of this import.
    first_held = held.drop_duplicates(keys)[[*keys, "source_file"]]
    first_new = new.sort_values("_file", kind="stable").drop_duplicates(keys)[[*keys, "_name"]]
    seen = seen.merge(first_held, on=keys, how="left").merge(first_new, on=keys, how="left", suffixes=("", "_first"))
    seen["from"] = seen["source_file"].fillna(seen["_name_first"].map(lambda p: str(p).rsplit("/", 1)[-1]))
    for at, rows in seen.groupby("_file"):
        verdict = verdicts[int(cast(int, at))]
        verdict.keep[rows["_row"].to_numpy()] = False  # type: ignore[index]
        verdict.recognised = {str(k): int(v) for k, v in rows["from"].value_counts().sort_index().items()}
    return problems


def _overlapping_files(new: pd.DataFrame, held: pd.DataFrame) -> set[int]:
    """The files (by index) of which some account's first..last date meets the ledger's dates of that account
    or another file's first..last of it. Identity includes account and date, so the others share nothing."""
    spans: dict[str, list[tuple[str, str, int]]] = {}
    ranges = new.groupby(["account", "_file"], sort=False)["date"].agg(["min", "max"])
    for (account, i), lo, hi in zip(ranges.index, ranges["min"], ranges["max"], strict=True):
        spans.setdefault(account, []).append((lo, hi, int(i)))
    if not held.empty:
        ledger_spans = held.groupby("account", sort=False)["date"].agg(["min", "max"])
        for account, lo, hi in zip(ledger_spans.index, ledger_spans["min"], ledger_spans["max"], strict=True):
            spans.setdefault(account, []).append((lo, hi, -1))  # -1: the ledger
    out: set[int] = set()
    for found in spans.values():
        found.sort()
        reach = ""  # the latest last date of the spans before this one (sorted by first date)
        for k, (lo, hi, i) in enumerate(found):
            after = k + 1 < len(found) and found[k + 1][0] <= hi  # the next span starts before this one ends
            if (k and lo <= reach) or after:
                out.add(i)
            reach = max(reach, hi)
    out.discard(-1)
    return out


def _held(new: pd.DataFrame, ledger: Ledger | None, conn: Connection | None) -> pd.DataFrame:
    import pandas as pd

    if ledger is None or conn is None:
        return pd.DataFrame(
            {
                c: pd.Series(dtype="int64" if c in ("amount_cents", "tax_year", "source_line") else "str")
                for c in (*IDENTITY, "source_file", "source_line")
            }
        )
    accounts = sorted(new["account"].unique().tolist())
    return ledger.identities(conn, accounts, str(new["date"].min()), str(new["date"].max()))


def _year_end_conflicts(new: pd.DataFrame, held: pd.DataFrame) -> list[Problem]:
    """Two different 31 December values of one account and date, in this import or against the ledger."""
    import pandas as pd

    ends = new[new["kind"] == "year_end_value"]
    if ends.empty:
        return []
    keys = ["taxpayer", "account", "date"]
    old = held[held["kind"] == "year_end_value"].assign(_name=held["source_file"], _file=-1)
    both = pd.concat(
        [
            old[[*keys, "amount_cents", "_name", "source_line", "_file"]],
            ends[[*keys, "amount_cents", "_name", "source_line", "_file"]],
        ],
        ignore_index=True,
    )
    values = both.groupby(keys)["amount_cents"].nunique()
    clash = values[values > 1]
    if clash.empty:
        return []
    problems = []
    both = both.rename(columns={"_name": "fname", "_file": "fidx"})
    r: Any  # pandas-stubs types a row's fields as any scalar
    other: Any
    for key, rows in both.set_index(keys).loc[clash.index].groupby(level=[0, 1, 2]):
        rows = rows.reset_index()
        taxpayer, account, date = key
        for r in rows[rows["fidx"] >= 0].itertuples():
            other = rows[rows["amount_cents"] != r.amount_cents].iloc[0]
            problems.append(
                Problem(
                    str(r.fname),
                    f"the {date} (31 December) value of account {account} ({taxpayer}) is "
                    f"{format_cents(int(r.amount_cents), whole=False)} here but "
                    f"{format_cents(int(other.amount_cents), whole=False)} in {other.fname}:{other.source_line}; "
                    + FIX,
                    line=int(r.source_line),
                )
            )
    return problems


def _box_items(doc: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, str(v)) for k, v in doc["boxes"].items() if k.startswith("box")))


def _documents(
    batch: list[tuple[str, Extracted]],
    ledger: Ledger | None,
    conn: Connection | None,
    keep_duplicates: bool,
    verdicts: list[Verdict],
) -> list[Problem]:
    """Tax forms: an identical form again is recognised; a 5498 box with another value is a conflict."""
    if not any(ex.documents for _, ex in batch):
        return []
    held = ledger.live_documents(conn) if ledger is not None and conn is not None else []
    count: dict[tuple[Any, ...], int] = {}
    fives: dict[tuple[Any, ...], list[tuple[str, int, dict[str, Any]]]] = {}
    for d in held:
        ident = (d["form"], d["taxpayer"], d["tax_year"], d["account"], _box_items(d))
        count[ident] = count.get(ident, 0) + 1
        if d["form"] == "5498":
            fives.setdefault((d["taxpayer"], d["tax_year"], d["account"]), []).append(
                (d["file"], d["source_line"], d["boxes"])
            )
    problems = []
    last = max(i for i, (_, ex) in enumerate(batch) if ex.documents)
    for i, (fname, ex) in enumerate(batch):
        if i == last and not count and not fives:
            # Nothing held and no earlier file with forms: every form is new, and no later file needs to know.
            verdicts[i].keep_documents = [True] * len(ex.documents)
            continue
        shown: dict[tuple[Any, ...], int] = {}
        keep = []
        for d in ex.documents:
            ident = (d["form"], d["taxpayer"], d["tax_year"], d["account"], _box_items(d))
            shown[ident] = shown.get(ident, 0) + 1
            keep.append(keep_duplicates or shown[ident] > count.get(ident, 0))
            if d["form"] == "5498":
                where = (d["taxpayer"], d["tax_year"], d["account"])
                for other_file, other_line, boxes in fives.get(where, []):
                    problems += _box_conflicts(fname, d, other_file, other_line, boxes)
        for ident, n in shown.items():
            count[ident] = max(count.get(ident, 0), n)
        for d in ex.documents:
            if d["form"] == "5498":
                fives.setdefault((d["taxpayer"], d["tax_year"], d["account"]), []).append(
                    (fname, d["source_line"], d["boxes"])
                )
        verdicts[i].keep_documents = keep
    return problems


def _box_conflicts(
    fname: str, doc: dict[str, Any], other_file: str, other_line: int, boxes: dict[str, Any]
) -> list[Problem]:
    if other_file == fname:  # one file's own rows: the importer already judged them
        return []
    out = []
    names = sorted({k for k in (*doc["boxes"], *boxes) if k.startswith("box")})
    for box in names:
        mine, theirs = doc["boxes"].get(box, ""), boxes.get(box, "")
        if str(mine) != str(theirs):
            out.append(
                Problem(
                    fname,
                    f"Form 5498 {doc['tax_year']} of account {doc['account']} ({doc['taxpayer']}): "
                    f"{box} is {mine or 'empty'} here but {theirs or 'empty'} in {other_file}:{other_line}; if one "
                    "is wrong (or this one is a corrected form), undo the other file first "
                    f"('basis-ledger import --undo {other_file} --reason ...')",
                    line=doc["source_line"],
                    column=box,
                )
            )
    return out
