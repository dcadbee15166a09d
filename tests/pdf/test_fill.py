"""Filling the official form: round trip through the reader, every revision, visible text, errors."""

from __future__ import annotations

import json
import shutil
import stat
import struct
import subprocess
import zlib

import pytest
from pypdf import PdfReader

from basis_ledger.model import InputError
from basis_ledger.render.fill import field_values, fill
from tests.pdf.formfixture import blank_form, field_names
from tests.pdf.helpers import YEARS, as_decimals, make_ledger, read_pdf, run, scenario, shared


def fill_cli(ledger, year: int, *args: str, env: dict | None = None):
    """`basis-ledger --ledger LEDGER fill -t ed -y YEAR ARGS...` as the user runs it."""
    return run("--ledger", str(ledger), "fill", "-t", "ed", "-y", str(year), *args, env=env)


def _computed(ledger, year: int, *flags: str) -> dict:
    code, out, err = run("--ledger", str(ledger), "compute", "-t", "ed", "-y", str(year), "--json", *flags)
    assert code == 0, err
    return json.loads(out)[0]["lines"]


def _fill_and_read(tmp_path, blank, year: int, *flags: str) -> tuple[dict, dict]:
    ledger = make_ledger(
        tmp_path / "l.db", scenario(year, cents="--cents" in flags), full_name="Ed Q. Example", ssn_last4="1234"
    )
    out = tmp_path / "out" / f"f8606-{year}-ed.pdf"
    code, _stdout, err = run(
        "--ledger", str(ledger), "fill", "-t", "ed", "-y", str(year), "--form", str(blank), "-o", str(out), *flags
    )
    assert code == 0, err
    assert "SSN is masked" in err
    return _computed(ledger, year, *flags), read_pdf(out)


@pytest.mark.parametrize("year", YEARS)
def test_round_trip_every_shared_revision(tmp_path, year):
    computed, back = _fill_and_read(tmp_path, shared(f"f8606-{year}.pdf"), year)
    assert len(computed) == 29  # the scenario fills every line 1-25c
    assert as_decimals(back["lines"]) == as_decimals(computed)
    assert back["lines"]["10"] == computed["10"] == "0.13636"
    assert (back["tax_year"], back["name"], back["ssn_last4"]) == (year, "Ed Q. Example", "1234")


@pytest.mark.parametrize("year", [2018, 2023])
def test_round_trip_with_cents(tmp_path, year):
    """--cents: 2018 splits dollars and cents into two boxes, 2023 writes 2,000.45 in one."""
    computed, back = _fill_and_read(tmp_path, shared(f"f8606-{year}.pdf"), year, "--cents")
    assert computed["2"] == "2000.45"
    assert as_decimals(back["lines"]) == as_decimals(computed)


@pytest.mark.parametrize("flags", [(), ("--cents",), ("--ratio-places", "3")])
@pytest.mark.parametrize("style", ["single", "cents", "padded"])
def test_round_trip_self_made_forms(tmp_path, style, flags):
    blank = tmp_path / "blank.pdf"
    blank_form(blank, 2024, style)
    computed, back = _fill_and_read(tmp_path, blank, 2024, *flags)
    assert as_decimals(back["lines"]) == as_decimals(computed) and len(computed) == 29
    assert back["lines"]["10"] == computed["10"]  # as printed: "0.13636", or "0.136" with 3 places


def test_field_values_split_per_revision():
    lines = {"10": "0.13636", "11": 955, "14": "5174.48", "1": 1234567}
    single = field_values(field_names("single"), lines, "Ed", "XXX-XX-1234")
    names = field_names("single")
    assert single[names["line_10"]] == "0" and single[names["line_10_decimal"]] == "13636"
    assert single[names["line_14"]] == "5,174.48" and single[names["line_1"]] == "1,234,567"
    cents = field_names("cents")
    split = field_values(cents, lines, "", "")
    assert (split[cents["line_14"]], split[cents["line_14_cents"]]) == ("5,174", "48")
    assert (split[cents["line_11"]], split[cents["line_11_cents"]]) == ("955", "00")
    assert cents["name"] not in split  # no name on record: left blank


@pytest.mark.parametrize("source", ["shared", "self-made"])
def test_output_is_private_without_xfa_and_with_appearances(tmp_path, source):
    if source == "shared":
        blank = shared("f8606-2025.pdf")
        assert "/XFA" in PdfReader(blank).trailer["/Root"]["/AcroForm"]
    else:
        blank = tmp_path / "blank.pdf"
        blank_form(blank, 2025, "padded")
    computed, _ = _fill_and_read(tmp_path, blank, 2025)
    out = tmp_path / "out" / "f8606-2025-ed.pdf"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    root = PdfReader(out).trailer["/Root"]
    assert "/XFA" not in root["/AcroForm"] and "/Perms" not in root
    assert bool(root["/AcroForm"]["/NeedAppearances"])
    widget = next(
        a.get_object() for a in PdfReader(out).pages[1]["/Annots"] if a.get_object()["/T"] == "f2_03[0]"
    )  # line 15c, page 2 in 2025
    assert widget["/V"] == f"{computed['15c']:,}" and "/N" in widget["/AP"]


def test_fills_from_forms_dir_or_env(tmp_path):
    forms = tmp_path / "forms"
    forms.mkdir()
    blank_form(forms / "f8606-2024.pdf", 2024)
    ledger = make_ledger(tmp_path / "l.db", scenario(2024))
    code, _, err = fill_cli(
        ledger,
        2024,
        "--forms-dir",
        str(forms),
        "-o",
        str(tmp_path / "a.pdf"),
    )
    assert code == 0, err
    code, _, err = fill_cli(
        ledger,
        2024,
        "-o",
        str(tmp_path / "b.pdf"),
        env={"BASIS_LEDGER_FORMS": str(forms)},
    )
    assert code == 0, err
    assert "no full name on record" in err and "no SSN on record" in err
    assert read_pdf(tmp_path / "b.pdf")["lines"]["14"] == 6636


def test_missing_blank_says_where_the_irs_keeps_it(tmp_path):
    ledger = make_ledger(tmp_path / "l.db", scenario(2020))
    code, _out, err = fill_cli(
        ledger,
        2020,
        "--forms-dir",
        str(tmp_path),
        "-o",
        str(tmp_path / "x.pdf"),
    )
    assert code == 2
    assert "https://www.irs.gov/pub/irs-prior/f8606--2020.pdf" in err and "--form" in err and "--forms-dir" in err
    assert not (tmp_path / "x.pdf").exists()


def test_wrong_revision_is_refused(tmp_path):
    blank = tmp_path / "blank.pdf"
    blank_form(blank, 2023)
    ledger = make_ledger(tmp_path / "l.db", scenario(2024))
    code, _, err = run(
        "--ledger", str(ledger), "fill", "-t", "ed", "-y", "2024", "--form", str(blank), "-o", str(tmp_path / "x.pdf")
    )
    assert code == 2 and "2023 revision of Form 8606, not 2024's" in err


def _gray(pdf, dpi: int = 50) -> tuple[int, int, bytes]:
    """Page 1 rendered by poppler to an 8-bit grey PNG, decoded here: (width, height, pixels)."""
    png = subprocess.run(
        ["pdftoppm", "-png", "-gray", "-r", str(dpi), "-f", "1", "-l", "1", str(pdf)],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    return _decode_png(png)


def _decode_png(png: bytes) -> tuple[int, int, bytes]:
    """Just enough PNG for pdftoppm's output (8-bit grey or RGB, not interlaced, the five row filters), as one grey
    byte per pixel."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, bpp = 8, b"", 0, 0, 1
    while pos < len(png):
        size, kind = struct.unpack(">I4s", png[pos : pos + 8])
        body = png[pos + 8 : pos + 8 + size]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (0, 2) and interlace == 0
            bpp = 1 if color == 0 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + size
    raw, stride = zlib.decompress(idat), width * bpp
    out, prev = bytearray(), bytearray(stride)
    for r in range(height):
        kind, row = raw[r * (stride + 1)], bytearray(raw[r * (stride + 1) + 1 : (r + 1) * (stride + 1)])
        for x in range(stride):
            a, b = row[x - bpp] if x >= bpp else 0, prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                row[x] = (row[x] + a) & 255
            elif kind == 2:
                row[x] = (row[x] + b) & 255
            elif kind == 3:
                row[x] = (row[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[x] = (row[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += row if bpp == 1 else bytes(sum(row[k : k + 3]) // 3 for k in range(0, stride, 3))
        prev = row
    return width, height, bytes(out)


def _darkness(image, rect, dpi: int = 50) -> int:
    width, height, pixels = image
    k = dpi / 72
    x0, y0, x1, y1 = (round(v * k) for v in rect)
    return sum(255 - pixels[row * width + col] for row in range(height - y1, height - y0) for col in range(x0, x1))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
@pytest.mark.parametrize("source", ["shared", "self-made"])
def test_filled_text_is_visible_when_rendered(tmp_path, source):
    if source == "shared":
        blank, year = shared("f8606-2023.pdf"), 2023
    else:
        blank, year = tmp_path / "blank.pdf", 2024
        blank_form(blank, year)
    _fill_and_read(tmp_path, blank, year)
    out = tmp_path / "out" / f"f8606-{year}-ed.pdf"
    reader = PdfReader(out)
    rects = {a.get_object()["/T"]: [float(v) for v in a.get_object()["/Rect"]] for a in reader.pages[0]["/Annots"]}
    line1 = rects["f1_9[0]"]  # line 1 on every single-field revision and the fixture
    before, after = _darkness(_gray(blank), line1), _darkness(_gray(out), line1)
    assert after > before + 4000, (before, after)  # the digits of 6,000 put ink in the box (~7,000 here)


def test_fill_json_and_nothing_to_fill(tmp_path):
    ledger = make_ledger(tmp_path / "l.db", scenario(2024), full_name="Ed Q. Example", ssn_last4="1234")
    blank = tmp_path / "blank.pdf"
    blank_form(blank, 2024)
    code, out, _ = fill_cli(
        ledger,
        2024,
        "--form",
        str(blank),
        "-o",
        str(tmp_path / "a.pdf"),
        "--json",
    )
    doc = json.loads(out)
    assert code == 0 and doc["ssn"] == "XXX-XX-1234" and doc["name"] == "Ed Q. Example"
    assert doc["lines"]["14"] == 6636 and doc["file"] == str(tmp_path / "a.pdf")
    # 2025 holds only the January contribution for 2024: no part of the form applies to 2025
    blank_form(tmp_path / "b25.pdf", 2025)
    code, _, err = fill_cli(
        ledger,
        2025,
        "--form",
        str(tmp_path / "b25.pdf"),
        "-o",
        str(tmp_path / "b.pdf"),
    )
    assert code == 2 and "nothing to fill" in err


def test_a_form_with_values_is_not_a_blank(tmp_path):
    blank, used = tmp_path / "blank.pdf", tmp_path / "used.pdf"
    blank_form(blank, 2024)
    fill(blank, used, 2024, {"1": 6500}, "", "")
    with pytest.raises(InputError, match="not blank: 1 line fields already hold values"):
        fill(used, tmp_path / "again.pdf", 2024, {"1": 7000}, "", "")
