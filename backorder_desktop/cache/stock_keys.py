"""Which variants share one stock record: a product tracked by product keeps one for them all."""

from __future__ import annotations

from .core import CacheCore


def shared_stock_keys(core: CacheCore) -> dict[int, int]:
    """{variant: the variant naming its product's stock} for every variant of a product tracked
    by product (its lowest variant id names the record); variants not listed own their stock.

    BigCommerce keeps one stock per location for such a product, shows it on each variant and
    takes writes for it by product id (spec README, "Learned since"): two deltas on two of its
    variants change one figure, so reading back or fitting a change must add them up.
    """
    products = [r["id"] for r in core.rows("products", "inventory_tracking = ?", ["product"])]
    if not products:
        return {}
    by_product: dict[int, list[int]] = {}
    for r in core.rows_in("variants", "product_id", products):
        by_product.setdefault(int(r["product_id"]), []).append(int(r["id"]))
    out: dict[int, int] = {}
    for vids in by_product.values():
        key = min(vids)
        for vid in vids:
            out[vid] = key
    return out
