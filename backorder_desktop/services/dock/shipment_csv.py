"""Shipment lines from a CSV file (a supplier's packing list or the merchant's spreadsheet)."""

from __future__ import annotations

import csv
import io

from backorder_desktop.domain.csv_safety import excel_with_delimiter, read_cell
from backorder_desktop.domain.shipment_rules import InputError, merge_shipment_lines, parse_quantity
from backorder_desktop.domain.shipments import ShipmentLine

MAX_ROWS = 5_000
SKU_HEADERS = ("sku", "item", "item number", "article", "code")
QTY_HEADERS = ("qty", "quantity", "qty_expected", "expected", "units", "amount")


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    return excel_with_delimiter(sample)


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    cells = [h.strip().casefold() for h in header]
    for name in names:
        if name in cells:
            return cells.index(name)
    return None


def lines_from_csv(text: str) -> tuple[ShipmentLine, ...]:
    """Lines from CSV text: a header naming the SKU and quantity columns (e.g. `sku,qty`), or
    no header and the SKU then the quantity in the first two columns. Comma, semicolon or tab.

    Any bad row refuses the whole file with its row number: nothing half-imported.
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputError("The CSV file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text[:4096]))
    try:
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:  # e.g. a stray quote or carriage return: say where
        raise InputError(f"The CSV file cannot be read (row {reader.line_num}: {exc}).") from None
    if not rows:
        raise InputError("The CSV file is empty.")
    if len(rows) > MAX_ROWS + 1:
        raise InputError(f"The CSV file has {len(rows):,} rows; at most {MAX_ROWS:,} per import.")
    sku_col, qty_col = _column(rows[0], SKU_HEADERS), _column(rows[0], QTY_HEADERS)
    start = 1
    if sku_col is None or qty_col is None:
        if sku_col is not None or qty_col is not None:
            raise InputError("The CSV header needs both a SKU column and a quantity column.")
        sku_col, qty_col, start = 0, 1, 0
    lines = []
    for number, row in enumerate(rows[start:], start=start + 1):
        if len(row) <= max(sku_col, qty_col):
            raise InputError(f"CSV row {number}: expected a SKU and a quantity.")
        sku = read_cell(row[sku_col].strip())
        if not sku:
            raise InputError(f"CSV row {number}: the SKU is empty.")
        try:
            qty = parse_quantity(row[qty_col], f"Quantity for {sku}")
        except InputError as exc:
            raise InputError(f"CSV row {number}: {exc}") from None
        if qty == 0:
            raise InputError(f"CSV row {number}: the quantity for {sku} is 0.")
        lines.append(ShipmentLine(sku, qty))
    if not lines:
        raise InputError("The CSV file has a header but no lines.")
    return merge_shipment_lines(lines)
