"""CSV for spreadsheets: every export writes through writer(), so no cell reaches a
spreadsheet program as a formula.

A cell starting with = + - @, a tab or a carriage return would be run as a formula (or
turned into one) when the file is opened: "=HYPERLINK(...)" in a name becomes a live link.
Such a cell is written with a leading ' (the spreadsheet shows the text as typed, and
import_resources takes it off again with unescape_cell).
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as text a spreadsheet shows as it is, never runs."""
    value = "" if value is None else str(value)
    if value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def unescape_cell(value):
    """What safe_cell wrote, back as it was."""
    if value[:1] == "'" and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


class _SafeWriter:
    def __init__(self, stream, dialect, **options):
        self._writer = csv.writer(stream, dialect, **options)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(stream, dialect="excel", **options):
    """csv.writer whose every cell goes through safe_cell."""
    return _SafeWriter(stream, dialect, **options)
