"""Duplicates and conflicts across files: what a file brings that the ledger (or an earlier file) already holds.

Two events are the same transaction when their content identity (corrections.IDENTITY: taxpayer, account, date,
kind, amount, tax year) is equal. Rows are matched as multisets: a file with two identical same-day deposits
holds two events, and of those the ledger keeps as many as the file that shows most of them. That makes the
ledger the same whatever order overlapping downloads arrive in. Conflicts are refused instead: two different
31 December values for one account and date, or a Form 5498 box of one account and year with two values.

Everything here is vectorized over rows (integer codes of Arrow columns, in numpy), and reads the ledger only
through the store methods
that take the import transaction's connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from basis_ledger.arrays import arrow_bools, arrow_ints, arrow_strings, arrow_text, numpy_ints, one_array
from basis_ledger.ledger.corrections import IDENTITY
from basis_ledger.model import Problem
from basis_ledger.money import format_cents

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

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
        if ex.events is not None and ex.events.num_rows:
            verdicts[i].keep = np.ones(ex.events.num_rows, dtype=bool)
            # A file name that is not UTF-8 carries surrogate escapes, which Arrow text cannot hold: the messages
            # get it with its bytes shown as \xNN.
            shown[i] = str(fname).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    new = together([ex.events for _, ex in batch], [*IDENTITY, "source_line"])  # every file's rows at once
    if new is None:
        return []
    held = _held(new, ledger, conn)
    problems = _year_end_conflicts(new, held, shown)
    if keep_duplicates:
        return problems
    # Fast path: a file whose accounts' date spans meet neither the ledger's rows nor another file's of this
    # import cannot share an identity with anything; it is kept whole, and only the others are matched.
    files = numpy_ints(new.column("file_index"))
    overlapping = _overlapping_files(new, held)
    if not overlapping:
        return problems
    new = new.filter(arrow_bools(np.isin(files, sorted(overlapping))))
    recognised, first_from = _recognised(new, held, shown)
    if not recognised.any():
        return problems
    files = numpy_ints(new.column("file_index"))[recognised]
    rows = numpy_ints(new.column("file_row"))[recognised]
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


def _codes(column: Any) -> tuple[np.ndarray, list[Any]]:
    """Each row's number among the column's distinct values (first appearance first), and those values."""
    import numpy as np
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(one_array(column))
    return numpy_ints(encoded.indices).astype(np.int64), encoded.dictionary.to_pylist()


def _joint(columns: list[Any]) -> np.ndarray:
    """One number per distinct combination of the columns' values (rows equal in every column share it)."""
    import numpy as np

    code, size = np.zeros(len(columns[0]), dtype=np.int64), 1
    for column in columns:
        c, values = _codes(column)
        n = max(len(values), 1)
        if size * n >= 2**62:  # renumber densely before the product could overflow
            uniques, code = np.unique(code, return_inverse=True)
            size = len(uniques)
        code, size = code * n + c, size * n
    return code


def _stacked(held: pa.Table, new: pa.Table, name: str) -> Any:
    """A column of the ledger's rows, then the import's."""
    import pyarrow as pa

    kind = new.schema.field(name).type
    return pa.concat_arrays([one_array(held.column(name)).cast(kind), one_array(new.column(name))])


def _recognised(new: pa.Table, held: pa.Table, shown: dict[int, str]) -> tuple[np.ndarray, np.ndarray]:
    """Per row of `new` (in file order, then row order): is it recognised, and the file it was seen in first.

    Vectorized over integer codes: each identity is numbered once over the ledger's rows and the import's. A
    file shows c rows of an identity; of those, as many as the ledger holds or an earlier file of this import
    shows (whichever is more) are recognised, the rest new: the first ones of the file's rows are the recognised."""
    import numpy as np

    code = _joint([_stacked(held, new, k) for k in IDENTITY])
    n_held = held.num_rows
    _, code = np.unique(code, return_inverse=True)  # dense numbers
    n_codes = int(code.max()) + 1
    in_held, code = code[:n_held], code[n_held:]
    held_count = np.bincount(in_held, minlength=n_codes)
    file_of = numpy_ints(new.column("file_index"))
    n_files = int(file_of.max()) + 1
    pair = code * n_files + file_of  # (identity, file), ordered by both
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
    new_codes, new_at = np.unique(code, return_index=True)  # each identity's first row (file order, row order)
    first[new_codes] = [shown[int(f)].rsplit("/", 1)[-1] for f in file_of[new_at]]
    if n_held:
        sources = np.array(held.column("source_file").to_pylist(), dtype=object)
        held_codes, held_at = np.unique(in_held, return_index=True)
        first[held_codes] = sources[held_at]
    return recognised, first[code]


def _overlapping_files(new: pa.Table, held: pa.Table) -> set[int]:
    """The files (by index) of which some account's first..last date meets the ledger's dates of that account
    or another file's first..last of it. Identity includes account and date, so the others share nothing."""
    import numpy as np

    files = numpy_ints(new.column("file_index"))
    if not held.num_rows and (not len(files) or (files == files[0]).all()):
        return set()  # one file, and nothing held in its dates: no span meets another
    spans: dict[str, list[tuple[str, str, int]]] = {}
    for account, i, lo, hi in _date_spans(new.column("account"), files, new.column("date")):
        spans.setdefault(account, []).append((lo, hi, i))
    if held.num_rows:
        zeros = np.zeros(held.num_rows, dtype=np.int64)
        for account, _, lo, hi in _date_spans(held.column("account"), zeros, held.column("date")):
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


def _date_spans(account: Any, group: np.ndarray, date: Any) -> list[tuple[str, int, str, str]]:
    """(account, group, first date, last date) of each account and group that has rows, over integer codes in
    numpy (ISO dates numbered in their order)."""
    import numpy as np

    accounts, names = _codes(account)
    days, texts = _codes(date)
    order = sorted(range(len(texts)), key=texts.__getitem__)
    rank = np.empty(len(texts), dtype=np.int64)
    rank[order] = np.arange(len(texts))
    days = rank[days]  # day codes in date order: min and max of codes are of dates
    texts = [texts[i] for i in order]
    width = int(group.max()) + 1
    pair, at = np.unique(accounts * width + group, return_inverse=True)
    first = np.full(len(pair), len(texts), dtype=np.int64)
    last = np.full(len(pair), -1, dtype=np.int64)
    np.minimum.at(first, at, days)
    np.maximum.at(last, at, days)
    return [
        (str(names[p // width]), int(p % width), str(texts[lo]), str(texts[hi]))
        for p, lo, hi in zip(pair.tolist(), first.tolist(), last.tolist(), strict=True)
    ]


def _held(new: pa.Table, ledger: Ledger | None, conn: Connection | None) -> pa.Table:
    import pyarrow as pa

    if ledger is None or conn is None:
        ints = ("amount_cents", "tax_year", "source_line")
        names = [*IDENTITY, "source_file", "source_line"]  # (no rows: built by buffers, as arrays.py says why)
        return pa.Table.from_arrays([arrow_ints([]) if c in ints else arrow_strings([]) for c in names], names=names)
    _, accounts = _codes(new.column("account"))
    _, dates = _codes(new.column("date"))
    return ledger.identities(conn, sorted(accounts), str(min(dates)), str(max(dates)))


def _year_end_conflicts(new: pa.Table, held: pa.Table, shown: dict[int, str]) -> list[Problem]:
    """Two different 31 December values of one account and date, in this import or against the ledger."""
    import numpy as np
    import pyarrow.compute as pc

    def ends(table: pa.Table) -> pa.Table:
        return table.filter(pc.equal(table.column("kind"), arrow_text("year_end_value")))

    mine, old = ends(new), ends(held)
    if not mine.num_rows:
        return []
    keys = ["taxpayer", "account", "date"]
    key = _joint([_stacked(old, mine, k) for k in keys])
    amount = np.concatenate([numpy_ints(old.column("amount_cents")), numpy_ints(mine.column("amount_cents"))])
    order = np.lexsort((amount, key))
    k, a = key[order], amount[order]
    differs = (k[1:] == k[:-1]) & (a[1:] != a[:-1])  # a second value within one key
    clash = np.unique(k[1:][differs])
    if not len(clash):
        return []
    # The clashing keys' rows (the ledger's, then this import's, each in order), key by key in sorted key order.
    at = np.flatnonzero(np.isin(key, clash))
    n_old = old.num_rows
    rows = []
    for i in at.tolist():
        table, j = (old, i) if i < n_old else (mine, i - n_old)
        values = {c: table.column(c)[j].as_py() for c in (*keys, "amount_cents", "source_line")}
        values["file"] = -1 if i < n_old else int(mine.column("file_index")[j].as_py())
        values["fname"] = table.column("source_file")[j].as_py() if i < n_old else shown[values["file"]]
        rows.append(values)
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["taxpayer"], r["account"], r["date"]), []).append(r)
    problems = []
    for (taxpayer, account, date), group in sorted(groups.items()):
        for r in group:
            if r["file"] < 0:
                continue
            other = next(o for o in group if o["amount_cents"] != r["amount_cents"])
            problems.append(
                Problem(
                    str(r["fname"]),
                    f"the {date} (31 December) value of account {account} ({taxpayer}) is "
                    f"{format_cents(int(r['amount_cents']), whole=False)} here but "
                    f"{format_cents(int(other['amount_cents']), whole=False)} in {other['fname']}:"
                    f"{other['source_line']}; " + FIX,
                    line=int(r["source_line"]),
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
