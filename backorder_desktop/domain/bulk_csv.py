"""The backorder CSV: columns, reading with a per-row validation report, and writing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from .bulk import VariantEdit
from .bulk_input import KEEP, BulkInputError, Keep, check_template, parse_eta, parse_limit
from .csv_safety import SafeCsvWriter, excel_with_delimiter, read_cell
from .models import UNLIMITED_BACKORDER_LIMIT

EDIT_COLUMNS = ("sku", "limit", "eta", "message")
# Columns an export adds for reading; an import accepts and ignores them (round trip).
INFO_COLUMNS = ("product", "options", "on_hand", "backordered", "waiting")
CLEAR_WORDS = frozenset({"clear", "none"})
MAX_BYTES = 20_000_000


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int  # 1-based line in the file (the header is line 1)
    sku: str
    edit: VariantEdit


@dataclass(frozen=True, slots=True)
class CsvProblem:
    line: int
    sku: str
    reason: str


@dataclass
class CsvImport:
    rows: list[CsvRow] = field(default_factory=list)
    problems: list[CsvProblem] = field(default_factory=list)


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise BulkInputError("The file is larger than 20 MB; split it into smaller files.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BulkInputError(
            "The file is UTF-16 text; save it as 'CSV UTF-8 (comma delimited)' and import again."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BulkInputError(
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read); save it as "
            "'CSV UTF-8 (comma delimited)' and import again. Nothing was imported."
        ) from None


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    first = text.split("\n", 1)[0]
    return excel_with_delimiter(first)


def _header(cells: Sequence[str]) -> dict[str, int]:
    names = [c.strip().casefold().replace(" ", "_") for c in cells]
    unknown = [cells[i] for i, n in enumerate(names) if n not in EDIT_COLUMNS + INFO_COLUMNS]
    if "sku" not in names or unknown:
        what = f"unknown column(s) {', '.join(repr(u) for u in unknown)}" if unknown else ""
        if "sku" not in names:
            what = "no 'sku' column" + (f" and {what}" if what else "")
        raise BulkInputError(
            f"The CSV header is not right ({what}). The first line must name the columns: "
            "sku, limit, eta, message (any order; leave out those you do not change)."
        )
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise BulkInputError(f"The CSV header names {', '.join(sorted(duplicates))} twice.")
    if not any(n in names for n in EDIT_COLUMNS[1:]):
        raise BulkInputError("The CSV has no limit, eta or message column: nothing to change.")
    return {n: i for i, n in enumerate(names)}


def _cell(cells: Sequence[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    if index is None or index >= len(cells):
        return ""
    return read_cell(cells[index].strip())  # `'=x` from our own export is the text `=x`


def _edit(cells: Sequence[str], columns: dict[str, int]) -> VariantEdit:
    limit_text = _cell(cells, columns, "limit")
    eta_text = _cell(cells, columns, "eta")
    message = _cell(cells, columns, "message")
    limit: int | None | Keep = parse_limit(limit_text) if limit_text else KEEP
    eta: date | None | Keep = KEEP
    if eta_text:
        eta = None if eta_text.casefold() in CLEAR_WORDS else parse_eta(eta_text)
    text: str | Keep = KEEP
    if message:
        text = "" if message.casefold() in CLEAR_WORDS else check_template(message)
    return VariantEdit(limit=limit, eta=eta, message=text)


def read_csv(data: bytes) -> CsvImport:
    """Rows that can be applied and, per bad row, its line and reason.

    A file that cannot be read as a whole (encoding, header) raises BulkInputError. An empty
    cell leaves that field alone; `clear` empties an ETA or a message; `off` and `unlimited`
    are limits.
    """
    text = _decode(data)
    if not text.strip():
        raise BulkInputError("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    try:
        header = next(reader)
        columns = _header(header)
        out = CsvImport()
        seen: dict[str, int] = {}
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            sku = _cell(cells, columns, "sku")
            if not sku:
                out.problems.append(CsvProblem(line, "", "no SKU"))
                continue
            if sku in seen:
                out.problems.append(CsvProblem(line, sku, f"SKU already given on line {seen[sku]}"))
                continue
            seen[sku] = line
            try:
                edit = _edit(cells, columns)
            except BulkInputError as exc:
                out.problems.append(CsvProblem(line, sku, str(exc)))
                continue
            if edit == VariantEdit():
                out.problems.append(CsvProblem(line, sku, "no limit, ETA or message to set"))
                continue
            out.rows.append(CsvRow(line, sku, edit))
    except csv.Error as exc:
        raise BulkInputError(f"The CSV cannot be read (line {reader.line_num}: {exc}).") from None
    return out


def limit_text(limit: int | None) -> str:
    if limit is None:
        return "off"
    return "unlimited" if limit >= UNLIMITED_BACKORDER_LIMIT else str(limit)


def write_csv(rows: Iterable[Sequence[object]]) -> str:
    """CSV text with the edit columns first, then the info columns (re-importable as is).

    Each row: sku, limit (int|None), eta (date|None), message, then the INFO_COLUMNS values.
    Braces in messages are doubled so a re-import reads them as text, not as `{eta}`.
    """
    buffer = io.StringIO(newline="")
    writer = SafeCsvWriter(csv.writer(buffer, lineterminator="\r\n"))
    writer.writerow(EDIT_COLUMNS + INFO_COLUMNS)
    for sku, limit, eta, message, *info in rows:
        assert limit is None or isinstance(limit, int)
        assert eta is None or isinstance(eta, date)
        text = str(message or "").replace("{", "{{").replace("}", "}}")
        writer.writerow([sku, limit_text(limit), eta.isoformat() if eta else "", text, *info])
    return buffer.getvalue()
