"""Issue 14, one truth on the storefront: an ETA set or cleared keeps the pre-order date, the
%%DATE%% messages and the availability text in step; contradicting texts are flagged."""

from __future__ import annotations

from datetime import UTC, date, datetime

from backorder_desktop.domain.bulk import (
    DESCRIPTION,
    ETA,
    RELEASE_DATE,
    ProductState,
    VariantEdit,
    VariantState,
    plan_bulk,
)
from backorder_desktop.domain.bulk_csv import read_csv
from backorder_desktop.domain.storefront import rewrite_date, storefront_flags

TODAY = date(2026, 12, 7)
JAN5, FEB11 = date(2027, 1, 5), date(2027, 2, 11)


def plan_for(edit: VariantEdit, product: ProductState, eta: date | None = None):  # type: ignore[no-untyped-def]
    variant = VariantState(1, 1, "SKU-1", "P", True, 10, eta)
    return plan_bulk({1: edit}, {1: variant}, {1: product}, native=True, location_id=1, today=TODAY)


def product_changes(plan) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {c.field: c.after for c in plan.changes if c.kind == "product"}


PREORDER = ProductState(
    1,
    "Notebook",
    "preorder",
    availability_description="Ships from %%DATE%%",
    preorder_release_date=datetime(2027, 2, 11, tzinfo=UTC),
    preorder_message="Pre-order now: ships from %%DATE%%",
    variant_ids=(1,),
)


def test_setting_an_eta_moves_the_pre_order_date_the_storefront_shows() -> None:
    changes = product_changes(plan_for(VariantEdit(eta=JAN5), PREORDER))
    assert changes == {RELEASE_DATE: datetime(2027, 1, 5, tzinfo=UTC)}  # %%DATE%% texts kept
    # Cleared, the pre-order date is the ETA in force again: nothing to rewrite.
    assert product_changes(plan_for(VariantEdit(eta=None), PREORDER, eta=JAN5)) == {}


def test_placeholders_stay_placeholders_also_through_a_csv_import() -> None:
    parsed = read_csv(b"sku,eta,message\nSKU-1,2027-01-05,Ships from %%DATE%%\n")
    [row] = parsed.rows
    changes = product_changes(plan_for(row.edit, PREORDER))
    assert DESCRIPTION not in changes or changes[DESCRIPTION] == "Ships from %%DATE%%"
    assert changes[RELEASE_DATE] == datetime(2027, 1, 5, tzinfo=UTC)
    # An {eta} template on a pre-order product becomes %%DATE%%, never a hard-coded date.
    templated = product_changes(
        plan_for(VariantEdit(eta=JAN5, message="Back {eta:%b %d}"), PREORDER)
    )
    assert templated[DESCRIPTION] == "Back %%DATE%%"


def test_a_date_written_into_the_availability_text_follows_the_eta() -> None:
    shelf = ProductState(
        1, "Mug", "available", availability_description="Ships by Dec 12", variant_ids=(1,)
    )
    old = date(2026, 12, 12)
    changes = product_changes(plan_for(VariantEdit(eta=JAN5), shelf, eta=old))
    assert changes == {DESCRIPTION: "Ships by Jan 05"}
    assert rewrite_date("Back on 12 December 2026.", old, JAN5) == "Back on 5 January 2027."
    assert rewrite_date("Ships from %%DATE%%", old, JAN5) is None
    assert [c.field for c in plan_for(VariantEdit(eta=JAN5), shelf, eta=old).changes] == [
        ETA,
        DESCRIPTION,
    ]


def test_in_stock_wording_while_customers_wait_is_flagged_with_a_fix() -> None:
    common = {"preorder_message": "", "release_date": None}
    [flag] = storefront_flags(
        availability="available",
        description="Usually ships in 24 hours.",
        waiting=3,
        eta=JAN5,
        **common,
    )
    assert flag.kind == "in_stock_wording" and "3 units are waiting" in flag.message
    one = storefront_flags(
        availability="available", description="In stock", waiting=1, eta=None, **common
    )
    assert "while 1 unit is waiting" in one[0].message
    assert flag.fix == {DESCRIPTION: "On backorder: ships from 5 January 2027."}
    unknown = storefront_flags(
        availability="available", description="In stock!", waiting=1, eta=None, **common
    )
    assert unknown[0].fix == {DESCRIPTION: "On backorder: we ship as soon as it arrives."}
    for quiet in (
        {"description": "Usually ships in 24 hours.", "waiting": 0},  # nobody waits: true
        {"description": "Not in stock: back soon", "waiting": 2},
        {"description": "On backorder", "waiting": 2},
    ):
        assert storefront_flags(availability="available", eta=JAN5, **common, **quiet) == []


def test_a_pre_order_date_earlier_than_the_eta_is_flagged_with_a_fix() -> None:
    early = datetime(2026, 12, 20, tzinfo=UTC)
    [flag] = storefront_flags(
        availability="preorder",
        description="Ships from %%DATE%%",
        preorder_message="Pre-order now: ships from %%DATE%%",
        release_date=early,
        waiting=2,
        eta=FEB11,
    )
    assert flag.kind == "preorder_before_eta" and "2026-12-20" in flag.message
    assert flag.fix == {RELEASE_DATE: datetime(2027, 2, 11, tzinfo=UTC)}
    assert (
        storefront_flags(
            availability="preorder",
            description="Ships from %%DATE%%",
            preorder_message="",
            release_date=datetime(2027, 2, 11, tzinfo=UTC),
            waiting=2,
            eta=FEB11,
        )
        == []
    )
