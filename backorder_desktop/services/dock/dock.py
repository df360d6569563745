"""What the receiving dialog needs up front: the shipment, its scannable codes, names, locations."""

from __future__ import annotations

from dataclasses import dataclass, field

from backorder_desktop.cache import Cache
from backorder_desktop.cache.shipments import load_shipments
from backorder_desktop.domain.models import Location
from backorder_desktop.domain.shipments import DRAFT, Shipment
from backorder_desktop.services.dock.shipments import find_shipment


def _normal(code: str) -> str:
    """Scanners send UPC-A (12 digits) or GTIN-13/14 of one product: compare digits without
    leading zeros; anything else case-insensitively."""
    text = code.strip()
    return text.lstrip("0") or "0" if text.isdigit() else text.casefold()


@dataclass(frozen=True)
class DockContext:
    shipment: Shipment
    codes: dict[str, str] = field(default_factory=dict)  # normalised SKU/UPC/GTIN -> line SKU
    names: dict[str, str] = field(default_factory=dict)  # SKU -> product name and options
    locations: list[Location] = field(default_factory=list)
    default_location_id: int | None = None
    # Codes of SKUs on other open shipments -> (SKU, that shipment's reference).
    elsewhere: dict[str, tuple[str, str]] = field(default_factory=dict)

    def resolve(self, code: str) -> str | None:
        """The shipment line a scanned or typed code belongs to (None: not on this shipment)."""
        if not code.strip():
            return None
        return self.codes.get(_normal(code))

    def belongs_elsewhere(self, code: str) -> tuple[str, str] | None:
        """(SKU, shipment reference) when the code is on another open shipment."""
        return self.elsewhere.get(_normal(code)) if code.strip() else None


def dock_context(cache: Cache, shipment_id: str) -> DockContext:
    shipment = find_shipment(cache, shipment_id)
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    variant_ids = [line.variant_id for line in shipment.lines if line.variant_id is not None]
    variants = {v.id: v for v in (cache.variants.get(vid) for vid in variant_ids) if v}
    products = {p.id: p for p in cache.products.get_many({v.product_id for v in variants.values()})}
    for line in shipment.lines:
        codes[_normal(line.sku)] = line.sku
        variant = variants.get(line.variant_id) if line.variant_id is not None else None
        if variant is None:
            names[line.sku] = ""
            continue
        for extra in (variant.upc, variant.gtin):
            if extra and extra.strip():
                codes.setdefault(_normal(extra), line.sku)
        product = products.get(variant.product_id)
        name = product.name if product else ""
        names[line.sku] = f"{name} ({variant.option_label})" if variant.option_label else name
    default = cache.locations.default()
    elsewhere: dict[str, tuple[str, str]] = {}
    for other in load_shipments(cache):
        if other.id == shipment.id or not (other.is_inbound or other.status == DRAFT):
            continue
        for line in other.lines:
            elsewhere.setdefault(_normal(line.sku), (line.sku, other.reference))
    return DockContext(
        shipment=shipment,
        codes=codes,
        names=names,
        locations=cache.locations.all(),
        default_location_id=default.id if default else None,
        elsewhere=elsewhere,
    )
