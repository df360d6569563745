"""Bulk row writes (cache/rowsync.py): first fill, diffs, and children kept when a parent updates."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backorder_desktop.cache import Cache, open_cache
from backorder_desktop.domain.models import (
    AWAITING_FULFILLMENT,
    InventoryRecord,
    Order,
    OrderLine,
    Product,
    Variant,
)

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with open_cache(tmp_path / "store.sqlite") as c:
        yield c


def product(i: int, name: str | None = None) -> Product:
    return Product(
        id=i,
        name=name or f"Product {i}",
        sku=f"P{i}",
        inventory_tracking="variant",
        availability="available",
        price=10.0 + i,
        date_modified=T0,
    )


def variant(i: int, product_id: int, level: int = 0) -> Variant:
    return Variant(
        id=i, product_id=product_id, sku=f"V{i}", option_label="", price=None, inventory_level=level
    )


def order(i: int, lines: int = 2, total: float = 20.0) -> Order:
    return Order(
        id=i,
        status_id=AWAITING_FULFILLMENT,
        date_created=T0,
        date_modified=T0,
        customer_id=1,
        customer_email="a@example.com",
        customer_name="A B",
        total_inc_tax=total,
        currency_code="USD",
        lines=tuple(
            OrderLine(
                id=i * 10 + n,
                order_id=i,
                product_id=1,
                variant_id=1,
                sku="V1",
                name="Thing",
                quantity=2,
                quantity_shipped=0,
                price_inc_tax=10.0,
            )
            for n in range(lines)
        ),
    )


def test_first_fill_of_empty_tables_writes_every_row(cache: Cache) -> None:
    products = [product(i) for i in range(1, 1201)]
    variants = [variant(10_000 + i, i, level=i % 7) for i in range(1, 1201)]
    stock = [
        InventoryRecord(10_000 + i, loc, i, i, None, 5) for i in range(1, 1201) for loc in (1, 2)
    ]
    with cache.transaction():
        assert cache.products.replace_all(products) is True
        assert cache.variants.replace_all(variants) is True
        assert cache.inventory.replace_all(stock) is True
    assert cache.products.all() == products
    assert cache.variants.all() == variants
    assert cache.inventory.all() == sorted(stock, key=lambda r: (r.variant_id, r.location_id))
    # The same data again is not a change, and writes nothing.
    with cache.transaction():
        assert cache.products.replace_all(products) is False
        assert cache.variants.replace_all(variants) is False
        assert cache.inventory.replace_all(stock) is False


def test_updating_a_parent_keeps_its_children(cache: Cache) -> None:
    cache.products.replace_all([product(1), product(2)])
    cache.variants.replace_all([variant(11, 1), variant(12, 1), variant(21, 2)])
    cache.orders.replace_all([order(100, lines=3)])

    # The product's name changes and the order's total: an upsert, never a delete + insert
    # (which would cascade to the variants and lines through their foreign keys).
    assert cache.products.upsert([product(1, name="Renamed")]) is True
    assert cache.products.replace_all([product(1, name="Renamed again"), product(2)]) is True
    with cache.transaction() as db:
        db.execute(
            "UPDATE orders SET total_inc_tax = 99 WHERE id = 100"
        )  # what a store-side change looks like in the row
    assert cache.orders.upsert([order(100, lines=3, total=21.0)]) is True

    assert [v.id for v in cache.variants.all()] == [11, 12, 21]
    assert cache.products.get(1) is not None
    assert cache.products.get(1).name == "Renamed again"  # type: ignore[union-attr]
    got = cache.orders.get(100)
    assert got is not None and len(got.lines) == 3 and got.total_inc_tax == 21.0


def test_replace_deletes_only_what_is_gone_and_cascades_to_children(cache: Cache) -> None:
    cache.products.replace_all([product(1), product(2), product(3)])
    cache.variants.replace_all([variant(11, 1), variant(21, 2), variant(31, 3)])
    assert cache.products.replace_all([product(1), product(3)]) is True
    assert [p.id for p in cache.products.all()] == [1, 3]
    assert [v.id for v in cache.variants.all()] == [11, 31]  # product 2 took its variant along


def test_replace_within_leaves_other_rows_alone(cache: Cache) -> None:
    cache.products.replace_all([product(1), product(2)])
    cache.variants.replace_all([variant(11, 1), variant(12, 1), variant(21, 2)])
    # Product 1 now has one variant (12 went, 13 came); product 2 was not part of this read.
    assert cache.variants.replace_for_products([1], [variant(11, 1), variant(13, 1)]) is True
    assert [v.id for v in cache.variants.all()] == [11, 13, 21]
    assert cache.variants.replace_for_products([1], [variant(11, 1), variant(13, 1)]) is False


def test_only_differing_rows_are_written(cache: Cache) -> None:
    stock = [InventoryRecord(v, 1, 5, 5, None, None) for v in range(1, 501)]
    cache.inventory.replace_all(stock)
    with cache.read() as db:
        before = db.conn.total_changes
    changed = list(stock)
    changed[7] = InventoryRecord(8, 1, 4, 4, None, None)
    assert cache.inventory.replace_all(changed) is True
    with cache.read() as db:
        assert db.conn.total_changes - before == 1  # one row updated, 499 untouched


def test_a_failed_bulk_write_leaves_the_table_as_it_was(cache: Cache) -> None:
    cache.products.replace_all([product(1)])
    cache.variants.replace_all([variant(11, 1)])
    # Variant 99 names a product that does not exist: the foreign key fails the whole write.
    with pytest.raises(sqlite3.IntegrityError), cache.transaction():
        cache.products.replace_all([product(1, name="Changed"), product(2)])
        cache.variants.replace_all([variant(11, 1), variant(99, 12345)])
    assert [p.name for p in cache.products.all()] == ["Product 1"]
    assert [v.id for v in cache.variants.all()] == [11]


def test_bulk_transaction_is_all_or_nothing(cache: Cache) -> None:
    cache.products.replace_all([product(1)])
    with pytest.raises(RuntimeError), cache.bulk_transaction():
        cache.products.replace_all([product(1, name="Changed"), product(2)])
        cache.variants.replace_all([variant(21, 2)])
        raise RuntimeError("the sync failed after writing")
    assert [p.name for p in cache.products.all()] == ["Product 1"]
    assert cache.variants.all() == []
    with cache.bulk_transaction():
        cache.products.replace_all([product(1), product(2)])
        cache.variants.replace_all([variant(21, 2)])
    assert [v.id for v in cache.variants.all()] == [21]
