"""Reading prior-year Form 8606 PDFs: time 100 of them, read in-process and imported by the real command.

    .venv/bin/python benchmarks/pdf_read.py [--files 100]

The PDFs are made first (not timed): the real IRS blanks of ../shared/irs-forms when present (else the test
suite's self-made look-alike), each filled with different numbers; every other one is flattened (its values burned
into the page as text, read by position), the rest keep their fields (read by field map).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "irs-forms"
sys.path.insert(0, str(ROOT))  # for tests.pdf.formfixture when ../shared is absent


def blanks(tmp: Path) -> list[tuple[int, Path]]:
    found = [(int(p.stem[-4:]), p) for p in sorted(SHARED.glob("f8606-????.pdf"))]
    if found:
        return found
    from tests.pdf.formfixture import blank_form

    made = []
    for year, style in ((2018, "cents"), (2023, "single"), (2025, "padded")):
        blank_form(tmp / f"blank-{year}.pdf", year, style)
        made.append((year, tmp / f"blank-{year}.pdf"))
    return made


def make(tmp: Path, n: int) -> list[Path]:
    from basis_ledger.render.fill import fill
    from tests.pdf.formfixture import flatten

    forms = blanks(tmp)
    out = []
    for i in range(n):
        year, blank = forms[i % len(forms)]
        l1, l2 = 1000 + 37 * i, 2000 + 11 * i
        lines = {
            "1": l1,
            "2": l2,
            "3": l1 + l2,
            "4": 0,
            "5": l1 + l2,
            "6": 40000,
            "7": 1000,
            "8": 0,
            "9": 41000,
            "10": f"{(l1 + l2) / 41000:.5f}",
            "14": l1 + l2,
            "15a": 900,
            "15b": 0,
            "15c": 900,
        }
        path = tmp / f"f8606-{i:03d}.pdf"
        fill(blank, path, year, lines, f"Bench Taxpayer {i}", "XXX-XX-1234")
        if i % 2:
            flatten(path, path.with_suffix(".flat.pdf"))
            path.unlink()
            path = path.with_suffix(".flat.pdf")
        out.append(path)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=100)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        paths = make(tmp, args.files)
        source = "IRS blanks from ../shared/irs-forms" if SHARED.is_dir() else "self-made look-alike forms"
        print(f"{len(paths)} PDFs ({source}; half flattened)")
        code = (
            "import sys,time;t=time.perf_counter();c=time.process_time()\n"
            "from pathlib import Path\n"
            "from basis_ledger.ingest.pdf8606 import Form8606Pdf\n"
            "from basis_ledger.ingest.source import SourceFile\n"
            "read=lambda p: Form8606Pdf().extract(SourceFile.read(Path(p))).filed_forms[0]['lines']\n"
            "n=sum(len(read(p)) for p in sys.argv[1:])\n"
            "print(f'{n} lines in {time.perf_counter()-t:.2f} s wall, {time.process_time()-c:.2f} s CPU')"
        )
        res = subprocess.run([sys.executable, "-c", code, *map(str, paths)], capture_output=True, text=True)
        print(f"read in one process (imports included): {res.stdout.strip() or res.stderr}")
        exe = Path(sys.executable).with_name("basis-ledger")
        cmd = [str(exe), "--ledger", str(tmp / "bench.db"), "import", "--taxpayer", "bench", *map(str, paths)]
        t = time.perf_counter()
        res = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "BASIS_LEDGER_DEBUG": ""})
        wall = time.perf_counter() - t
        status = "ok" if res.returncode == 0 else f"exit {res.returncode}: {res.stderr[-300:]}"
        print(f"basis-ledger import --taxpayer bench <{len(paths)} PDFs>: {wall:.2f} s wall ({status})")
        print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work slows the wall times)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
