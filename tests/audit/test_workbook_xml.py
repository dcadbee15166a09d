"""The workbook's direct sheet writer (render/workbook_xml.py) against openpyxl's own: the same values, types,
formats, fonts, fills and notes read back, for every kind of value the workbook writes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basis_ledger.render.workbook_xml import Look, SheetRows, Styled

LOOKS = [None, Look("#,##0.00"), Look(font="bold"), Look("#,##0", fill="differs"), Look(font="big"), Look("0.00000")]
VALUES = st.one_of(
    st.integers(-(10**12), 10**12),
    st.integers(-(10**15), 10**15).map(lambda c: Decimal(c).scaleb(-2)),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
    st.sampled_from(["", " lead", "trail ", "  ", "a & b < c > d", '=IF(C7>0,C7,"")', "=", "#N/A", "line\nnext"]),
)
CELLS = st.one_of(
    st.none(),
    VALUES,
    st.builds(
        Styled,
        VALUES,
        st.sampled_from(LOOKS),
        st.none() | st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF), min_size=1),
    ),
)


def _openpyxl_cell(ws, v):
    """The same cell through openpyxl's API: a fresh WriteOnlyCell for each (never one reused across a row)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    if not isinstance(v, Styled):
        return WriteOnlyCell(ws, v) if v is not None else None
    c = WriteOnlyCell(ws, v.value)
    if v.look and v.look.fmt:
        c.number_format = v.look.fmt
    if v.look and v.look.font:
        c.font = Font(bold=True) if v.look.font == "bold" else Font(bold=True, size=13)
    if v.look and v.look.fill:
        c.fill = PatternFill("solid", fgColor="FFF2CC")
    if v.note:
        c.comment = Comment(v.note, "basis-ledger")
    return c


def _read(path):
    from openpyxl import load_workbook

    ws = load_workbook(path).worksheets[0]
    out = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is None and c.comment is None and not c.has_style:
                continue
            out[c.coordinate] = (
                c.value,
                c.data_type,
                c.number_format,
                bool(c.font.b),
                c.font.sz,
                c.fill.fgColor.rgb if c.fill.fill_type else None,
                c.comment.text if c.comment else None,
            )
    return out


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(CELLS, max_size=6), min_size=1, max_size=5))
def test_direct_rows_read_back_as_openpyxl_writes_them(tmp_path_factory, rows):
    from openpyxl import Workbook

    tmp = tmp_path_factory.mktemp("xml")
    ours, theirs = Workbook(write_only=True), Workbook(write_only=True)
    ws = ours.create_sheet("s")
    out = SheetRows(ws)
    for r in rows:
        out.append(r)
    out.close()
    ours.save(tmp / "ours.xlsx")
    ws2 = theirs.create_sheet("s")
    for r in rows:
        ws2.append([_openpyxl_cell(ws2, v) for v in r])
    theirs.save(tmp / "theirs.xlsx")
    assert _read(tmp / "ours.xlsx") == _read(tmp / "theirs.xlsx")


def test_a_character_a_worksheet_cannot_hold_is_refused_as_openpyxl_does(tmp_path):
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    ws = Workbook(write_only=True).create_sheet("s")
    with pytest.raises(IllegalCharacterError):
        SheetRows(ws).append(["bell\x07"])


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 5000), st.integers(1, 60), st.integers(20, 400), st.integers(20, 400)),
        max_size=12,
    )
)
def test_the_notes_drawing_is_the_bytes_openpyxl_writes(notes):
    from openpyxl.comments import Comment
    from openpyxl.comments.shape_writer import ShapeWriter
    from openpyxl.utils import get_column_letter

    from basis_ledger.render.workbook_xml import notes_vml

    class Record:
        def __init__(self, ref, height, width):
            self.ref, self.height, self.width = ref, height, width

    records = [Record(f"{get_column_letter(c)}{r}", h, w) for r, c, h, w in notes]
    theirs = ShapeWriter([(x.ref, Comment("t", "a", x.height, x.width)) for x in records]).write(None)
    if records:  # with no note openpyxl writes no drawing at all
        assert notes_vml(records) == theirs


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF)), min_size=1, max_size=8))
def test_the_notes_part_is_the_bytes_openpyxl_writes(texts):
    from openpyxl.comments.comment_sheet import CommentRecord, CommentSheet
    from openpyxl.xml.functions import tostring

    from basis_ledger.render.workbook_xml import comments_xml

    records = []
    for i, t in enumerate(texts):
        r = CommentRecord(ref=f"C{i + 1}", author="basis-ledger" if i % 2 else "a & <b>")
        r.text.t = t
        records.append(r)
    cs = CommentSheet.from_comments(records)
    assert comments_xml(cs) == tostring(cs.to_tree())
