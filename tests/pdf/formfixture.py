"""Self-made Form 8606 look-alikes, so a fresh clone (without ../shared) still tests reading and filling.

`blank_form` builds a two-page fillable PDF with pypdf: the printed text a real revision has where the reader and
the field-map derivation look (heading, "Attach to YYYY Form 1040", captions, Part headings, line-label boxes,
sentences that quote line numbers) and AcroForm text fields named like the IRS's
(topmostSubform[0].Page1[0].f1_9[0]). Three styles copy the three families of real revisions:
"single" (2021-2023: one field per amount), "cents" (2017/2018: dollars and cents fields) and "padded"
(2025: zero-padded names, lines 15a-15c on page 2). `printed_form` draws numbers straight into the page
stream instead, as tax software that prints the form does (another producer: no fields, no XObjects).
"""

from __future__ import annotations

from pathlib import Path

from basis_ledger.engine.form8606 import LINE_KEYS

LINES = LINE_KEYS  # the form's line labels, in order
INNER = {"9", "10", "11", "12"}  # the inner column, as on the real forms


def layout(style: str) -> list[dict]:
    """One entry per line: page, label position, and the entry box(es) right of it."""
    page2 = {"16", "17", "18", "19", "20", "21", "22", "23", "24", "25a", "25b", "25c"}
    if style == "padded":
        page2 |= {"15a", "15b", "15c"}
    rows, y = [], {1: 480.0, 2: 700.0}
    for line in LINES:
        page = 2 if line in page2 else 1
        y[page] -= 24 if line in ("4", "16", "19") else 13
        if style == "cents":
            lab_x, x0 = (365.8, 382.0) if line in INNER else (473.8, 490.0)
            dollars = (x0, y[page] - 2, x0 + 64, y[page] + 10)
            boxes = [dollars, (x0 + 64, y[page] - 2, x0 + 86, y[page] + 10)]
        else:
            lab_x, x0 = (394.6, 410.0) if line in INNER else (488.2, 504.0)
            boxes = [(x0, y[page] - 2, x0 + 72, y[page] + 10)]
        if line == "10":
            boxes = [
                (lab_x + 37.4, y[page] - 2, lab_x + 51.4, y[page] + 10),
                (lab_x + 59.4, y[page] - 2, lab_x + 87.4, y[page] + 10),
            ]
        rows.append({"line": line, "page": page, "label": (lab_x, y[page] + 0.5), "boxes": boxes})
    return rows


def _text(x: float, y: float, s: str, size: float = 9) -> str:
    s = s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return f"BT /F1 {size} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm ({s}) Tj ET\n"


def page_streams(year: int, style: str) -> dict[int, str]:
    p1 = [
        _text(36, 738.8, "Form 8606", 14),
        _text(244.3, 741.3, "Nondeductible IRAs", 14),
        _text(214.3, 726.1, f"Attach to {year} Form 1040, 1040-SR, or 1040-NR.", 8),
        _text(506.8, 725.7, str(year)[:2], 20),  # the big year prints in two pieces: "20" and "23"
        _text(530.0, 725.7, str(year)[2:], 20),
        _text(548.0, 710.8, "48", 10),  # attachment sequence number
        _text(36, 700, f"Name. If married, file a separate form for each spouse required to file {year} Form 8606.", 7),
        _text(464.8, 700, "Your social security number", 7),
        _text(41.2, 602.8, "Part I Nondeductible Contributions to Traditional IRAs", 10),
    ]
    p2 = [_text(36, 748.4, f"Form 8606 ({year})", 7), _text(570.4, 747.8, "2", 10)]
    if style == "padded":
        p2.append(_text(41.2, 740.0, "Part I (continued)", 10))
    else:
        p2.append(_text(39.8, 734.8, "Part II Conversions From Traditional IRAs to Roth IRAs", 10))
    for row in layout(style):
        out = p1 if row["page"] == 1 else p2
        x, y = row["label"]
        out.append(_text(40.4, y, row["line"]))  # the margin number
        out.append(_text(64.8, y, f"Subtract line 12 from line 7 . . . . . see line {row['line']} . . ."))
        out.append(_text(x, y, row["line"]))  # the label box beside the entry space
        if row["line"] == "10":
            out.append(_text(x + 59.4 - 5, y, "."))
    p1.append(_text(36, 26.3, f"For Privacy Act Notice, see instructions. Cat. No. 63966F Form 8606 ({year})", 7))
    return {1: "".join(p1), 2: "".join(p2)}


def field_names(style: str) -> dict[str, str]:
    """Map key -> fully qualified name, numbered per page in reading order like the IRS's."""
    fmt = "f{p}_{n:02d}" if style == "padded" else "f{p}_{n}"
    count = {1: 2, 2: 0}
    names = {
        "name": "topmostSubform[0].Page1[0]." + fmt.format(p=1, n=1) + "[0]",
        "ssn": "topmostSubform[0].Page1[0]." + fmt.format(p=1, n=2) + "[0]",
    }
    for row in layout(style):
        p = row["page"]
        keys = [f"line_{row['line']}"]
        if len(row["boxes"]) == 2:
            keys.append("line_10_decimal" if row["line"] == "10" else f"line_{row['line']}_cents")
        for key in keys:
            count[p] += 1
            names[key] = f"topmostSubform[0].Page{p}[0]." + fmt.format(p=p, n=count[p]) + "[0]"
    return names


def _font(writer):
    from pypdf.generic import DictionaryObject, NameObject

    return writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )


def _pages(writer, streams: dict[int, str]):
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    font = _font(writer)
    pages = []
    for p in (1, 2):
        page = writer.add_blank_page(612, 792)
        content = DecodedStreamObject()
        content.set_data(streams[p].encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(content)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        pages.append(page)
    return pages, font


def blank_form(path: Path, year: int, style: str = "single") -> dict[str, str]:
    """Write a blank fillable form; returns its field map (what derive_fieldmap must find)."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    writer = PdfWriter()
    pages, font = _pages(writer, page_streams(year, style))
    names = field_names(style)
    rects = {"name": (1, (36, 684, 460, 698)), "ssn": (1, (461, 684, 576, 698))}
    for row in layout(style):
        keys = [f"line_{row['line']}", "line_10_decimal" if row["line"] == "10" else f"line_{row['line']}_cents"]
        for key, box in zip(keys, row["boxes"], strict=False):
            rects[key] = (row["page"], box)
    top = DictionaryObject(
        {NameObject("/T"): TextStringObject("topmostSubform[0]"), NameObject("/Kids"): ArrayObject()}
    )
    top_ref = writer._add_object(top)
    page_nodes = {}
    for p in (1, 2):
        node = DictionaryObject(
            {
                NameObject("/T"): TextStringObject(f"Page{p}[0]"),
                NameObject("/Kids"): ArrayObject(),
                NameObject("/Parent"): top_ref,
            }
        )
        page_nodes[p] = writer._add_object(node)
        top[NameObject("/Kids")].append(page_nodes[p])
    for key, full in names.items():
        p, box = rects[key]
        widget = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/FT"): NameObject("/Tx"),
                NameObject("/T"): TextStringObject(full.rsplit(".", 1)[1]),
                NameObject("/Rect"): ArrayObject(FloatObject(v) for v in box),
                NameObject("/F"): NumberObject(4),
                NameObject("/DA"): TextStringObject("/Helv 0 Tf 0 g"),
                NameObject("/Q"): NumberObject(2),
                NameObject("/Parent"): page_nodes[p],
                NameObject("/P"): pages[p - 1].indirect_reference,
            }
        )
        if key == "ssn":
            widget[NameObject("/MaxLen")] = NumberObject(11)
        if key == "line_10":
            widget[NameObject("/MaxLen")] = NumberObject(1)
        ref = writer._add_object(widget)
        page_nodes[p].get_object()["/Kids"].append(ref)
        pg = pages[p - 1]
        if "/Annots" not in pg:
            pg[NameObject("/Annots")] = ArrayObject()
        pg["/Annots"].append(ref)
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {
            NameObject("/Fields"): ArrayObject([top_ref]),
            NameObject("/DA"): TextStringObject("/Helv 0 Tf 0 g"),
            NameObject("/DR"): DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/Helv"): font})}),
        }
    )
    writer.add_metadata({"/Title": f"{year} Form 8606"})
    with path.open("wb") as fh:
        writer.write(fh)
    return names


def printed_form(
    path: Path, year: int, values: dict[str, str], style: str = "single", name: str = "", ssn: str = ""
) -> None:
    """A form "printed" by other software: labels and numbers are ordinary page text (left-aligned, zeros as
    -0-), no fields, no XObjects. `values` maps a line to its printed text; with style "cents" an amount's
    cents go into their own box, and line 10 always prints as digit + decimals."""
    from pypdf import PdfWriter

    streams = page_streams(year, style)
    extra: dict[int, list[str]] = {1: [], 2: []}
    if name:
        extra[1].append(_text(38, 687, name, 10))
    if ssn:
        extra[1].append(_text(480, 687, ssn, 10))
    for row in layout(style):
        text = values.get(row["line"])
        if text is None:
            continue
        boxes, y = row["boxes"], row["label"][1] - 1.2
        if row["line"] == "10":
            whole, _, decimals = text.partition(".")
            extra[row["page"]] += [_text(boxes[0][0] + 3, y, whole, 10), _text(boxes[1][0] + 1, y, decimals, 10)]
        elif len(boxes) == 2:
            dollars, _, cents = text.partition(".")
            extra[row["page"]] += [_text(boxes[0][0] + 4, y, dollars, 10), _text(boxes[1][0] + 3, y, cents or "00", 10)]
        else:
            extra[row["page"]].append(_text(boxes[0][0] + 4, y, "-0-" if text == "0" else text, 10))
    writer = PdfWriter()
    _pages(writer, {p: streams[p] + "".join(extra[p]) for p in (1, 2)})
    with path.open("wb") as fh:
        writer.write(fh)


def flatten(src: Path, dst: Path) -> None:
    """Burn a filled form's values into its pages (pypdf flatten: form XObjects), then drop widgets and AcroForm,
    the way the shared flattened samples were made."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    reader = PdfReader(src)
    writer = PdfWriter(clone_from=reader)
    names = {k: None for k in (reader.get_fields() or {}) if k.count(".") >= 2}
    writer.update_page_form_field_values(None, names, auto_regenerate=False, flatten=True)
    writer.remove_annotations(subtypes="/Widget")
    del writer._root_object[NameObject("/AcroForm")]
    with dst.open("wb") as fh:
        writer.write(fh)
