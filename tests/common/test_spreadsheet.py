"""Every CSV export writes through common.spreadsheet: no cell is ever a live formula."""

import csv
import io

import pytest

from common import spreadsheet


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil.test","Click")', "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_a_cell_that_starts_like_a_formula_is_written_as_text_and_read_back(value):
    stream = io.StringIO()
    spreadsheet.writer(stream).writerow(["ok", value])
    [row] = list(csv.reader(io.StringIO(stream.getvalue())))
    assert row == ["ok", "'" + value]
    assert spreadsheet.unescape_cell(row[1]) == value


def test_other_cells_are_left_as_they_are():
    stream = io.StringIO()
    spreadsheet.writer(stream).writerows([["Ana = Anne", "'quoted", 3, None, ""]])
    assert stream.getvalue() == "Ana = Anne,'quoted,3,,\r\n"
    assert spreadsheet.unescape_cell("'quoted") == "'quoted"
