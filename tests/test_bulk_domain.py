"""Bulk edit planning and input rules (pure): what changes, warnings, requests, CSV, templates."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backorder_desktop.domain.bulk import (
    AVAILABILITY,
    DESCRIPTION,
    LIMIT,
    PREORDER_MESSAGE,
    RELEASE_DATE,
    BatchSizes,
    ProductState,
    VariantEdit,
    VariantState,
    plan_bulk,
)
from backorder_desktop.domain.bulk_csv import read_csv, write_csv
from backorder_desktop.domain.bulk_input import (
    KEEP,
    BulkInputError,
    check_template,
    parse_eta,
    parse_limit,
    preorder_message,
    render_message,
)
from backorder_desktop.domain.models import UNLIMITED_BACKORDER_LIMIT

TODAY = date(2026, 6, 1)


def variant(vid: int, pid: int = 1, **kw: object) -> VariantState:
    values: dict[str, object] = {
        "variant_id": vid,
        "product_id": pid,
        "sku": f"SKU-{vid}",
        "label": f"Product {pid}",
        "tracked": True,
        "limit": None,
        "eta": None,
    }
    values.update(kw)
    return VariantState(**values)  # type: ignore[arg-type]


def product(pid: int, variant_ids: tuple[int, ...], **kw: object) -> ProductState:
    values: dict[str, object] = {
        "product_id": pid,
        "name": f"Product {pid}",
        "availability": "available",
        "variant_ids": variant_ids,
    }
    values.update(kw)
    return ProductState(**values)  # type: ignore[arg-type]


def plan(edits, variants, products, **kw):  # type: ignore[no-untyped-def]
    return plan_bulk(
        edits,
        {v.variant_id: v for v in variants},
        {p.product_id: p for p in products},
        native=kw.pop("native", True),
        location_id=1,
        today=TODAY,
        **kw,
    )


# --- input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("0", 0),
        (" 1,000 ", 1000),
        ("unlimited", UNLIMITED_BACKORDER_LIMIT),
        ("Unlimited", UNLIMITED_BACKORDER_LIMIT),
        ("off", None),
        ("", None),
        ("2147483647", UNLIMITED_BACKORDER_LIMIT),
    ],
)
def test_limits_the_merchant_can_type(text: str, expected: int | None) -> None:
    assert parse_limit(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("-1", "negative"),
        ("2.5", "whole number"),
        ("ten", "whole number"),
        ("2147483648", "more than BigCommerce accepts"),
        ("99999999999999999999", "more than BigCommerce accepts"),
    ],
)
def test_bad_limits_are_refused_with_a_reason(text: str, says: str) -> None:
    with pytest.raises(BulkInputError, match=says):
        parse_limit(text)


def test_dates_must_be_real_iso_dates() -> None:
    assert parse_eta("2026-02-28") == date(2026, 2, 28)
    assert parse_eta("") is None
    with pytest.raises(BulkInputError, match="not a real date"):
        parse_eta("2026-02-30")
    with pytest.raises(BulkInputError, match="YYYY-MM-DD"):
        parse_eta("30/02/2026")


def test_message_templates_fill_in_the_eta_and_nothing_else() -> None:
    assert render_message("Ships by {eta:%b %d}", date(2026, 12, 24)) == "Ships by Dec 24"
    assert render_message("Ships {eta}", date(2026, 12, 24)) == "Ships 2026-12-24"
    assert render_message("Back soon {{promise}}", None) == "Back soon {promise}"
    assert render_message("Ships by {eta}", None) is None
    assert preorder_message("Ships by {eta:%b %d}!") == "Ships by %%DATE%%!"
    for bad in ("{eta.__class__}", "{sku}", "{0}", "{eta!r}", "Ships {", "x" * 256):
        with pytest.raises(BulkInputError):
            check_template(bad)


# --- planning ------------------------------------------------------------------------------


def test_plan_lists_each_change_and_the_unchanged_variants() -> None:
    variants = [variant(1, limit=5), variant(2, limit=None), variant(3, tracked=False)]
    edits = {vid: VariantEdit(limit=5) for vid in (1, 2, 3)}
    result = plan(edits, variants, [product(1, (1, 2, 3))])
    assert [(c.id, c.field, c.before, c.after) for c in result.changes] == [(2, LIMIT, None, 5)]
    assert result.unchanged == (1,)
    assert result.skipped == ((3, "inventory is not tracked, so backorders do not apply"),)
    assert result.requests.location_items == 1 and result.requests.total == 1


def test_warnings_for_past_etas_and_limits_below_waiting_units() -> None:
    variants = [variant(1, waiting=4, limit=10), variant(2, waiting=0)]
    edits = {
        1: VariantEdit(limit=2, eta=date(2026, 5, 1)),
        2: VariantEdit(limit=2, eta=date(2026, 7, 1)),
    }
    result = plan(edits, variants, [product(1, (1, 2))])
    codes = {w.code: w for w in result.warnings}
    assert codes["eta_in_past"].ids == (1,)
    assert "2026-05-01" in codes["eta_in_past"].message
    assert codes["limit_below_waiting"].ids == (1,)
    assert "4 waiting" in codes["limit_below_waiting"].message


def test_message_uses_the_latest_eta_of_the_backordered_variants() -> None:
    variants = [
        variant(1, limit=5, eta=date(2026, 7, 1)),
        variant(2, limit=None, eta=date(2026, 9, 1)),  # not backordered: ignored
        variant(3, limit=UNLIMITED_BACKORDER_LIMIT, eta=date(2026, 8, 15)),
    ]
    edits = {1: VariantEdit(message="Ships by {eta:%b %d}")}
    result = plan(edits, variants, [product(1, (1, 2, 3))])
    (change,) = result.changes
    assert (change.kind, change.field, change.after) == ("product", DESCRIPTION, "Ships by Aug 15")
    assert result.requests.products == 1


def test_eta_set_in_the_same_edit_feeds_the_message() -> None:
    variants = [variant(1), variant(2)]
    edits = {
        1: VariantEdit(limit=3, eta=date(2026, 7, 4), message="Ships {eta:%d %B}"),
        2: VariantEdit(limit=3, eta=date(2026, 7, 4), message="Ships {eta:%d %B}"),
    }
    result = plan(edits, variants, [product(1, (1, 2))])
    assert [c.after for c in result.of("product", DESCRIPTION)] == ["Ships 04 July"]
    assert result.requests.eta_create == 1 and result.requests.location_items == 1


def test_message_needing_an_eta_is_left_alone_with_a_warning() -> None:
    result = plan(
        {1: VariantEdit(message="Ships by {eta}")}, [variant(1, limit=4)], [product(1, (1,))]
    )
    assert result.empty
    assert [w.code for w in result.warnings] == ["message_without_eta"]


def test_two_messages_for_one_product_are_refused() -> None:
    variants = [variant(1), variant(2)]
    edits = {1: VariantEdit(message="A"), 2: VariantEdit(message="B")}
    with pytest.raises(BulkInputError, match="belongs to the product"):
        plan(edits, variants, [product(1, (1, 2))])


def test_a_message_over_255_characters_after_filling_in_is_refused() -> None:
    template = "x" * 250 + "{eta:%A}"
    variants = [variant(1, limit=2, eta=date(2026, 7, 1))]
    with pytest.raises(BulkInputError, match="255"):
        plan({1: VariantEdit(message=template)}, variants, [product(1, (1,))])


def test_eta_writes_are_split_into_creates_updates_and_deletes() -> None:
    variants = [
        variant(1, eta=None),
        variant(2, eta=date(2026, 7, 1), eta_field_id=70),
        variant(3, eta=date(2026, 7, 1), eta_field_id=71),
    ]
    edits = {
        1: VariantEdit(eta=date(2026, 8, 1)),
        2: VariantEdit(eta=date(2026, 8, 1)),
        3: VariantEdit(eta=None),
    }
    r = plan(edits, variants, [product(1, (1, 2, 3))]).requests
    assert (r.eta_create, r.eta_update, r.eta_delete) == (1, 1, 1)


def test_preorder_mode_uses_the_product_fields() -> None:
    variants = [variant(1, eta=date(2026, 7, 1)), variant(2, eta=date(2026, 9, 30))]
    edits = {1: VariantEdit(limit=5, message="Ships {eta:%b %d}")}
    result = plan(edits, variants, [product(1, (1, 2))], native=False)
    after = {c.field: c.after for c in result.changes}
    assert after == {
        AVAILABILITY: "preorder",
        RELEASE_DATE: datetime(2026, 9, 30, tzinfo=UTC),
        PREORDER_MESSAGE: "Ships %%DATE%%",
    }
    assert LIMIT not in after
    assert "preorder_mode" in {w.code for w in result.warnings}


def test_preorder_mode_never_puts_a_disabled_product_on_sale() -> None:
    result = plan(
        {1: VariantEdit(limit=5)},
        [variant(1)],
        [product(1, (1,), availability="disabled")],
        native=False,
    )
    assert result.empty
    assert result.skipped == ((1, "the product is disabled in BigCommerce"),)


def test_explicit_product_values_win_and_conflicts_can_be_left_out() -> None:
    variants = [variant(1, limit=None)]
    products = [product(1, (1,), availability_description="Old")]
    result = plan(
        {1: VariantEdit(limit=8)},
        variants,
        products,
        product_edits={1: {DESCRIPTION: "Restored"}},
        exclude=[("variant", 1, LIMIT)],
    )
    assert [(c.field, c.after) for c in result.changes] == [(DESCRIPTION, "Restored")]


@settings(max_examples=30, deadline=None)
@given(
    limits=st.integers(0, 4500),
    creates=st.integers(0, 300),
    products=st.integers(0, 60),
)
def test_requests_are_the_minimum_for_each_endpoint(
    limits: int, creates: int, products: int
) -> None:
    sizes = BatchSizes()
    count = max(limits, creates, products)
    # One product per variant, so every message goes to its own product.
    variants = {i: variant(i, pid=i) for i in range(count)}
    products_by_id = {i: product(i, (i,)) for i in range(count)}
    edits = {
        i: VariantEdit(
            limit=3 if i < limits else KEEP,
            eta=date(2026, 7, 1) if i < creates else KEEP,
            message="Soon" if i < products else KEEP,
        )
        for i in range(count)
    }
    result = plan_bulk(
        edits, variants, products_by_id, native=True, location_id=1, today=TODAY, sizes=sizes
    )
    r = result.requests
    assert r.location_items == math.ceil(limits / sizes.location_items)
    assert r.eta_create == math.ceil(creates / sizes.metafields)
    assert r.products == math.ceil(products / sizes.products)
    assert r.total == r.location_items + r.eta_create + r.products


# --- CSV -----------------------------------------------------------------------------------


def test_csv_rows_become_edits_and_bad_rows_get_reasons() -> None:
    data = (
        b"sku,limit,eta,message\r\n"
        b"A-1,5,2026-07-01,Ships {eta}\r\n"
        b"A-2,unlimited,,\r\n"
        b"A-3,off,clear,clear\r\n"
        b"B-1,-4,,\r\n"
        b"B-2,3,2026-13-01,\r\n"
        b"A-1,2,,\r\n"
        b",1,,\r\n"
        b"B-3,,,\r\n"
    )
    result = read_csv(data)
    assert [(r.line, r.sku) for r in result.rows] == [(2, "A-1"), (3, "A-2"), (4, "A-3")]
    assert result.rows[0].edit == VariantEdit(limit=5, eta=date(2026, 7, 1), message="Ships {eta}")
    assert result.rows[2].edit == VariantEdit(limit=None, eta=None, message="")
    reasons = {p.line: p.reason for p in result.problems}
    assert "negative" in reasons[5]
    assert "not a real date" in reasons[6]
    assert "already given on line 2" in reasons[7]
    assert reasons[8] == "no SKU"
    assert "no limit, ETA or message" in reasons[9]


def test_csv_with_a_wrong_header_or_encoding_is_refused_whole() -> None:
    with pytest.raises(BulkInputError, match="header"):
        read_csv(b"code,limit\r\nA,1\r\n")
    with pytest.raises(BulkInputError, match="unknown column"):
        read_csv(b"sku,limit,colour\r\nA,1,red\r\n")
    with pytest.raises(BulkInputError, match="not UTF-8"):
        read_csv("sku,message\r\nA,Livraison prévue\r\n".encode("cp1252"))
    with pytest.raises(BulkInputError, match="UTF-16"):
        read_csv("sku,limit\r\nA,1\r\n".encode("utf-16"))


def test_export_reads_back_as_the_same_edits() -> None:
    text = write_csv(
        [
            ("A-1", 5, date(2026, 7, 1), "Ships {soon}", "Mug", "Red", 3, 0, 1),
            ("A-2", UNLIMITED_BACKORDER_LIMIT, None, "", "Mug", "Blue", 0, 2, 2),
            ("A-3", None, None, "Plain", "Cup", "", 1, "", 0),
        ]
    )
    back = read_csv(("\ufeff" + text).encode("utf-8"))
    assert not back.problems
    edits = {r.sku: r.edit for r in back.rows}
    assert edits["A-1"].limit == 5 and edits["A-1"].eta == date(2026, 7, 1)
    assert render_message(edits["A-1"].message, None) == "Ships {soon}"  # type: ignore[arg-type]
    assert edits["A-2"].limit == UNLIMITED_BACKORDER_LIMIT
    assert edits["A-3"].limit is None and edits["A-3"].message == "Plain"


def test_semicolon_csv_from_a_european_spreadsheet_reads_too() -> None:
    result = read_csv(b"sku;limit;eta\r\nA-1;4;2026-07-01\r\n")
    assert result.rows[0].edit.limit == 4
