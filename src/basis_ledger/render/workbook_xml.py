"""Worksheet rows written as sheet XML directly, inside an openpyxl write-only worksheet.

openpyxl builds, validates and serialises an element tree for every cell (about 30 us a cell; a taxpayer's sheet
has about 2,200), which made `report` for 5,000 taxpayers take minutes. Here a sheet's rows are formatted as XML
text into an anonymous temporary file; openpyxl still writes everything around them (columns, panes, print
setup, the chart, the cell notes, styles, the workbook), and on close the rows are put where openpyxl wrote an
empty <sheetData>. The cells mean exactly what openpyxl would write for the same values: a text starting with
"=" is a formula, other text an inline string (checked for characters a worksheet cannot hold, cut at 32,767
characters), an error code an error, numbers "%.16g" as openpyxl formats them. Text from input files has been
through render.safe.cell before it gets here.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from typing import Any, BinaryIO

_ERRORS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
_FLUSH = 1 << 16  # characters buffered before they go to the temporary file


@dataclass(frozen=True, slots=True)
class Look:
    """How a cell looks: a number format, a font and a fill by name (FONTS, FILLS)."""

    fmt: str | None = None
    font: str | None = None
    fill: str | None = None


@dataclass(frozen=True, slots=True)
class Styled:
    """A cell value with a look and/or a note (a cell comment)."""

    value: Any
    look: Look | None = None
    note: str | None = None


@cache
def _fonts() -> dict[str, Any]:
    from openpyxl.styles import Font

    return {"bold": Font(bold=True), "big": Font(bold=True, size=13)}


@cache
def _fills() -> dict[str, Any]:
    from openpyxl.styles import PatternFill

    return {"differs": PatternFill("solid", fgColor="FFF2CC")}


@cache
def column(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def _escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _text(value: str) -> str:
    value = value[:32767]
    if not value.isprintable():  # only then can it hold a control character (isprintable is the fast test)
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.utils.exceptions import IllegalCharacterError

        if ILLEGAL_CHARACTERS_RE.search(value):
            raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
    return value


def cell_xml(ref: str, value: Any, style: int) -> str:
    """One <c> element, as openpyxl writes the same value ("" for None without a style)."""
    s = f' s="{style}"' if style else ""
    if isinstance(value, str):
        if len(value) > 1 and value[0] == "=":
            return f'<c r="{ref}"{s}><f>{_escape(value[1:])}</f><v></v></c>'
        value = _text(value)
        if value in _ERRORS:
            return f'<c r="{ref}"{s} t="e"><v>{_escape(value)}</v></c>'
        if not value:
            return f'<c r="{ref}"{s} t="inlineStr"></c>'
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and stripped != value else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'
    if value is None:
        return f'<c r="{ref}"{s}></c>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return f'<c r="{ref}"{s} t="n"><v></v></c>'  # openpyxl writes no number for NaN or infinity
    # A worksheet number is a double: 16 significant digits, as openpyxl writes it (cents stay exact below $10^13).
    return f'<c r="{ref}"{s} t="n"><v>{float(value):.16g}</v></c>'


class SheetRows:
    """The rows of one write-only worksheet, appended in order and written as XML. close() finishes the sheet
    (openpyxl's part included); nothing may be appended to the worksheet through openpyxl itself."""

    def __init__(self, ws, cache: dict | None = None) -> None:
        self.ws = ws
        # row key -> the row's XML, shared by the sheets of one workbook (style ids are the workbook's)
        self._cache = {} if cache is None else cache
        ws._get_writer()  # openpyxl's writer for the sheet, so the cell notes can be handed to it
        self._data: BinaryIO = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close()); nameless, so a kill leaves nothing
        self._buf: list[str] = []
        self._size = 0
        self._styles: dict[Look, int] = {}
        self.row = 0

    def style(self, look: Look | None) -> int:
        """The workbook's style id of a look (registered with openpyxl's stylesheet the first time)."""
        if look is None:
            return 0
        sid = self._styles.get(look)
        if sid is None:
            from openpyxl.cell import WriteOnlyCell

            probe = WriteOnlyCell(self.ws)
            if look.fmt:
                probe.number_format = look.fmt
            if look.font:
                probe.font = _fonts()[look.font]
            if look.fill:
                probe.fill = _fills()[look.fill]
            sid = self._styles[look] = probe.style_id if probe.has_style else 0
        return sid

    def note(self, ref: str, text: str) -> None:
        from openpyxl.comments import Comment
        from openpyxl.comments.comment_sheet import CommentRecord

        c = Comment(text, "basis-ledger")
        record = CommentRecord(ref=ref, author=c.author)
        record.text.t = c.content
        record.height, record.width = c.height, c.width
        self.ws._comments.append(record)

    def skip(self) -> None:
        """An empty row."""
        self.row += 1

    def append(self, values: list | tuple, key: Any = None) -> None:
        """The next row: plain values, Styled values or None (an empty cell). Rows given the same `key` (with
        the same row number) are the same XML: it is made once. Such rows have no notes."""
        self.row += 1
        n = self.row
        if key is not None:
            known = self._cache.get((key, n))
            if known is None:
                known = self._cache[(key, n)] = self._row_xml(n, values, notes=False)
            self.raw(known)
        else:
            self.raw(self._row_xml(n, values))

    def _row_xml(self, n: int, values: list | tuple, notes: bool = True) -> str:
        parts = [f'<row r="{n}">']
        for i, v in enumerate(values, start=1):
            if v is None:
                continue
            ref = f"{column(i)}{n}"
            if isinstance(v, Styled):
                if v.note:
                    if not notes:
                        raise ValueError("a row kept once per workbook cannot carry a note")
                    self.note(ref, v.note)
                parts.append(cell_xml(ref, v.value, self.style(v.look)))
            else:
                parts.append(cell_xml(ref, v, 0))
        parts.append("</row>")
        return "".join(parts)

    def raw(self, xml: str) -> None:
        self._buf.append(xml)
        self._size += len(xml)
        if self._size > _FLUSH:
            self._flush()

    def _flush(self) -> None:
        self._data.write("".join(self._buf).encode("utf-8"))
        self._buf.clear()
        self._size = 0

    def close(self) -> None:
        """Let openpyxl write the sheet around an empty <sheetData>, then put the rows there."""
        self._flush()
        self.ws.close()
        writer = self.ws._writer
        with open(writer.out, "rb") as fh:
            shell = fh.read()  # the sheet without rows: a few kilobytes
        for empty in (b"<sheetData />", b"<sheetData/>", b"<sheetData></sheetData>"):
            at = shell.find(empty)
            if at >= 0:
                break
        else:
            raise AssertionError("openpyxl wrote no empty <sheetData> to fill")
        with open(writer.out, "wb") as out:  # the same file, which openpyxl zips when the workbook is saved
            out.write(shell[:at] + b"<sheetData>")
            self._data.seek(0)
            shutil.copyfileobj(self._data, out, 1 << 20)
            out.write(b"</sheetData>" + shell[at + len(empty) :])
        self._data.close()


@cache
def _vml_parts() -> tuple[str, str, str]:
    """openpyxl's VML for cell notes, cut into (head, one shape with {id} {width} {height} {row} {column} to fill
    in, tail), from openpyxl's own output for one note with distinctive numbers."""
    from openpyxl.comments import Comment
    from openpyxl.comments.shape_writer import ShapeWriter

    probe = Comment("x", "x", height=7771, width=7772)
    xml = ShapeWriter([("AB9901", probe)]).write(None).decode("utf-8")
    start, end = xml.index("<ns1:shape "), xml.rindex("</xml>")
    shape = xml[start:end].replace("{", "{{").replace("}", "}}")
    for sentinel, field in (
        ('id="_x0000_s1026"', 'id="_x0000_s{id:04d}"'),
        ("width:7772px", "width:{width}px"),
        ("height:7771px", "height:{height}px"),
        ("<ns2:Row>9900</ns2:Row>", "<ns2:Row>{row}</ns2:Row>"),
        ("<ns2:Column>27</ns2:Column>", "<ns2:Column>{column}</ns2:Column>"),
    ):
        if shape.count(sentinel) != 1:
            raise AssertionError(f"openpyxl's note shape changed: {sentinel} not found once")
        shape = shape.replace(sentinel, field)
    return xml[:start], shape, xml[end:]


def notes_vml(comments) -> bytes:
    """The VML drawing of a sheet's notes, the bytes openpyxl's ShapeWriter writes for them, made from a template
    (ShapeWriter builds and serialises an element tree per note: half the time of saving the workbook)."""
    from openpyxl.utils import coordinate_to_tuple

    head, shape, tail = _vml_parts()
    parts = [head]
    for idx, c in enumerate(comments, 1026):
        row, col = coordinate_to_tuple(c.ref)
        parts.append(shape.format(id=idx, width=c.width, height=c.height, row=row - 1, column=col - 1))
    parts.append(tail)
    return "".join(parts).encode("utf-8")


def comments_xml(cs) -> bytes:
    """A sheet's comments part, the bytes openpyxl writes for its CommentSheet (built from strings, not a tree)."""
    from openpyxl.xml.constants import SHEET_MAIN_NS

    parts = [f'<comments xmlns="{SHEET_MAIN_NS}"><authors>']
    parts += [f"<author>{_escape(a)}</author>" for a in cs.authors.author]
    parts.append("</authors><commentList>")
    for c in cs.commentList:
        text = c.text.t
        stripped = text.strip()
        space = ' xml:space="preserve"' if stripped and stripped != text else ""
        body = f"<t{space}>{_escape(text)}</t>" if text else "<t />"
        parts.append(f'<comment ref="{c.ref}" authorId="{c.authorId}" shapeId="0"><text>{body}</text></comment>')
    parts.append("</commentList></comments>")
    return "".join(parts).encode("utf-8")


class Book:
    """openpyxl's ExcelWriter run one sheet at a time into a zip opened at the start: each finished sheet goes into
    the zip with its chart, drawing and notes as soon as it is done (sheet_done), and those objects are let go,
    so memory does not grow with the number of sheets. finish() writes the styles, the workbook part and the
    manifest, as openpyxl's save does. The notes' parts come from comments_xml and notes_vml (the same bytes)."""

    def __init__(self, wb, path: str) -> None:
        import datetime
        from zipfile import ZIP_DEFLATED, ZipFile

        self.wb = wb
        self.archive = ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True)
        wb.properties.modified = datetime.datetime.now(tz=datetime.UTC).replace(tzinfo=None)
        self.writer = _writer_class()(wb, self.archive)

    def sheet_done(self, ws) -> None:
        """Write the sheet just finished (the last one created) and everything that belongs to it."""
        if self.wb._sheets[-1] is not ws:
            raise ValueError("sheet_done is for the last sheet created")
        self.writer.write_sheet(ws, len(self.wb._sheets))
        # The workbook part, written at the end, reads only these of a sheet: its name and state, its id (the
        # part's path) and the ranges named after it. The rest (columns, print setup, views, relations, about
        # 20 KiB a sheet) would otherwise stay until the end, a sheet per chain.
        for name in [k for k in vars(ws) if k not in _SHEET_KEPT]:
            delattr(ws, name)

    def finish(self) -> None:
        self.writer.save()  # write_data (nothing left of the sheets) and close

    def abandon(self) -> None:
        """After a failure: let the file go without writing more to it (the caller removes it)."""
        fp = self.archive.fp
        self.archive.fp = None
        if fp is not None:
            fp.close()


_SHEET_KEPT = frozenset(
    {
        "_WorkbookChild__title",
        "_parent",
        "_id",
        "sheet_state",
        "defined_names",
        "auto_filter",
        "_print_area",
        "_print_rows",
        "_print_cols",
    }
)


@cache
def _writer_class():
    from openpyxl.comments.comment_sheet import CommentSheet
    from openpyxl.packaging.relationship import Relationship, get_rels_path
    from openpyxl.writer.excel import ExcelWriter
    from openpyxl.xml.functions import tostring

    class Writer(ExcelWriter):
        """ExcelWriter with sheets written one at a time and counters in place of the lists of everything
        written (which would keep every chart and note until the end)."""

        def __init__(self, wb, archive) -> None:
            super().__init__(wb, archive)
            self._written: set[int] = set()
            self._n_drawings = self._n_charts = self._n_comments = 0

        def write_sheet(self, ws, idx: int) -> None:
            ws._id = idx
            self.write_worksheet(ws)  # closes the sheet, zips its XML, adds it to the manifest
            drawing = ws._drawing
            if drawing:
                if drawing.images:
                    raise ValueError("images are not written by this writer")
                self._n_drawings += 1
                drawing._id = self._n_drawings
                for chart in drawing.charts:
                    self._n_charts += 1
                    chart._id = self._n_charts
                    self._archive.writestr(chart.path[1:], tostring(chart._write()))
                    self.manifest.append(chart)
                self._archive.writestr(drawing.path[1:], tostring(drawing._write()))
                self._archive.writestr(get_rels_path(drawing.path)[1:], tostring(drawing._write_rels()))
                self.manifest.append(drawing)
                for r in ws._rels:
                    if "drawing" in r.Type:
                        r.Target = drawing.path
            if ws._comments:
                self._write_comment(ws)
            if ws.legacy_drawing is not None:
                ws._rels.append(Relationship(type="vmlDrawing", Id="anysvml", Target="/" + ws.legacy_drawing))
            if ws._tables or ws._pivots:
                raise ValueError("tables and pivot tables are not written by this writer")
            if ws._rels:
                self._archive.writestr(get_rels_path(ws.path)[1:], tostring(ws._rels.to_tree()))
            self._written.add(id(ws))
            ws._charts, ws._comments, ws._drawing = [], [], None  # written: let them go

        def _write_worksheets(self) -> None:
            for idx, ws in enumerate(self.workbook.worksheets, 1):
                if id(ws) not in self._written:
                    self.write_sheet(ws, idx)

        def _write_charts(self) -> None:
            pass  # each sheet's chart was written with its sheet

        def _write_comment(self, ws) -> None:
            cs = CommentSheet.from_comments(ws._comments)
            self._n_comments += 1
            cs._id = self._n_comments
            self._archive.writestr(cs.path[1:], comments_xml(cs))
            self.manifest.append(cs)
            ws.legacy_drawing = f"xl/drawings/commentsDrawing{cs._id}.vml"
            self._archive.writestr(ws.legacy_drawing, notes_vml(cs.commentList))
            self.vba_modified.add(ws.legacy_drawing)
            ws._rels.append(Relationship(Id="comments", type=cs._rel_type, Target=cs.path))

    return Writer
