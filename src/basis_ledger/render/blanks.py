"""`basis-ledger forms get YEAR`: the IRS's blank Form 8606 of a year, into the forms folder, checked.

The IRS keeps every earlier revision at irs-prior/f8606--YEAR.pdf and the newest at irs-pdf/f8606.pdf. A file is
kept only when it is a Form 8606 of the year asked for (its heading and its printed tax year), so a wrong
revision or an error page never ends up where `fill` looks.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from basis_ledger.model import InputError, Problem
from basis_ledger.render.fill import CURRENT_URL, PRIOR_URL

MAX_BYTES = 20 * 1024 * 1024
TIMEOUT_S = 60


def forms_dir(option: Path | None) -> Path:
    """--forms-dir, else $BASIS_LEDGER_FORMS, else ./forms (where `fill` looks too)."""
    return option or Path(os.environ.get("BASIS_LEDGER_FORMS") or "forms")


def urls(year: int) -> list[str]:
    """Where to look, in order; $BASIS_LEDGER_IRS_URL (a template with {year}) replaces the IRS (tests, mirrors)."""
    mirror = os.environ.get("BASIS_LEDGER_IRS_URL")
    if mirror:
        return [mirror.format(year=year)]
    return [PRIOR_URL.format(year=year), CURRENT_URL]


def get(year: int, folder: Path, force: bool = False) -> tuple[Path, str]:
    """Download and check the blank of `year`; returns (file written, URL). InputError with what to do else."""
    if not 2000 <= year <= 2100:
        raise InputError([Problem("YEAR", f"{year} is not a tax year Form 8606 exists for")])
    target = folder / f"f8606-{year}.pdf"
    if target.exists() and not force:
        check(target.read_bytes(), year, str(target))
        return target, "already there"
    tried: list[str] = []
    for url in urls(year):
        data, why = _download(url)
        if data is None:
            tried.append(f"{url}: {why}")
            continue
        try:
            check(data, year, url)
        except InputError as err:
            tried.append("; ".join(p.message for p in err.problems) + f" ({url})")
            continue
        _write(target, data)
        return target, url
    raise InputError(
        [
            Problem(
                f"f8606-{year}.pdf",
                "could not get the blank form: " + " | ".join(tried) + f". Offline? Download "
                f"{PRIOR_URL.format(year=year)} in a browser and save it as {target}",
            )
        ]
    )


def check(data: bytes, year: int, where: str) -> None:
    """A Form 8606 of `year`, or InputError saying what it is instead."""
    from basis_ledger.ingest.pdf8606.pdf import open_pdf, page_text, quiet, widgets
    from basis_ledger.ingest.pdf8606.reading import form_year

    reader = open_pdf(data, where)
    with quiet():
        text = page_text(reader.pages[0])
        found = form_year(reader, text)
        fields = [w for w in widgets(reader) if w.kind == "/Tx"]
    if "8606" not in text or "nondeductible" not in text.lower() or "instructions for form" in text.lower()[:400]:
        raise InputError([Problem(where, "not a Form 8606 (page 1 has no 'Form 8606 ... Nondeductible IRAs')")])
    if len(fields) < 20:  # fill writes into the form's fields: a printed or flattened copy will not do
        raise InputError([Problem(where, f"a Form 8606 without fillable fields ({len(fields)} found)")])
    if found != year:
        raise InputError([Problem(where, f"a Form 8606 of {found or 'an unknown year'}, not of {year}")])


def _download(url: str) -> tuple[bytes | None, str]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as resp:
            data = resp.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        return None, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"cannot download ({reason})"
    if len(data) > MAX_BYTES:
        return None, "larger than any Form 8606"
    return data, ""


def _write(target: Path, data: bytes) -> None:
    """Atomically (a temporary file in the same folder, renamed into place), readable by the owner only."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".f8606-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
