"""The records of a bulk edit: states it starts from, edits, changes, the plan, request counts."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .bulk_input import KEEP, Keep

# Field names as BigCommerce spells them; "eta" is the app's variant metafield.
LIMIT = "backorder_limit"
ETA = "eta"
DESCRIPTION = "availability_description"
AVAILABILITY = "availability"
RELEASE_DATE = "preorder_release_date"
PREORDER_MESSAGE = "preorder_message"
PRODUCT_FIELDS = (DESCRIPTION, AVAILABILITY, RELEASE_DATE, PREORDER_MESSAGE)


@dataclass(frozen=True, slots=True)
class BatchSizes:
    """Items per request of each write endpoint (DESIGN.md; the client enforces the same)."""

    location_items: int = 2000
    metafields: int = 50
    products: int = 10


@dataclass(frozen=True, slots=True)
class VariantState:
    """What the app knows of one variant: its limit at the chosen location and its ETA."""

    variant_id: int
    product_id: int
    sku: str
    label: str  # product name and options, for people
    tracked: bool
    limit: int | None  # at the location; None: backorders off
    eta: date | None
    eta_field_id: int | None = None  # the `eta` metafield's id; None: none yet, < 0: being created
    waiting: int = 0  # units waiting in open orders


@dataclass(frozen=True, slots=True)
class ProductState:
    product_id: int
    name: str
    availability: str
    availability_description: str = ""
    preorder_release_date: datetime | None = None
    preorder_message: str = ""
    variant_ids: tuple[int, ...] = ()

    def value(self, name: str) -> Any:
        return getattr(self, name)


@dataclass(frozen=True, slots=True)
class VariantEdit:
    """What to do to one variant; KEEP leaves a field alone. `message` is a template."""

    limit: int | None | Keep = KEEP
    eta: date | None | Keep = KEEP
    message: str | Keep = KEEP


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # "variant" | "product"
    id: int
    label: str  # SKU of a variant, name of a product
    field: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning about the plan, with the variants or products it concerns."""

    code: str
    message: str
    ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RequestCount:
    location_items: int = 0
    eta_create: int = 0
    eta_update: int = 0
    eta_delete: int = 0
    products: int = 0

    @property
    def total(self) -> int:
        return (
            self.location_items
            + self.eta_create
            + self.eta_update
            + self.eta_delete
            + self.products
        )


@dataclass(frozen=True)
class Plan:
    native: bool
    location_id: int
    changes: tuple[Change, ...]
    unchanged: tuple[int, ...]  # variant ids asked for with nothing to change
    skipped: tuple[tuple[int, str], ...]  # (variant id, why)
    warnings: tuple[Notice, ...]
    requests: RequestCount
    variants: Mapping[int, VariantState] = field(default_factory=dict, repr=False)
    products: Mapping[int, ProductState] = field(default_factory=dict, repr=False)
    # Per variant whose ETA field changes: the ETA in force (any source) before and after,
    # as (date, label); filled by the service, which sees shipments and the queue (issue 14).
    eta_in_force: Mapping[int, tuple[tuple[date | None, str], tuple[date | None, str]]] = field(
        default_factory=dict, repr=False
    )

    @property
    def changed_variants(self) -> set[int]:
        return {c.id for c in self.changes if c.kind == "variant"}

    @property
    def changed_products(self) -> set[int]:
        return {c.id for c in self.changes if c.kind == "product"}

    def of(self, kind: str, field_name: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind and c.field == field_name]

    @property
    def empty(self) -> bool:
        return not self.changes


def count_requests(
    plan_changes: Iterable[Change], variants: Mapping[int, VariantState], sizes: BatchSizes
) -> RequestCount:
    limits = creates = updates = deletes = 0
    products: set[int] = set()
    for change in plan_changes:
        if change.kind == "product":
            products.add(change.id)
        elif change.field == LIMIT:
            limits += 1
        elif change.field == ETA:
            has_field = variants[change.id].eta_field_id is not None
            if change.after is None:
                deletes += 1
            elif has_field:
                updates += 1
            else:
                creates += 1

    def n(items: int, size: int) -> int:
        return math.ceil(items / size) if items else 0

    return RequestCount(
        location_items=n(limits, sizes.location_items),
        eta_create=n(creates, sizes.metafields),
        eta_update=n(updates, sizes.metafields),
        eta_delete=n(deletes, sizes.metafields),
        products=n(len(products), sizes.products),
    )
