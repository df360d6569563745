"""The outbox: queued writes survive crashes, go out in order, retry, fail, and can be fixed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backorder_desktop.cache import Cache, open_cache
from backorder_desktop.cache.stock_writes import queued_deltas
from tests.support.outbox import enqueue_request

PATH = "/v3/catalog/variants"


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with open_cache(tmp_path / "store.sqlite") as c:
        yield c


def later(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def test_enqueue_and_claim_in_order_with_bodies_intact(cache: Cache) -> None:
    body = [{"id": 11, "price": 19.99, "name": "Café crème"}]
    first = enqueue_request(cache.outbox, "batch-1", "variants", "PUT", PATH, body)
    second = enqueue_request(
        cache.outbox, "batch-1", "order_status", "put", "/v2/orders/7", {"status_id": 9}
    )
    assert cache.outbox.counts() == {"pending": 2, "sending": 0, "sent": 0, "failed": 0}

    rows = cache.outbox.claim_due(10)
    assert [r.id for r in rows] == [first, second]
    assert rows[0].body == body
    assert (rows[1].action, rows[1].resource, rows[1].target) == ("update", "order", 7)
    assert {r.state for r in rows} == {"sending"}
    assert cache.outbox.counts()["sending"] == 2

    assert cache.outbox.mark_sent(first)
    assert cache.outbox.mark_sent(second)
    assert cache.outbox.counts() == {"pending": 0, "sending": 0, "sent": 2, "failed": 0}
    sent = cache.outbox.get(first)
    assert sent is not None and sent.attempts == 1 and sent.last_error is None


def test_claim_respects_limit(cache: Cache) -> None:
    ids = [enqueue_request(cache.outbox, "b", "k", "PUT", PATH, [{"id": i}]) for i in range(5)]
    assert [r.id for r in cache.outbox.claim_due(2)] == ids[:2]


def test_retry_backs_off_and_blocks_later_rows(cache: Cache) -> None:
    first = enqueue_request(cache.outbox, "b", "k", "PUT", PATH, [{"id": 1, "price": 5}])
    enqueue_request(cache.outbox, "b", "k", "PUT", PATH, [{"id": 1, "price": 7}])
    cache.outbox.claim_due(1)
    assert cache.outbox.mark_retry(first, "503 from BigCommerce", delay_s=60)

    row = cache.outbox.get(first)
    assert row is not None
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "503 from BigCommerce")
    assert row.next_attempt_at > datetime.now(UTC) + timedelta(seconds=50)
    # The later write to the same variant must not overtake the earlier one.
    assert cache.outbox.claim_due(10) == []
    assert cache.outbox.next_due_at() == row.next_attempt_at
    assert [r.id for r in cache.outbox.claim_due(10, now=later(120))][0] == first


def test_no_second_drain_while_rows_are_sending(cache: Cache) -> None:
    enqueue_request(cache.outbox, "b", "k", "PUT", PATH, [{"id": 1}])
    enqueue_request(cache.outbox, "b", "k", "PUT", PATH, [{"id": 2}])
    assert len(cache.outbox.claim_due(1)) == 1
    assert cache.outbox.claim_due(10) == []


def test_release_returns_untried_rows_without_counting_an_attempt(cache: Cache) -> None:
    ids = [enqueue_request(cache.outbox, "b", "k", "PUT", PATH, [{"id": i}]) for i in range(3)]
    cache.outbox.claim_due(3)
    cache.outbox.mark_sent(ids[0])
    cache.outbox.release(ids[1:])
    rows = cache.outbox.rows("pending")
    assert [(r.id, r.attempts) for r in rows] == [(ids[1], 0), (ids[2], 0)]
    assert [r.id for r in cache.outbox.claim_due(10)] == ids[1:]


def test_failed_row_waits_for_the_user_then_retry_or_discard(cache: Cache) -> None:
    bad = enqueue_request(cache.outbox, "b", "k", "PUT", PATH, [{"id": 1, "price": -1}])
    good = enqueue_request(cache.outbox, "b", "k", "PUT", PATH, [{"id": 2, "price": 3}])
    cache.outbox.claim_due(1)
    cache.outbox.mark_failed(bad, "price: must be at least 0")
    # A failed row does not block the rest of the queue.
    assert [r.id for r in cache.outbox.claim_due(10)] == [good]
    cache.outbox.mark_sent(good)
    failed = cache.outbox.rows("failed")
    assert [(r.id, r.last_error) for r in failed] == [(bad, "price: must be at least 0")]

    assert cache.outbox.retry(bad)
    assert cache.outbox.counts()["pending"] == 1
    assert [r.id for r in cache.outbox.claim_due(10)] == [bad]
    cache.outbox.mark_failed(bad, "still wrong")
    assert cache.outbox.discard(bad)
    assert cache.outbox.counts() == {"pending": 0, "sending": 0, "sent": 1, "failed": 0}


def test_cannot_discard_a_row_being_sent(cache: Cache) -> None:
    row_id = enqueue_request(cache.outbox, "b", "k", "PUT", PATH, [{"id": 1}])
    cache.outbox.claim_due(1)
    assert cache.outbox.discard(row_id) is False
    assert cache.outbox.retry(row_id) is False  # only failed rows can be retried
    assert cache.outbox.counts()["sending"] == 1


def test_rows_left_sending_by_a_crash_go_back_to_pending_on_open(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    cache = open_cache(path)
    row_id = enqueue_request(cache.outbox, "b", "k", "PUT", PATH, [{"id": 1}])
    cache.outbox.claim_due(1)
    cache.close()  # the app died mid-send

    with open_cache(path) as reopened:
        assert reopened.outbox.counts()["pending"] == 1
        assert [r.id for r in reopened.outbox.claim_due(10)] == [row_id]


def test_reset_sending_counts_rows(cache: Cache) -> None:
    for i in range(3):
        enqueue_request(cache.outbox, "b", "k", "PUT", PATH, [{"id": i}])
    cache.outbox.claim_due(2)
    assert cache.outbox.reset_sending() == 2
    assert cache.outbox.counts()["pending"] == 3


def test_only_writes_are_accepted_and_relative_stock_only_as_a_post(cache: Cache) -> None:
    # Relative stock changes are queued (sync/stock_push.py reads back before a second try).
    with pytest.raises(ValueError, match="relative"):
        enqueue_request(
            cache.outbox, "b", "k", "PUT", "/v3/inventory/adjustments/relative", {"items": []}
        )
    with pytest.raises(ValueError):
        enqueue_request(cache.outbox, "b", "k", "GET", PATH, None)
    with pytest.raises(ValueError):
        enqueue_request(cache.outbox, "b", "k", "PUT", "https://elsewhere.example/v3/x", {})
    # Rows are typed operations: no URL, no read, only the actions the encoder knows.
    with pytest.raises(ValueError, match="not a path"):
        cache.outbox.enqueue("b", "k", "update", "/v3/catalog/products", [])
    with pytest.raises(ValueError):
        cache.outbox.enqueue("b", "k", "GET", "products", None)
    assert cache.outbox.counts()["pending"] == 0


def test_relative_stock_and_note_appends_are_typed_operations(cache: Cache) -> None:
    from backorder_desktop.bigcommerce import operations as ops

    items = [{"variant_id": 7, "location_id": 1, "quantity": 2}]
    stock = ops.adjust_stock(items, "receipt")
    note = ops.append_staff_note(12, "Released", {"status_id": 9})
    for op in (stock, note):
        cache.outbox.enqueue("b", "k", op.action, op.resource, op.payload, target=op.target)
    rows = cache.outbox.rows()
    assert [(r.action, r.resource, r.target) for r in rows] == [
        ("create", "stock_changes", None),
        ("update", "order", 12),
    ]
    assert ops.is_stock_change(stock) and not ops.is_stock_change(ops.set_stock(items))
    assert ops.appends_staff_note(note) and not ops.appends_staff_note(ops.update_order(12, {}))
    # The one encoder: a POST of deltas, and a PUT of the order (the append is resolved to the
    # order's current notes right before sending, sync/order_notes.py).
    assert (ops.encode(stock).method, ops.encode(stock).path) == (
        "POST",
        "/v3/inventory/adjustments/relative",
    )
    assert ops.encode(note).path == "/v2/orders/12"


def test_no_row_holds_a_url_path(cache: Cache) -> None:
    enqueue_request(cache.outbox, "b", "k", "PUT", "/v2/orders/7", {"status_id": 9})
    enqueue_request(cache.outbox, "b", "k", "PUT", "/v3/inventory/locations/3/items", {})
    columns = {c.name for c in cache.db["outbox"].columns}  # type: ignore[union-attr]
    assert "path" not in columns and "method" not in columns
    rows = cache.outbox.rows()
    assert [(r.action, r.resource, r.target) for r in rows] == [
        ("update", "order", 7),
        ("set", "location_items", 3),
    ]


def test_purge_sent_keeps_work(cache: Cache) -> None:
    sent = enqueue_request(cache.outbox, "b", "k", "PUT", PATH, [{"id": 1}])
    enqueue_request(cache.outbox, "b", "k", "PUT", PATH, [{"id": 2}])
    cache.outbox.claim_due(1)
    cache.outbox.mark_sent(sent)
    assert cache.outbox.purge_sent(later(1)) == 1
    assert cache.outbox.counts() == {"pending": 1, "sending": 0, "sent": 0, "failed": 0}


def test_rows_filter_by_batch(cache: Cache) -> None:
    a = enqueue_request(cache.outbox, "a", "k", "PUT", PATH, [{"id": 1}])
    enqueue_request(cache.outbox, "b", "k", "PUT", PATH, [{"id": 2}])
    assert [r.id for r in cache.outbox.rows(batch_id="a")] == [a]


def test_rows_queued_as_raw_http_by_an_older_version_become_operations(tmp_path: Path) -> None:
    from backorder_desktop.cache.schema import MIGRATIONS

    path = tmp_path / "old.sqlite"
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # cache/codec.utc_text
    with open_cache(path, migrations=MIGRATIONS[:2]) as old:  # the v2 outbox: method + path
        for method, url, body in [
            ("PUT", "/v2/orders/12", '{"status_id": 9}'),
            ("POST", "/v3/orders/metafields", '[{"key": "notices"}]'),
            ("PUT", "/v3/inventory/locations/1/items", '{"settings": []}'),
            ("PUT", "/v3/inventory/adjustments/absolute", '{"items": []}'),
            ("PUT", "/v3/somewhere/else", "{}"),
            (
                "POST",
                "/v3/inventory/adjustments/relative",
                '{"items": [{"variant_id": 7, "location_id": 1, "quantity": 3}]}',
            ),
        ]:
            old.db.execute(
                "INSERT INTO outbox (batch_id, kind, method, path, body, created_at, updated_at,"
                " next_attempt_at) VALUES ('b', 'k', ?, ?, ?, ?, ?, ?)",
                [method, url, body, now, now, now],
            )
    with open_cache(path) as cache:
        rows = cache.outbox.rows()
        assert [(r.action, r.resource, r.target) for r in rows[:4]] == [
            ("update", "order", 12),
            ("create", "metafields:order", None),
            ("set", "location_items", 1),
            ("set", "stock", None),
        ]
        assert rows[0].body == {"status_id": 9} and rows[0].state == "pending"
        # A row this app never queues is kept for the merchant to see and discard.
        assert rows[4].state == "failed" and "/v3/somewhere/else" in (rows[4].last_error or "")
        # A relative stock change queued before v3 stays a stock change (v4 adds its read-back
        # table): still pending, still counted on top of the store's stock.
        assert (rows[5].action, rows[5].resource, rows[5].state) == (
            "create",
            "stock_changes",
            "pending",
        )
        assert cache.schema_version == len(MIGRATIONS) == 5
        assert [(d.variant_id, d.on_hand) for d in queued_deltas(cache)] == [(7, 3)]
