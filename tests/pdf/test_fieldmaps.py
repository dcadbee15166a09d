"""Field maps: derived from the forms' geometry, committed as data, and equal to the shared reference maps."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from basis_ledger.ingest.pdf8606 import fieldmaps
from basis_ledger.ingest.pdf8606.derive import derive
from basis_ledger.ingest.pdf8606.pdf import open_pdf
from tests.pdf.formfixture import blank_form, field_names
from tests.pdf.helpers import YEARS, shared


@pytest.mark.parametrize("year", YEARS)
def test_committed_map_agrees_with_shared_reference(year):
    reference = json.loads(shared(f"f8606-{year}.fields.json").read_text())
    assert fieldmaps.committed()[year] == reference


@pytest.mark.parametrize("year", YEARS)
def test_committed_map_is_the_derivation_of_the_blank_form(year):
    path = shared(f"f8606-{year}.pdf")
    derived, unmapped = derive(open_pdf(path.read_bytes(), str(path)))
    assert unmapped == []
    assert derived == fieldmaps.committed()[year]


def test_every_committed_map_covers_name_ssn_and_every_line():
    maps = fieldmaps.committed()
    assert set(YEARS) <= set(maps)
    for year, fields in maps.items():
        needed = {"name", "ssn", "line_10_decimal", *(f"line_{k}" for k in fieldmaps.LINE_KEYS)}
        assert needed <= set(fields), year
        assert len(set(fields.values())) == len(fields), f"{year}: a field mapped twice"


def test_revision_quirks_are_in_the_maps():
    maps = fieldmaps.committed()
    money = [k for k in fieldmaps.LINE_KEYS if k != "10"]
    for year in (2017, 2018):  # dollars and cents boxes
        assert all(f"line_{k}_cents" in maps[year] for k in money)
    for year in (2021, 2022, 2023, 2025):
        assert not any(k.endswith("_cents") for k in maps[year])
    # 2025: zero-padded names and 15a-15c at the top of page 2
    assert maps[2025]["line_1"] == "topmostSubform[0].Page1[0].f1_09[0]"
    assert [maps[2025][f"line_15{s}"] for s in "abc"] == [f"topmostSubform[0].Page2[0].f2_0{n}[0]" for n in (1, 2, 3)]
    assert maps[2023]["line_15a"].startswith("topmostSubform[0].Page1[0].")


@pytest.mark.parametrize("style", ["single", "cents", "padded"])
def test_derivation_on_self_made_forms(tmp_path, style):
    """A fresh clone proves the geometry rules on forms built here: labels left of boxes, the cents box and line
    10's decimals box right of a labelled box, name and SSN under their captions."""
    path = tmp_path / "blank.pdf"
    names = blank_form(path, 2024, style)
    derived, unmapped = derive(open_pdf(path.read_bytes(), str(path)))
    assert unmapped == []
    assert derived == names


def test_reader_derives_a_map_for_a_revision_without_one(tmp_path):
    """2024 has no committed map; the reader maps its fields from the page itself."""
    path = tmp_path / "f.pdf"
    names = blank_form(path, 2024, "single")
    assert 2024 not in fieldmaps.committed()
    reader = open_pdf(path.read_bytes(), str(path))
    assert fieldmaps.for_form(reader, 2024, set(names.values())) == names


def test_tool_writes_a_map_for_a_new_revision(tmp_path):
    blank = tmp_path / "f.pdf"
    blank_form(blank, 2024, "padded")
    tool = Path(__file__).resolve().parents[2] / "tools" / "derive_fieldmap.py"
    done = subprocess.run(
        [sys.executable, str(tool), str(blank), "--out", str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads((tmp_path / "f8606-2024.json").read_text())
    assert doc["tax_year"] == 2024 and doc["fields"] == field_names("padded")


def test_tool_check_proves_the_committed_maps_are_its_output():
    shared("f8606-2025.pdf")
    tool = Path(__file__).resolve().parents[2] / "tools" / "derive_fieldmap.py"
    done = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": same") == len(YEARS)
