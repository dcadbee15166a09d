"""Fuzz: the shipped samples and the test fixtures, mutated with fixed seeds, imported one by one.

Every importer family is covered (generic CSV, the custodians' CSVs, XLSX, 1099-R/5498 CSV, FDX JSON, Form
8606 PDF). Each mutated file must end in exit 0, 1 or 2 - never 3, never a traceback - within a per-file time
limit, and a refused import must leave the ledger byte for byte as it was. The mutations are the ones real files
suffer: byte flips, truncation, CR-only line ends, other encodings, very long fields, huge numbers, deep JSON.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
import shutil
import signal
import time
from pathlib import Path

import pytest

from tests.core.helpers import cli
from tests.ingest.helpers import golden_context, ledger_with_accounts

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "ingest" / "golden"
PER_FILE_SECONDS = 20  # generous: the machine is shared; a hang (a /Parent loop) never ends at all
CASES_PER_SEED = 160
SEED = 11


class Hang(BaseException):
    pass


def _xlsx_from(csv_path: Path) -> bytes:
    import csv

    from openpyxl import Workbook

    wb = Workbook()
    for row in csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))):
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _pdf_fixture(tmp: Path) -> list[tuple[str, bytes]]:
    from tests.pdf.formfixture import blank_form, printed_form

    out = []
    blank = tmp / "blank-2024.pdf"
    blank_form(blank, 2024)
    out.append(("f8606-blank.pdf", blank.read_bytes()))
    printed = tmp / "printed-2024.pdf"
    printed_form(printed, 2024, {"1": "7000", "2": "5000", "3": "12000", "14": "12000"}, name="Ed Q. Sample")
    out.append(("f8606-printed.pdf", printed.read_bytes()))
    return out


def seeds(tmp: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of every input family: the samples in sample_data/ and the importer fixtures."""
    files = [p for p in sorted(GOLDEN.iterdir()) if p.suffix in (".csv", ".json") and ".expected" not in p.name]
    files += sorted((ROOT / "sample_data").glob("*.csv")) + sorted((ROOT / "sample_data" / "messy-household").iterdir())
    out = [(p.name, p.read_bytes()) for p in files if p.suffix in (".csv", ".json", ".pdf")]
    out.append(("Accounts_History.xlsx", _xlsx_from(GOLDEN / "History_for_Account_X11111111.csv")))
    out.append(("Portfolio_Positions_Dec-31-2024.xlsx", _xlsx_from(GOLDEN / "Portfolio_Positions_Dec-31-2024.csv")))
    out += _pdf_fixture(tmp)
    return out


def _flip(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def _long_field(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + b"x" * rng.choice([2_000, 140_000]) + data[at:]


def _huge_number(data: bytes, rng: random.Random) -> bytes:
    runs = list(re.finditer(rb"[0-9]+", data))
    if not runs:
        return data + b"9" * 40
    m = rng.choice(runs)
    big = rng.choice([b"99999999999999999", b"9" * 29, b"9" * 5000, b"1" * 400])
    return data[: m.start()] + big + data[m.end() :]


def _encoding(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    return text.encode(rng.choice(["utf-16", "utf-32", "cp1252", "latin-1", "utf-16-be"]), "replace")


def _deep(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([200, 5_000, 10_000])
    at = data.find(b"{", 1)
    at = at if at > 0 else 0
    return data[:at] + b"[" * depth + b"]" * depth + b"," + data[at:]


MUTATIONS = {
    "flip": _flip,
    "truncate": lambda d, r: d[: r.randrange(1, max(2, len(d)))],
    "cr-only": lambda d, r: d.replace(b"\r\n", b"\n").replace(b"\n", b"\r"),
    "bare-cr": lambda d, r: d.replace(b"\n", b"\r", r.randint(1, 3)),
    "encoding": _encoding,
    "long-field": _long_field,
    "huge-number": _huge_number,
    "deep-json": _deep,
    "noise": lambda d, r: bytes(r.randrange(256) for _ in range(5000)),
    "nul": lambda d, r: d[: len(d) // 2] + b"\x00" + d[len(d) // 2 :],
    "control": lambda d, r: d.replace(b",", b",\x1b[2J\x0c", 1),
    "drop-line": lambda d, r: b"\n".join(x for i, x in enumerate(d.split(b"\n")) if i != r.randrange(1, 6)),
    "digits": lambda d, r: re.sub(rb"[0-9]", "\uff11".encode(), d, count=3),
}


def cases(tmp: Path) -> list[tuple[str, str, str, bytes]]:
    """(case number, mutation, file name, mutated bytes), the same on every run."""
    rng = random.Random(SEED)
    base = seeds(tmp)
    out = []
    for i in range(CASES_PER_SEED):
        name, data = base[i % len(base)]
        kind = rng.choice(sorted(MUTATIONS))
        out.append((f"{i:03d}", kind, name, MUTATIONS[kind](data, rng)))
    return out


def _alarm(_signum, _frame):
    raise Hang


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs POSIX interval timers for the per-file limit")
def test_mutated_files_never_crash_hang_or_change_the_ledger(tmp_path):
    accounts, taxpayer = golden_context()
    base = ledger_with_accounts(tmp_path, accounts)
    before_all = base.read_bytes()
    failures: list[str] = []
    outcomes: dict[int, int] = {}
    started = time.monotonic()
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        todo = cases(tmp_path)
        for number, kind, file, data in todo:
            name = f"case {number} ({kind} of {file})"
            folder = tmp_path / number
            folder.mkdir()
            path = folder / file
            path.write_bytes(data)
            ledger = folder / "ledger.db"
            shutil.copyfile(base, ledger)
            digest = hashlib.sha256(ledger.read_bytes()).hexdigest()
            args = ["import", str(path), "--taxpayer", taxpayer or "ed"]
            t0 = time.monotonic()
            signal.setitimer(signal.ITIMER_REAL, PER_FILE_SECONDS)
            try:
                res = cli(*args, ledger=ledger)
            except Hang:
                failures.append(f"{name}: no answer within {PER_FILE_SECONDS} s")
                continue
            except BaseException as exc:  # escaped the boundary: a traceback for the user
                failures.append(f"{name}: {type(exc).__name__}: {str(exc)[:200]}")
                continue
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            outcomes[res.returncode] = outcomes.get(res.returncode, 0) + 1
            said = res.stdout + res.stderr
            if res.returncode not in (0, 1, 2) or "Traceback" in said or "internal error" in said:
                failures.append(f"{name}: exit {res.returncode}: {res.stderr.strip()[:300]}")
            elif res.returncode == 2 and hashlib.sha256(ledger.read_bytes()).hexdigest() != digest:
                failures.append(f"{name}: refused, but the ledger changed")
            if len(res.stderr) > 60_000:
                failures.append(f"{name}: {len(res.stderr):,} characters of messages (unbounded)")
            if time.monotonic() - t0 > PER_FILE_SECONDS:
                failures.append(f"{name}: took {time.monotonic() - t0:.1f} s")
            shutil.rmtree(folder)
    finally:
        signal.signal(signal.SIGALRM, old)
    assert base.read_bytes() == before_all
    assert not failures, "\n".join(failures)
    assert outcomes.get(2, 0) > len(todo) // 4, outcomes  # the mutations do bite
    print(f"fuzz: {sum(outcomes.values())} files, exits {outcomes}, {time.monotonic() - started:.0f} s")
