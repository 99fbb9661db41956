"""CSV tables read with the other separator: German Excel splits the English (comma) file at
semicolons, and the German (semicolon) file read with commas is split at commas; whichever a
reader picks, no cell of what it reads is a formula, and with the right separator every cell
reads as written."""

from __future__ import annotations

import csv
import io

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from planner.exports.tables import SEPARATORS, csv_bytes, is_formula, neutralise

# Readers split fields at the separator and at line breaks outside quotes, and quotes only count
# at the start of a field: these characters are what moves a formula start to the front.
cell_texts = st.one_of(
    st.text(st.sampled_from(list(",;\"' \t\r\n=+-@＝x")), max_size=12),
    st.text(st.characters(codec="utf-8"), max_size=20),
)
rows = st.lists(st.lists(cell_texts, min_size=1, max_size=4), min_size=1, max_size=3)

OTHER = {",": ";", ";": ","}


def _read(data: bytes, separator: str, **options) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=separator, **options))


def _pandas_cells(data: bytes, separator: str) -> list[str]:
    """The cells pandas reads (a line it cannot split the same way as the first is skipped; a
    file it cannot read at all gives none)."""
    try:
        table = pd.read_csv(
            io.BytesIO(data),
            sep=separator,
            header=None,
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            on_bad_lines="skip",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError):
        return []
    return [cell for cell in table.to_numpy().ravel().tolist() if isinstance(cell, str)]


@given(headers=st.lists(cell_texts, min_size=1, max_size=4), body=rows)
def test_no_cell_is_a_formula_whichever_separator_reads_the_file(headers, body):
    for lang, separator in SEPARATORS.items():
        data = csv_bytes(headers, body, lang)
        for reader in (separator, OTHER[separator]):
            for skip_spaces in (False, True):
                cells = [cell for row in _read(data, reader, skipinitialspace=skip_spaces) for cell in row]
                assert not [cell for cell in cells if is_formula(cell)], (lang, reader, skip_spaces)
        # With the right separator each cell is what was written, apostrophes and all.
        assert _read(data, separator) == [[neutralise(c) for c in row] for row in [headers, *body]]


def test_the_testers_cells_are_no_formulas_with_the_other_separator():
    for lang, cell in (
        ("en", "x;=1+1;"),
        ("de", "x,=1+1"),
        ("en", 'x; "=1+1"'),
        ("de", "Chor\n-1+1"),
        ("en", "Bring: water, hats;"),
    ):
        data = csv_bytes(["Day", "Title", "Status"], [["2027-05-07", cell, "confirmed"]], lang)
        separator = OTHER[SEPARATORS[lang]]
        cells = [c for row in _read(data, separator) for c in row]
        assert not [c for c in cells if is_formula(c)], (cell, cells)
        assert not [c for c in _pandas_cells(data, separator) if is_formula(c)], cell
    # The attack is real: written as typed, the comma file read at semicolons holds a formula.
    plain = io.StringIO()
    csv.writer(plain, delimiter=",").writerow(["2027-05-07", "x;=1+1;", "confirmed"])
    assert "=1+1" in next(csv.reader(io.StringIO(plain.getvalue()), delimiter=";"))


def test_ordinary_text_reads_as_typed_with_the_right_separator():
    titles = ["Open stage; act 1", "Reception, town hall", "Lunch - vegetarian", "Q&A: 10 + 2 minutes", "Notes\nline 2"]
    for lang, separator in SEPARATORS.items():
        assert _read(csv_bytes(["Title"], [[t] for t in titles], lang), separator)[1:] == [[t] for t in titles]
    # Only a part that would begin a formula once split off gets its apostrophe.
    assert neutralise("Lunch; -vegan") == "Lunch; '-vegan"
    assert neutralise("Chor\n- Lied 1") == "Chor\n'- Lied 1"
    assert neutralise("x,=1+1") == "x,'=1+1" and neutralise(3) == 3
