"""JSON -> domain records: odd but real-world JSON is read; broken records name themselves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backorder_desktop.bigcommerce.errors import MappingError
from backorder_desktop.bigcommerce.mapping import (
    map_inventory_item,
    map_location,
    map_metafield,
    map_order,
    map_product,
)

FULL_PRODUCT = {
    "id": 77,
    "name": "Café crème <small>",
    "sku": "CC-1",
    "inventory_tracking": "variant",
    "availability": "preorder",
    "price": "12.50",
    "preorder_release_date": "2026-03-01T00:00:00+00:00",
    "preorder_message": "Ships %%DATE%%",
    "availability_description": "Usually ships in 2 weeks",
    "date_modified": "2026-01-02T03:04:05Z",
    "variants": [
        {
            "id": 501,
            "product_id": 77,
            "sku": "CC-1-M-BL",
            "price": None,
            "inventory_level": "4",
            "upc": None,
            "gtin": 12345,
            "purchasing_disabled": False,
            "option_values": [
                {"option_display_name": "Size", "label": "M"},
                {"option_display_name": "Colour", "label": "Blue"},
            ],
        },
        {"id": 502, "option_values": []},
    ],
}


def test_product_with_variants_reads_strings_as_numbers() -> None:
    product, variants = map_product(FULL_PRODUCT)
    assert product.id == 77 and product.name == "Café crème <small>"
    assert product.price == 12.5
    assert product.availability == "preorder"
    assert product.preorder_release_date == datetime(2026, 3, 1, tzinfo=UTC)
    assert product.date_modified == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert [v.id for v in variants] == [501, 502]
    first, base = variants
    assert first.option_label == "Size M, Colour Blue"
    assert first.price is None  # inherits the product price
    assert first.inventory_level == 4
    assert first.upc == "" and first.gtin == "12345"
    assert base.product_id == 77 and base.option_label == "" and base.sku == ""


def test_product_with_nulls_and_missing_fields_gets_defaults() -> None:
    product, variants = map_product(
        {"id": "9", "name": None, "price": None, "variants": None, "date_modified": ""}
    )
    assert product.id == 9
    assert product.name == "" and product.price == 0.0
    assert product.inventory_tracking == "none" and product.availability == "available"
    assert product.date_modified is None
    assert variants == []


@pytest.mark.parametrize(
    ("record", "needle"),
    [
        ({"id": 5, "price": "abc"}, "price"),
        ({"id": 5, "price": float("nan")}, "price"),
        ({"id": 5, "date_modified": "yesterday"}, "date_modified"),
        ({"name": "no id"}, "id"),
        ({"id": 5, "variants": [{"id": 10**30}]}, "too large"),
        ({"id": 5, "variants": [{"id": 7, "inventory_level": 2.5}]}, "inventory_level"),
        ({"id": True}, "id"),
    ],
)
def test_broken_product_raises_mapping_error_naming_it(record: dict, needle: str) -> None:
    with pytest.raises(MappingError) as caught:
        map_product(record)
    assert needle in caught.value.message
    assert "product" in caught.value.message or "variant" in caught.value.message


def test_mapping_error_names_resource_and_id() -> None:
    with pytest.raises(MappingError) as caught:
        map_product({"id": 31, "price": {"amount": 3}})
    error = caught.value
    assert (error.resource, error.record_id) == ("product", 31)
    assert "product 31" in error.message
    with pytest.raises(MappingError, match="variant 8"):
        map_product({"id": 31, "variants": [{"id": 8, "price": "x"}]})


def test_not_an_object_is_a_mapping_error_not_a_crash() -> None:
    with pytest.raises(MappingError, match="order"):
        map_order(["not", "an", "order"])


def test_huge_but_valid_numbers_are_kept() -> None:
    product, _ = map_product({"id": 2**62, "price": "1e6"})
    assert product.id == 2**62 and product.price == 1_000_000.0


def test_location_default_comes_from_the_field_never_from_id_1() -> None:
    assert not map_location({"id": 1, "code": "BC-1", "label": "Main"}).is_default
    assert not map_location({"id": 2, "code": "W2", "label": None}).is_default
    assert map_location({"id": 2, "code": "W2", "label": None}).label == "W2"
    assert map_location({"id": 3, "code": "X", "is_default": True}).is_default


def test_inventory_item_gives_one_record_per_location_with_backorder_fields() -> None:
    records = map_inventory_item(
        {
            "identity": {"sku": "A", "variant_id": "88", "product_id": 8},
            "locations": [
                {
                    "location_id": 1,
                    "total_inventory_onhand": 0,
                    "available_to_sell": 7,
                    "qty_backordered": 3,
                    "settings": {"backorder_limit": 10, "safety_stock": 0},
                },
                {"location_id": 2, "total_inventory_onhand": 5, "settings": None},
            ],
        }
    )
    assert [(r.variant_id, r.location_id) for r in records] == [(88, 1), (88, 2)]
    first, second = records
    assert (first.on_hand, first.available_to_sell) == (0, 7)
    assert (first.qty_backordered, first.backorder_limit) == (3, 10)
    # A store without native backorders: the beta fields are absent, not zero.
    assert (second.qty_backordered, second.backorder_limit) == (None, None)
    assert second.available_to_sell == 5


def test_inventory_item_without_variant_id_names_its_sku() -> None:
    with pytest.raises(MappingError, match="SKU-9"):
        map_inventory_item({"identity": {"sku": "SKU-9"}, "locations": []})


LINE = {
    "id": 901,
    "order_id": 100,
    "product_id": 77,
    "variant_id": 501,
    "sku": "CC-1-M-BL",
    "name": "Café crème <small>",
    "quantity": 3,
    "quantity_shipped": "1",
    "price_inc_tax": "54.0000",
    "quantity_backordered": 2,
    "product_options": [
        {"display_name": "Size", "display_value": "M"},
        {"display_name": "Colour", "display_value": "Blue"},
    ],
}
ORDER = {
    "id": 100,
    "status_id": 11,
    "date_created": "Tue, 20 Nov 2012 00:00:00 +0000",
    "date_modified": "Wed, 21 Nov 2012 10:30:00 -0400",
    "customer_id": 12,
    "billing_address": {"first_name": "Seán", "last_name": "O'Brien", "email": "sean@example.com"},
    "total_inc_tax": "162.0000",
    "currency_code": "EUR",
    "default_currency_code": "USD",
}


def test_order_with_object_consignments_reads_rfc2822_dates_and_lines() -> None:
    order = map_order(
        {
            **ORDER,
            "consignments": {
                "pickups": [],
                "shipping": [{"id": 1, "line_items": [LINE], "shipping_quotes": {"url": "u"}}],
                "downloads": [],
                "email": {"gift_certificates": []},
            },
        }
    )
    assert order.date_created == datetime(2012, 11, 20, tzinfo=UTC)
    assert order.date_modified == datetime(2012, 11, 21, 14, 30, tzinfo=UTC)
    assert order.customer_email == "sean@example.com"
    assert order.customer_name == "Seán O'Brien"
    assert order.total_inc_tax == 162.0 and order.currency_code == "USD"
    assert order.is_open
    (line,) = order.lines
    assert (line.id, line.order_id, line.variant_id, line.sku) == (901, 100, 501, "CC-1-M-BL")
    assert (line.quantity, line.quantity_shipped, line.quantity_backordered) == (3, 1, 2)
    assert line.price_inc_tax == 54.0
    assert line.option_label == "Size M, Colour Blue"


def test_order_with_array_consignments_and_split_lines() -> None:
    other = {**LINE, "id": 902, "quantity_backordered": None, "variant_id": None}
    order = map_order(
        {
            **ORDER,
            "consignments": [
                {"shipping": [{"line_items": [LINE, other]}]},
                {"shipping": [{"line_items": [LINE]}]},  # the same line in a second parcel
                {"downloads": [{"line_items": {"url": "x", "resource": "/orders/1/products"}}]},
            ],
        }
    )
    assert [line.id for line in order.lines] == [901, 902]
    second = order.lines[1]
    # A line from before native backorders: None, so the queue falls back to stock cover.
    assert second.quantity_backordered is None
    assert second.variant_id == 0


def test_order_with_only_links_has_no_lines() -> None:
    order = map_order(
        {**ORDER, "consignments": {"url": "u", "resource": "/orders/100/consignments"}}
    )
    assert order.lines == ()


def test_order_without_modified_date_uses_created_and_guest_has_no_customer() -> None:
    order = map_order(
        {**ORDER, "date_modified": None, "customer_id": None, "billing_address": None}
    )
    assert order.date_modified == order.date_created
    assert order.customer_id == 0 and order.customer_email == "" and order.customer_name == ""


@pytest.mark.parametrize("field", ["id", "status_id", "date_created"])
def test_order_missing_an_essential_field_is_a_mapping_error(field: str) -> None:
    record = {**ORDER, field: None}
    with pytest.raises(MappingError, match=field):
        map_order(record)


def test_broken_line_names_the_line() -> None:
    with pytest.raises(MappingError, match="order line 901"):
        map_order(
            {
                **ORDER,
                "consignments": {"shipping": [{"line_items": [{**LINE, "quantity": "lots"}]}]},
            }
        )


def test_metafields_read_string_ids_and_drop_the_store_id() -> None:
    store = map_metafield(
        {
            "id": "69",
            "key": "supplier:1",
            "value": '{"name": "Acme"}',
            "namespace": "backorder_desktop",
            "resource_type": "store",
            "resource_id": "1001197568",
            "date_modified": "2024-08-27T18:58:43+00:00",
        },
        "store",
    )
    assert store.id == 69 and store.resource_id is None
    assert store.value == '{"name": "Acme"}'
    variant = map_metafield(
        {"id": 5, "key": "eta", "value": "2026-05-01", "namespace": "n", "resource_id": 501},
        "variant",
    )
    assert (variant.resource_type, variant.resource_id, variant.date_modified) == (
        "variant",
        501,
        None,
    )


def test_metafield_without_resource_is_a_mapping_error() -> None:
    with pytest.raises(MappingError, match="variant metafield 5"):
        map_metafield({"id": 5, "key": "eta", "value": "x", "namespace": "n"}, "variant")


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["12", "1.5", "Tue, 20 Nov 2012 00:00:00 +0000", "2026-01-01T00:00:00Z"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _record(fields: list[str]) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({}, optional={name: _json for name in fields})


@settings(max_examples=150, deadline=None)
@given(
    product=_record(
        [
            "id",
            "name",
            "price",
            "availability",
            "date_modified",
            "variants",
            "preorder_release_date",
        ]
    ),
    order=_record(
        [
            "id",
            "status_id",
            "date_created",
            "billing_address",
            "consignments",
            "products",
            "total_inc_tax",
        ]
    ),
    item=_record(["identity", "locations"]),
    metafield=_record(["id", "resource_id", "key", "value", "date_modified"]),
)
def test_any_json_either_maps_or_raises_mapping_error(
    product: dict, order: dict, item: dict, metafield: dict
) -> None:
    # Never a bare KeyError/TypeError/OverflowError from whatever the store sends.
    for mapper, record in (
        (map_product, product),
        (map_order, order),
        (map_inventory_item, item),
        (lambda r: map_metafield(r, "variant"), metafield),
    ):
        try:
            mapper(record)
        except MappingError as exc:
            assert exc.message
