"""The two bulk listings' pages read straight into records; anything unusual takes the careful path.

A full sync of a large store is 40 product pages (10,000 products, 40,000 variants) and 36
inventory pages (72,000 stock records): 53 MB of JSON, most of it fields the app never reads
(a variant carries 25, it uses 9). Parsing all of it into dicts and then reading them field by
field (`mapping.py`) was most of the client's CPU per sync. Here msgspec decodes each page into
small typed structs that name only the fields used, skipping the rest without building a Python
object for them, and the records are built from those.

The structs accept only the shapes the careful mappers read without converting anything: whole
numbers within 64 bits as JSON integers, text as JSON strings, true/false, null where the
mapper takes a default. Any other page (a number sent as text, a field of another type, a
missing id, a body that is not JSON) is read again by the careful path (`mapping.py` on the
parsed dicts), so it gives exactly the records or the error it always gave. Records built here
equal the careful path's for every page this accepts (tests/test_typed_pages.py checks both on
the same pages, generated ones included).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import httpx
import msgspec

from ..domain.models import UNLIMITED_BACKORDER_LIMIT, InventoryRecord, Product, Variant
from .coerce import INT64_MAX, INT64_MIN, BadField, to_datetime
from .mapping import map_inventory_item, map_product
from .paging import read_json_page

Int64 = Annotated[int, msgspec.Meta(ge=INT64_MIN, le=INT64_MAX)]  # what SQLite can store


# gc=False: these hold no reference cycles, and a page makes thousands of them.
class _Option(msgspec.Struct, gc=False):
    option_display_name: str | None = None
    label: str | None = None


class _Variant(msgspec.Struct, gc=False):
    id: Int64
    product_id: Int64 | None = None
    sku: str | None = None
    option_values: list[_Option] | None = None
    price: float | None = None
    inventory_level: Int64 | None = None
    upc: str | None = None
    gtin: str | None = None
    purchasing_disabled: bool | None = None


class _Product(msgspec.Struct, gc=False):
    id: Int64
    name: str | None = None
    sku: str | None = None
    inventory_tracking: str | None = None
    availability: str | None = None
    price: float | None = None
    preorder_release_date: str | None = None
    preorder_message: str | None = None
    availability_description: str | None = None
    date_modified: str | None = None
    variants: list[_Variant] | None = None


class _ProductPage(msgspec.Struct):
    data: list[_Product] = []
    meta: Any = None


class _Settings(msgspec.Struct, gc=False):
    backorder_limit: Int64 | None = None
    is_backorder_unlimited: Any = None
    unlimited: Any = None


class _StockAt(msgspec.Struct, gc=False):
    location_id: Int64
    total_inventory_onhand: Int64 | None = None
    available_to_sell: Int64 | None = None
    qty_backordered: Int64 | None = None
    settings: _Settings | None = None


class _Identity(msgspec.Struct, gc=False):
    variant_id: Int64


class _Item(msgspec.Struct, gc=False):
    identity: _Identity
    locations: list[_StockAt] | None = None


class _InventoryPage(msgspec.Struct):
    data: list[_Item] = []
    meta: Any = None


_PRODUCT_PAGE = msgspec.json.Decoder(_ProductPage)
_INVENTORY_PAGE = msgspec.json.Decoder(_InventoryPage)


VariantFields = tuple[int, int, str, str, float | None, int, str, str, bool]
StockFields = tuple[int, int, int, int, int | None, int | None]


class ProductPage:
    """A page of products with their variants.

    Products are records; variants are kept as their fields in `Variant`'s order and become
    records only when asked (`variants`, `pairs`): a first sync writes 40,000 variants straight
    from the fields (`variant_fields`), and building a frozen record costs more than reading it.
    """

    __slots__ = ("groups", "products")

    def __init__(self, products: list[Product], groups: list[list[VariantFields]]) -> None:
        self.products = products
        self.groups = groups  # each product's variants, in the products' order

    def __len__(self) -> int:
        return len(self.products)  # the page's list entries, as the pager counts them

    def variant_fields(self) -> list[VariantFields]:
        return [fields for group in self.groups for fields in group]

    def variants(self) -> list[Variant]:
        return [Variant(*fields) for group in self.groups for fields in group]

    def pairs(self) -> list[tuple[Product, list[Variant]]]:
        return [
            (product, [Variant(*fields) for fields in group])
            for product, group in zip(self.products, self.groups, strict=True)
        ]

    @classmethod
    def of(cls, pairs: list[tuple[Product, list[Variant]]]) -> ProductPage:
        groups = [[_variant_fields(v) for v in variants] for _, variants in pairs]
        return cls([p for p, _ in pairs], groups)


class StockPage:
    """A page of /v3/inventory/items: one record per variant and location, kept as fields in
    `InventoryRecord`'s order until records are asked for (as `ProductPage` keeps variants)."""

    __slots__ = ("entries", "fields")

    def __init__(self, fields: list[StockFields], entries: int) -> None:
        self.fields = fields
        self.entries = entries  # inventory items: a page's length, as the pager counts them

    def __len__(self) -> int:
        return self.entries

    def records(self) -> list[InventoryRecord]:
        return [InventoryRecord(*fields) for fields in self.fields]

    @classmethod
    def of(cls, per_item: list[list[InventoryRecord]]) -> StockPage:
        fields = [_stock_fields(r) for records in per_item for r in records]
        return cls(fields, len(per_item))


def _variant_fields(v: Variant) -> VariantFields:
    return (
        v.id,
        v.product_id,
        v.sku,
        v.option_label,
        v.price,
        v.inventory_level,
        v.upc,
        v.gtin,
        v.purchasing_disabled,
    )


def _stock_fields(r: InventoryRecord) -> StockFields:
    return (
        r.variant_id,
        r.location_id,
        r.on_hand,
        r.available_to_sell,
        r.qty_backordered,
        r.backorder_limit,
    )


def _option_label(options: list[_Option] | None, labels: dict[tuple[Any, ...], str]) -> str:
    """As `mapping._option_label` reads option_values: 'Size M, Colour Blue'. `labels` holds
    the ones seen on this page (a catalog has a few dozen option values, reused throughout)."""
    if not options:
        return ""
    key = tuple((o.option_display_name, o.label) for o in options)
    label = labels.get(key)
    if label is not None:
        return label
    parts = []
    for name, value in key:
        name = (name or "").strip()
        value = (value or "").strip()
        if name or value:
            parts.append(f"{name} {value}".strip())
    label = labels[key] = ", ".join(parts)
    return label


def _products(page: _ProductPage) -> ProductPage:
    labels: dict[tuple[Any, ...], str] = {}
    products = []
    groups = []
    for p in page.data:
        products.append(
            Product(
                id=p.id,
                name=p.name or "",
                sku=p.sku or "",
                inventory_tracking=p.inventory_tracking or "none",
                availability=p.availability or "available",
                price=0.0 if p.price is None else p.price,
                preorder_release_date=to_datetime(p.preorder_release_date, "preorder_release_date"),
                preorder_message=p.preorder_message or "",
                availability_description=p.availability_description or "",
                date_modified=to_datetime(p.date_modified, "date_modified"),
            )
        )
        pid = p.id
        groups.append(
            [
                (
                    v.id,
                    pid if v.product_id is None else v.product_id,
                    v.sku or "",
                    _option_label(v.option_values, labels),
                    v.price,
                    0 if v.inventory_level is None else v.inventory_level,
                    v.upc or "",
                    v.gtin or "",
                    bool(v.purchasing_disabled),
                )
                for v in p.variants or ()
            ]
        )
    return ProductPage(products, groups)


def _backorder_limit(settings: _Settings | None) -> int | None:
    """As `mapping._backorder_limit` (its text forms of "unlimited" go the careful way)."""
    if settings is None:
        return None
    if settings.is_backorder_unlimited is True or settings.unlimited is True:
        return UNLIMITED_BACKORDER_LIMIT
    value = settings.backorder_limit
    if value is not None and (value < 0 or value >= UNLIMITED_BACKORDER_LIMIT):
        return UNLIMITED_BACKORDER_LIMIT
    return value


def _stock(page: _InventoryPage) -> StockPage:
    fields: list[StockFields] = []
    add = fields.append
    for item in page.data:
        variant_id = item.identity.variant_id
        for at in item.locations or ():
            on_hand = 0 if at.total_inventory_onhand is None else at.total_inventory_onhand
            add(
                (
                    variant_id,
                    at.location_id,
                    on_hand,
                    on_hand if at.available_to_sell is None else at.available_to_sell,
                    at.qty_backordered,
                    None if at.settings is None else _backorder_limit(at.settings),
                )
            )
    return StockPage(fields, len(page.data))


def _fast_products(raw: bytes) -> tuple[ProductPage, Any] | None:
    try:
        page = _PRODUCT_PAGE.decode(raw)
        return _products(page), page.meta
    except (msgspec.MsgspecError, BadField):
        return None  # not the usual shape: the careful path reads it (or names what is wrong)


def _fast_stock(raw: bytes) -> tuple[StockPage, Any] | None:
    try:
        page = _INVENTORY_PAGE.decode(raw)
        return _stock(page), page.meta
    except (msgspec.MsgspecError, BadField):
        return None


def _body(response: httpx.Response) -> bytes:
    try:
        return response.content
    except httpx.ResponseNotRead:
        return b""


P = TypeVar("P", ProductPage, StockPage)


def _fast_or_careful(
    response: httpx.Response,
    path: str,
    fast: Callable[[bytes], tuple[P, Any] | None],
    careful: Callable[[list[Any]], P],
) -> tuple[P, Any]:
    """The page decoded the fast way, or (an odd page, an empty body) the careful way, which
    gives the same records or the same error message."""
    raw = _body(response)
    if raw and response.status_code != 204:
        decoded = fast(raw)
        if decoded is not None:
            return decoded
    data, meta = read_json_page(response, path)
    return careful(data), meta


def read_products(response: httpx.Response, path: str) -> tuple[ProductPage, Any]:
    """A page of /v3/catalog/products?include=variants."""
    return _fast_or_careful(
        response, path, _fast_products, lambda data: ProductPage.of([map_product(d) for d in data])
    )


def read_stock(response: httpx.Response, path: str) -> tuple[StockPage, Any]:
    """A page of /v3/inventory/items."""
    return _fast_or_careful(
        response,
        path,
        _fast_stock,
        lambda data: StockPage.of([map_inventory_item(d) for d in data]),
    )
