"""Fast readers (typed bulk pages, V2 dates) give exactly what the careful ones give, cache too."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backorder_desktop.bigcommerce import BigCommerceClient, typed_pages
from backorder_desktop.bigcommerce.coerce import BadField, to_datetime
from backorder_desktop.bigcommerce.errors import BigCommerceError
from backorder_desktop.bigcommerce.mapping import map_inventory_item, map_product
from backorder_desktop.bigcommerce.paging import read_json_page
from backorder_desktop.cache import Cache, inventory, open_cache, variants
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.domain.models import UNLIMITED_BACKORDER_LIMIT, InventoryRecord, Variant
from backorder_desktop.sync import pull as pull_module
from backorder_desktop.sync.pull import pull
from tests.support.store_writes import rename_product, set_order_status, set_stock

PATH = "/v3/catalog/products"


def _response(body: Any, status: int = 200) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(status, content=raw, request=httpx.Request("GET", "http://x" + PATH))


def _outcome(read: Any) -> Any:
    """What reading gives: the records, or the error's type and message."""
    try:
        return read()
    except BigCommerceError as exc:
        return (type(exc).__name__, str(exc))


def _products_both_ways(body: Any) -> tuple[Any, Any]:
    def typed() -> Any:
        page, meta = typed_pages.read_products(_response(body), PATH)
        return page.products, page.pairs(), page.variants(), meta

    def careful() -> Any:
        data, meta = read_json_page(_response(body), PATH)
        pairs = [map_product(d) for d in data]
        return [p for p, _ in pairs], pairs, [v for _, vs in pairs for v in vs], meta

    return _outcome(typed), _outcome(careful)


def _stock_both_ways(body: Any) -> tuple[Any, Any]:
    def typed() -> Any:
        page, meta = typed_pages.read_stock(_response(body), PATH)
        return page.records(), len(page), meta

    def careful() -> Any:
        data, meta = read_json_page(_response(body), PATH)
        return [r for d in data for r in map_inventory_item(d)], len(data), meta

    return _outcome(typed), _outcome(careful)


USUAL_PRODUCT = {
    "id": 351,
    "name": "Sunrise Canvas Gloves",
    "sku": "GLOV-00351",
    "price": 20.45,
    "inventory_tracking": "variant",
    "availability": "available",
    "availability_description": "Usually ships in 24 hours.",
    "preorder_release_date": None,
    "preorder_message": "",
    "date_modified": "2025-05-26T11:54:18+00:00",
    "variants": [
        {
            "id": 100954,
            "product_id": 351,
            "sku": "GLOV-00351-S",
            "price": None,
            "calculated_price": 20.45,
            "inventory_level": 38,
            "upc": "008444655831",
            "gtin": "",
            "purchasing_disabled": False,
            "option_values": [{"id": 790, "label": " S ", "option_display_name": "Size"}],
        },
        {"id": 100955, "price": 28, "option_values": [{"label": "M"}, {"label": None}]},
    ],
}
USUAL_ITEM = {
    "identity": {"sku": "LAMP-1", "variant_id": 101167, "product_id": 403},
    "locations": [
        {
            "location_id": 1,
            "available_to_sell": 29,
            "total_inventory_onhand": 29,
            "settings": {"safety_stock": 0, "backorder_limit": None},
            "qty_backordered": 0,
        },
        {"location_id": 2, "total_inventory_onhand": 4, "settings": {"backorder_limit": -1}},
        {"location_id": 3, "settings": {"backorder_limit": 5, "is_backorder_unlimited": True}},
    ],
}
META = {"pagination": {"total": 2, "total_pages": 1}}


@pytest.mark.parametrize(
    "body",
    [
        {"data": [USUAL_PRODUCT], "meta": META},
        {"data": [{**USUAL_PRODUCT, "price": "12.50"}]},  # text for a number: the careful path
        {"data": [{"id": "9", "name": None, "variants": None, "date_modified": ""}]},
        {"data": [{"id": 5, "variants": [{"id": 10**30}]}]},  # too large: the same error
        {"data": [{"id": 5, "date_modified": "yesterday"}]},
        {"data": [{"name": "no id"}]},
        {"data": [{"id": 1, "variants": [{"id": 2, "inventory_level": 2.5}]}]},
        {"data": None},
        {"data": ["not an object"]},
        {"meta": META},
        [USUAL_PRODUCT],
    ],
)
def test_a_product_page_reads_the_same_whichever_path_takes_it(body: Any) -> None:
    typed, careful = _products_both_ways(body)
    assert typed == careful


@pytest.mark.parametrize(
    "body",
    [
        {"data": [USUAL_ITEM, {**USUAL_ITEM, "locations": None}], "meta": META},
        {"data": [{"identity": {"sku": "SKU-9"}, "locations": []}]},  # names its SKU
        {"data": [{"identity": {"variant_id": "88"}, "locations": [{"location_id": 1}]}]},
        {"data": [{"identity": {"variant_id": 8}, "locations": [{"settings": {}}]}]},
        {
            "data": [
                {
                    **USUAL_ITEM,
                    "locations": [{"location_id": 1, "settings": {"backorder_limit": "unlimited"}}],
                }
            ]
        },  # fmt: skip
    ],
)
def test_a_stock_page_reads_the_same_whichever_path_takes_it(body: Any) -> None:
    typed, careful = _stock_both_ways(body)
    assert typed == careful


def test_an_answer_that_is_not_json_reads_as_an_empty_page_either_way() -> None:
    for body in (b"<html>busy</html>", b"", b"\xff\xfe{"):
        typed, careful = _products_both_ways(body)
        assert typed == careful == ([], [], [], None)


def test_the_usual_page_never_needs_the_careful_mapping(monkeypatch: pytest.MonkeyPatch) -> None:
    # The fast path is the point of typed_pages: a page as BigCommerce sends it must not fall
    # back to parsing everything into dicts (a large sync would be ~40 % slower, silently).
    def fail(*_args: Any) -> Any:
        raise AssertionError("the careful path was taken")

    monkeypatch.setattr(typed_pages, "map_product", fail)
    monkeypatch.setattr(typed_pages, "map_inventory_item", fail)
    page, _ = typed_pages.read_products(_response({"data": [USUAL_PRODUCT]}), PATH)
    assert [v.option_label for v in page.variants()] == ["Size S", "M"]
    stock, _ = typed_pages.read_stock(_response({"data": [USUAL_ITEM]}), PATH)
    assert [r.backorder_limit for r in stock.records()][1:] == [UNLIMITED_BACKORDER_LIMIT] * 2


def test_pages_keep_records_as_fields_in_the_cache_column_order() -> None:
    # A first sync stages variants and stock rows straight from these fields (cache/staging).
    assert variants.COLUMNS == tuple(f.name for f in fields(Variant))
    assert inventory.COLUMNS == tuple(f.name for f in fields(InventoryRecord))
    page, _ = typed_pages.read_products(_response({"data": [USUAL_PRODUCT]}), PATH)
    for row, record in zip(page.variant_fields(), page.variants(), strict=True):
        assert row == variants.to_values(record)
    stock, _ = typed_pages.read_stock(_response({"data": [USUAL_ITEM]}), PATH)
    for row, stock_record in zip(stock.fields, stock.records(), strict=True):
        assert row == inventory.to_values(stock_record)


# Values of the usual JSON types (what the typed path takes), and odd ones (what it leaves to
# the careful path): a page mixes them, mostly usual, so both paths and their seams are tried.
_USUAL = {
    "id": st.integers(min_value=1, max_value=4),
    "int": st.none()
    | st.integers(min_value=-3, max_value=5)
    | st.sampled_from([UNLIMITED_BACKORDER_LIMIT, UNLIMITED_BACKORDER_LIMIT - 1, 2**63 - 1]),
    "text": st.none() | st.sampled_from(["", " M ", "Size", "x y"]),
    "bool": st.none() | st.booleans(),
    "float": st.none() | st.integers(min_value=-2, max_value=3) | st.sampled_from([0.5, 12.25]),
    "date": st.none() | st.sampled_from(["", "2026-01-01T00:00:00Z", "2025-05-26T11:54:18+00:00"]),
}
_ODD = st.one_of(
    st.booleans(),
    st.sampled_from([2**63 - 1, 2**63, -(2**63) - 1, 10**25, 999_999, 1_000_000, 2.5]),
    st.sampled_from(["12", "1.5", "unlimited", " ", "Tue, 20 Nov 2012 00:00:00 +0000"]),
    st.sampled_from(["2026-02-30", "yesterday", [], [1], {"id": 1}]),
)


def _mostly(usual: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Nine times in ten a usual value, else an odd one."""
    return st.integers(min_value=0, max_value=9).flatmap(lambda n: _ODD if n == 0 else usual)


def _field(kind: str) -> st.SearchStrategy[Any]:
    return _mostly(_USUAL[kind])


def _object(
    names: dict[str, str], *, ids: tuple[str, ...] = (), **nested: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """An object with some of `names` (of those kinds) and `nested`; `ids` are nearly always
    there (a record without its id is refused by both paths alike)."""
    strategies = {name: _field(kind) for name, kind in names.items()}
    strategies |= {name: _mostly(inner) for name, inner in nested.items()}
    required = {name: strategies.pop(name) for name in ids}
    return st.fixed_dictionaries(required, optional=strategies)


_option = _object({"option_display_name": "text", "label": "text"})
_variant = _object(
    {
        "id": "id",
        "product_id": "int",
        "sku": "text",
        "price": "float",
        "inventory_level": "int",
        "upc": "text",
        "gtin": "text",
        "purchasing_disabled": "bool",
    },
    ids=("id",),
    option_values=st.lists(_option, max_size=2),
)
_product = _object(
    {
        "id": "id",
        "name": "text",
        "sku": "text",
        "inventory_tracking": "text",
        "availability": "text",
        "price": "float",
        "date_modified": "date",
        "preorder_release_date": "date",
        "preorder_message": "text",
    },
    ids=("id",),
    variants=st.lists(_variant, max_size=3),
)
_settings = _object(
    {"backorder_limit": "int", "is_backorder_unlimited": "bool", "unlimited": "bool"}
)
_location = _object(
    {
        "location_id": "id",
        "total_inventory_onhand": "int",
        "available_to_sell": "int",
        "qty_backordered": "int",
    },
    ids=("location_id",),
    settings=_settings,
)
_item = _object(
    {},
    ids=("identity",),
    identity=_object({"variant_id": "id", "sku": "text"}, ids=("variant_id",)),
    locations=st.lists(_location, max_size=3),
)


@settings(max_examples=200, deadline=None)
@given(products=st.lists(_product, max_size=2), items=st.lists(_item, max_size=2))
def test_any_page_reads_the_same_whichever_path_takes_it(
    products: list[Any], items: list[Any]
) -> None:
    typed, careful = _products_both_ways({"data": products, "meta": META})
    assert typed == careful
    typed, careful = _stock_both_ways({"data": items})
    assert typed == careful


# --- the cache a sync leaves ---------------------------------------------------------------

TABLES = ("locations", "products", "variants", "inventory", "orders", "order_lines", "metafields")


def _contents(cache: Cache) -> dict[str, list[tuple[Any, ...]]]:
    with cache.read() as db:
        out = {t: db.execute(f"SELECT * FROM [{t}] ORDER BY 1, 2").fetchall() for t in TABLES}  # noqa: S608 (fixed names)
        out["cursors"] = db.execute(
            "SELECT key, value FROM sync_state WHERE key LIKE 'cursor:%' AND key NOT LIKE '%sweep%'"
            " ORDER BY key"
        ).fetchall()
    return out


class _ReferenceSink(pull_module._CacheSink):  # noqa: SLF001 (the test's reference write path)
    """Nothing staged: every part through the repositories' replace_all, from records."""

    def __init__(self, cache: Cache, *, stream: bool) -> None:
        super().__init__(cache, stream=False)


@pytest.fixture
def store() -> Iterator[DemoStore]:
    with DemoStore(seed=3) as s:
        yield s


def _careful_sync(monkeypatch: pytest.MonkeyPatch, client: BigCommerceClient, cache: Cache) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(typed_pages, "_fast_products", lambda _raw: None)
        patch.setattr(typed_pages, "_fast_stock", lambda _raw: None)
        patch.setattr(pull_module, "_CacheSink", _ReferenceSink)
        pull(client, cache)


def test_a_first_and_an_incremental_sync_leave_the_cache_the_careful_path_leaves(
    store: DemoStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        BigCommerceClient(store.api_url, store.store_hash, store.token) as client,
        open_cache(tmp_path / "fast.sqlite") as fast,
        open_cache(tmp_path / "reference.sqlite") as reference,
    ):
        first = pull(client, fast)
        assert first.full and first.requests > 0
        _careful_sync(monkeypatch, client, reference)
        contents = _contents(fast)
        assert all(contents[t] for t in ("products", "variants", "inventory", "orders"))
        assert contents == _contents(reference)

        # What a few minutes bring: a renamed product, a stock count, an order shipped.
        product = contents["products"][3][0]
        rename_product(client, product, "Renamed in the admin")
        variant, location = contents["inventory"][5][:2]
        set_stock(client, [{"variant_id": variant, "location_id": location, "quantity": 41}])
        set_order_status(client, contents["orders"][0][0], 2)
        again = pull(client, fast)
        assert not again.full and "products" in again.changed
        _careful_sync(monkeypatch, client, reference)
        after = _contents(fast)
        assert after == _contents(reference)
        assert after != contents
        assert (product, "Renamed in the admin") in [(p[0], p[1]) for p in after["products"]]


_DAYS = st.sampled_from(["Mon, ", "Tue, ", "", "Sun, "])
_MONTH = st.sampled_from(["Jan", "Feb", "Sep", "Dec", "Foo", "jan"])


@settings(max_examples=200, deadline=None)
@given(
    day=_DAYS,
    date=st.tuples(st.integers(0, 32), _MONTH, st.integers(0, 9999)),
    time=st.tuples(st.integers(0, 25), st.integers(0, 61), st.integers(0, 61)),
    zone=st.tuples(st.sampled_from("+-"), st.integers(0, 25), st.integers(0, 61)),
)
def test_a_v2_date_reads_as_the_email_parser_reads_it(
    day: str, date: tuple[int, str, int], time: tuple[int, int, int], zone: tuple[str, int, int]
) -> None:
    # V2 dates are read without the email parser when they have its usual shape (coerce.py).
    text = f"{day}{date[0]:02d} {date[1]} {date[2]:04d} {time[0]:02d}:{time[1]:02d}:{time[2]:02d} "
    text += f"{zone[0]}{zone[1]:02d}{zone[2]:02d}"
    try:
        expected: Any = parsedate_to_datetime(text)
        if expected.tzinfo is None:
            expected = expected.replace(tzinfo=UTC)
        expected = expected.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        expected = BadField
    try:
        got: Any = to_datetime(text, "date_modified")
    except BadField:
        got = BadField
    assert got == expected
    if got is not BadField:
        assert got.tzinfo is UTC
