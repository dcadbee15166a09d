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
from typing import TYPE_CHECKING, Any

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

    from basis_ledger.ledger.batch import together

    shown: dict[int, str] = {}
    for i, (fname, ex) in enumerate(batch):
        if ex.events is not None and not ex.events.empty:
            verdicts[i].keep = np.ones(len(ex.events), dtype=bool)
            # A file name that is not UTF-8 carries surrogate escapes, which the Arrow-backed string dtype cannot
            # hold: the messages get it with its bytes shown as \xNN.
            shown[i] = str(fname).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    both = together([ex.events for _, ex in batch], [*IDENTITY, "source_line"])  # every file's rows at once
    if both is None:
        return []
    new = both.rename(columns={"file_index": "_file", "file_row": "_row"})
    new = new.assign(_name=new["_file"].map(shown)).astype({"amount_cents": "int64", "tax_year": "int64"})
    held = _held(new, ledger, conn)
    problems = _year_end_conflicts(new, held)
    if keep_duplicates:
        return problems
    # Fast path: a file whose accounts' date spans meet neither the ledger's rows nor another file's of this
    # import cannot share an identity with anything; it is kept whole, and only the others are matched.
    new = new[new["_file"].isin(_overlapping_files(new, held))]
    if new.empty:
        return problems
    recognised, first_from = _recognised(new, held)
    if not recognised.any():
        return problems
    files, rows = new["_file"].to_numpy()[recognised], new["_row"].to_numpy()[recognised]
    froms = first_from[recognised]
    for at in np.unique(files):
        mine = files == at
        verdict = verdicts[int(at)]
        verdict.keep[rows[mine]] = False  # type: ignore[index]
        counted: dict[str, int] = {}
        for name in froms[mine]:
            counted[str(name)] = counted.get(str(name), 0) + 1
        verdict.recognised = dict(sorted(counted.items()))
    return problems


def _recognised(new: pd.DataFrame, held: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row of `new` (in file order, then row order): is it recognised, and the file it was seen in first.

    Vectorized over integer codes: each identity is numbered once over the ledger's rows and the import's. A
    file shows c rows of an identity; of those, as many as the ledger holds or an earlier file of this import
    shows (whichever is more) are recognised, the rest new: the first ones of the file's rows are the recognised."""
    import numpy as np
    import pandas as pd

    keys = list(IDENTITY)
    code = (
        pd.concat([held[keys], new[keys]], ignore_index=True)
        .groupby(keys, sort=False, dropna=False)
        .ngroup()
        .to_numpy(dtype=np.int64)
    )
    n_codes = int(code.max()) + 1
    in_held, code = code[: len(held)], code[len(held) :]
    held_count = np.bincount(in_held, minlength=n_codes)
    n_files = int(new["_file"].max()) + 1
    pair = code * n_files + new["_file"].to_numpy(dtype=np.int64)  # (identity, file), ordered by both
    order = np.argsort(pair, kind="stable")  # stable: a file's rows of one identity stay in row order
    ordered = pair[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    group = np.cumsum(np.r_[True, ordered[1:] != ordered[:-1]]) - 1  # the (identity, file) of each ordered row
    count = np.diff(np.r_[starts, len(ordered)])  # rows of each (identity, file)
    ident = ordered[starts] // n_files
    # The most rows of the identity that any earlier file shows: a running maximum within each identity (the
    # identity's number times a bound above any count keeps one identity's maximum from reaching the next's).
    bound = int(count.max()) + 1
    running = np.maximum.accumulate(ident * bound + count) - ident * bound
    same = np.r_[False, ident[1:] == ident[:-1]]
    before = np.where(same, np.r_[0, running[:-1]], 0)
    fresh = np.clip(count - np.maximum(held_count[ident], before), 0, None)  # rows of the file that are new
    rank = np.arange(len(ordered)) - starts[group]  # the row's place among its file's rows of its identity
    recognised = np.empty(len(ordered), dtype=bool)
    recognised[order] = rank >= fresh[group]
    # Where each identity was seen first: the ledger's first row of it, else the first file of this import.
    first = np.full(n_codes, "", dtype=object)
    names = new["_name"].to_numpy(dtype=object)
    new_codes, new_at = np.unique(code, return_index=True)  # each identity's first row (file order, row order)
    first[new_codes] = [str(p).rsplit("/", 1)[-1] for p in names[new_at]]
    if len(held):
        sources = held["source_file"].to_numpy(dtype=object)
        held_codes, held_at = np.unique(in_held, return_index=True)
        first[held_codes] = sources[held_at]
    return recognised, first[code]


def _overlapping_files(new: pd.DataFrame, held: pd.DataFrame) -> set[int]:
    """The files (by index) of which some account's first..last date meets the ledger's dates of that account
    or another file's first..last of it. Identity includes account and date, so the others share nothing."""
    import numpy as np

    files = new["_file"].to_numpy()
    if held.empty and (not len(files) or (files == files[0]).all()):
        return set()  # one file, and nothing held in its dates: no span meets another
    spans: dict[str, list[tuple[str, str, int]]] = {}
    for account, i, lo, hi in _date_spans(new["account"], new["_file"].to_numpy(dtype=np.int64), new["date"]):
        spans.setdefault(account, []).append((lo, hi, i))
    if not held.empty:
        for account, _, lo, hi in _date_spans(held["account"], np.zeros(len(held), dtype=np.int64), held["date"]):
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


def _date_spans(account: pd.Series, group: np.ndarray, date: pd.Series) -> list[tuple[str, int, str, str]]:
    """(account, group, first date, last date) of each account and group that has rows.

    Over integer codes in numpy (ISO dates numbered in their order): a group-by's min and max of a text column
    would go through Arrow's own group-by, whose import alone costs more than a small import's matching."""
    import numpy as np
    import pandas as pd

    accounts, names = pd.factorize(account)
    days, texts = pd.factorize(date, sort=True)  # day codes in date order: min and max of codes are of dates
    width = int(group.max()) + 1
    pair, at = np.unique(accounts.astype(np.int64) * width + group, return_inverse=True)
    first = np.full(len(pair), len(texts), dtype=np.int64)
    last = np.full(len(pair), -1, dtype=np.int64)
    np.minimum.at(first, at, days)
    np.maximum.at(last, at, days)
    return [
        (str(names[p // width]), int(p % width), str(texts[lo]), str(texts[hi]))
        for p, lo, hi in zip(pair.tolist(), first.tolist(), last.tolist(), strict=True)
    ]


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
