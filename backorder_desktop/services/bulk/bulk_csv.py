"""CSV import (validated against the cache, nothing applied) and export of backorder settings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from backorder_desktop.cache import Cache
from backorder_desktop.cache.variants import from_row as variant_from_row
from backorder_desktop.domain.bulk import VariantEdit
from backorder_desktop.domain.bulk_csv import CsvProblem, read_csv, write_csv
from backorder_desktop.domain.bulk_input import Keep
from backorder_desktop.domain.models import UNLIMITED_BACKORDER_LIMIT
from backorder_desktop.services.bulk.bulk_snapshot import (
    load_snapshot,
    resolve_skus,
    store_is_native,
)
from backorder_desktop.services.exports import write_text_file


@dataclass
class CsvCheck:
    """The rows that can be applied, as edits per variant, and every bad row with its reason."""

    edits: dict[int, VariantEdit] = field(default_factory=dict)
    problems: list[CsvProblem] = field(default_factory=list)

    @property
    def sets_limits(self) -> bool:
        return any(not isinstance(e.limit, Keep) for e in self.edits.values())


def check_csv(cache: Cache, data: bytes) -> CsvCheck:
    """Read a backorder CSV and check it against the cache. Writes nothing.

    A file that cannot be read at all (encoding, header) raises BulkInputError; bad rows
    (unknown SKU, bad limit or date, two messages for one product) are listed with reasons.
    """
    parsed = read_csv(data)
    found, _unknown = resolve_skus(cache, [row.sku for row in parsed.rows])
    out = CsvCheck(problems=list(parsed.problems))
    rows = cache.rows_in("variants", "id", found.values())
    variants = {v.id: v for v in map(variant_from_row, rows)}
    messages: dict[int, tuple[str, int]] = {}
    for row in parsed.rows:
        vid = found.get(row.sku)
        if vid is None:
            out.problems.append(
                CsvProblem(row.line, row.sku, "unknown SKU (not in the store at the last sync)")
            )
            continue
        if vid in out.edits:
            out.problems.append(CsvProblem(row.line, row.sku, "this variant is already listed"))
            continue
        message = row.edit.message
        variant = variants.get(vid)
        if not isinstance(message, Keep) and variant is not None:
            known = messages.setdefault(variant.product_id, (message, row.line))
            if known[0] != message:
                out.problems.append(
                    CsvProblem(
                        row.line,
                        row.sku,
                        f"another message for the same product is on line {known[1]} (the "
                        "storefront message belongs to the product)",
                    )
                )
                continue
        out.edits[vid] = row.edit
    out.problems.sort(key=lambda p: p.line)
    return out


def export_csv(path: Path, rows: Iterable[Sequence[object]]) -> int:
    """Write rows (sku, limit, eta, message, product, options, on_hand, backordered, waiting).

    UTF-8 with a byte order mark so spreadsheet programs read accents right; returns the count.
    """
    items = list(rows)
    write_text_file(path, write_csv(items), encoding="utf-8-sig")  # 0600, formulas neutralised
    return len(items)


def export_rows(
    cache: Cache, variant_ids: Sequence[int], location_id: int
) -> list[tuple[object, ...]]:
    """Rows for `export_csv`, in the order given: the limit at `location_id` and the manual ETA
    (the value an import sets), the storefront message of the store's mode."""
    snap = load_snapshot(cache, variant_ids, location_id)
    native = store_is_native(cache)
    wanted = set(variant_ids)
    with cache.read():
        stock: dict[int, tuple[int, int | None]] = {}
        for record in cache.inventory.for_variants(wanted):
            on_hand, backordered = stock.get(record.variant_id, (0, None))
            if record.qty_backordered is not None:
                backordered = (backordered or 0) + record.qty_backordered
            stock[record.variant_id] = (on_hand + record.on_hand, backordered)
        options = {r["id"]: r["option_label"] for r in cache.rows_in("variants", "id", wanted)}
    out: list[tuple[object, ...]] = []
    for vid in variant_ids:
        state = snap.variants.get(vid)
        if state is None:
            continue
        product = snap.products[state.product_id]
        message = product.availability_description if native else product.preorder_message
        on_hand, backordered = stock.get(vid, (0, None))
        out.append(
            (
                state.sku,
                state.limit if native else _preorder_limit(product.availability),
                state.eta,
                message,
                product.name,
                options.get(vid, ""),
                on_hand,
                "" if backordered is None else backordered,
                state.waiting,
            )
        )
    return out


def _preorder_limit(availability: str) -> int | None:
    # Without native backorders "enabled" is the product's pre-order switch (no count).
    return UNLIMITED_BACKORDER_LIMIT if availability == "preorder" else None
