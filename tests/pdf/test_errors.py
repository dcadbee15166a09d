"""Bad PDFs: a clear sentence each, exit 2 at the command line, nothing imported."""

from __future__ import annotations

import sqlite3

import pytest

from basis_ledger.ingest.pdf8606 import Form8606Pdf
from basis_ledger.ingest.pdf8606.pdf import MAX_PDF_BYTES
from basis_ledger.ingest.source import SourceFile
from basis_ledger.model import InputError
from basis_ledger.render.fill import fill
from tests.pdf.formfixture import blank_form, printed_form
from tests.pdf.helpers import run


def _error(path) -> str:
    with pytest.raises(InputError) as err:
        Form8606Pdf().extract(SourceFile.read(path))
    return " | ".join(str(p) for p in err.value.problems)


def _scan(path) -> None:
    """A page that is only a picture: an image XObject and no text, as a scanner makes."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    image = DecodedStreamObject()
    image.set_data(bytes([200]) * 16)
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(4),
            NameObject("/Height"): NumberObject(4),
            NameObject("/ColorSpace"): NameObject("/DeviceGray"),
            NameObject("/BitsPerComponent"): NumberObject(8),
        }
    )
    content = DecodedStreamObject()
    content.set_data(b"q 612 0 0 792 0 0 cm /Im0 Do Q")
    page[NameObject("/Contents")] = writer._add_object(content)
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)})}
    )
    with path.open("wb") as fh:
        writer.write(fh)


def _encrypted(src, dst, user: str) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=src)
    writer.encrypt(user_password=user, owner_password="owner-secret", algorithm="RC4-128")  # AES needs `cryptography`
    with dst.open("wb") as fh:
        writer.write(fh)


@pytest.fixture
def form(tmp_path):
    path = tmp_path / "good.pdf"
    printed_form(path, 2021, {"1": "6,500", "14": "6,500"}, name="Pat Q. Public", ssn="000-11-2222")
    return path


def test_scan_has_no_text_layer(tmp_path):
    path = tmp_path / "scan.pdf"
    _scan(path)
    assert "no text layer (a scan?); OCR is not supported yet" in _error(path)


def test_encrypted_with_a_password(tmp_path, form):
    path = tmp_path / "locked.pdf"
    _encrypted(form, path, user="secret")
    assert "encrypted PDF" in _error(path)


def test_owner_password_only_still_reads(tmp_path, form):
    """Tax software often locks editing only; such a file opens with an empty password."""
    path = tmp_path / "no-edit.pdf"
    _encrypted(form, path, user="")
    assert Form8606Pdf().extract(SourceFile.read(path)).filed_forms[0]["lines"]["14"][0] == "6500"


def test_corrupt(tmp_path):
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    assert "corrupt or truncated PDF" in _error(path)


def test_truncated(tmp_path, form):
    path = tmp_path / "cut.pdf"
    path.write_bytes(form.read_bytes()[: len(form.read_bytes()) // 3])
    message = _error(path)
    assert "corrupt or truncated PDF" in message or "no text layer" in message or "not a Form 8606" in message


def test_not_an_8606(tmp_path):
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 12 Tf 72 700 Td (Form 1040 U.S. Individual Income Tax Return 2023, line 1 6500) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(content)
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
    )
    path = tmp_path / "f1040.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert "not a Form 8606" in _error(path)


def test_too_large_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"0" * MAX_PDF_BYTES)
    assert "PDF too large" in _error(path)


def test_blank_form_has_no_lines(tmp_path):
    path = tmp_path / "blank.pdf"
    blank_form(path, 2023)
    assert "with no line filled in" in _error(path)


def test_field_that_is_not_a_number(tmp_path):
    blank, path = tmp_path / "blank.pdf", tmp_path / "bad.pdf"
    blank_form(blank, 2023)
    fill(blank, path, 2023, {"1": 6500}, "", "")
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=path)
    writer.update_page_form_field_values(None, {"topmostSubform[0].Page1[0].f1_4[0]": "six"}, auto_regenerate=True)
    with path.open("wb") as fh:
        writer.write(fh)
    assert "line 2: 'six' is not an amount" in _error(path)


def test_cli_bad_pdfs_exit_2_and_import_nothing(tmp_path, form):
    """One good and one bad file: the run fails as a whole and the ledger keeps nothing."""
    scan = tmp_path / "scan.pdf"
    _scan(scan)
    ledger = tmp_path / "l.db"
    code, _out, err = run("--ledger", str(ledger), "import", "--taxpayer", "pat", str(form), str(scan))
    assert code == 2
    assert "no text layer (a scan?)" in err and "Traceback" not in err
    if ledger.exists():
        with sqlite3.connect(ledger) as conn:
            assert conn.execute("SELECT count(*) FROM filed_forms").fetchone() == (0,)
            assert conn.execute("SELECT count(*) FROM files").fetchone() == (0,)


def test_damaged_page_stream_is_an_input_error(tmp_path, form):
    """A page whose compressed content is garbage: pypdf recovers or fails; either way a sentence, not a crash."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=form)
    content = writer.pages[0]["/Contents"].get_object()
    content._data = b"x\x9c not zlib data at all"
    content[NameObject("/Filter")] = NameObject("/FlateDecode")
    path = tmp_path / "damaged.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert "damaged.pdf: " in _error(path)
