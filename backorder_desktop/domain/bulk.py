"""Planning a bulk backorder edit: what changes, what stays, warnings and the requests it takes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from .bulk_input import (
    MESSAGE_MAX,
    BulkInputError,
    Keep,
    check_template,
    preorder_message,
    render_message,
)
from .bulk_types import (
    AVAILABILITY,
    DESCRIPTION,
    ETA,
    LIMIT,
    PREORDER_MESSAGE,
    PRODUCT_FIELDS,
    RELEASE_DATE,
    BatchSizes,
    Change,
    Notice,
    Plan,
    ProductState,
    RequestCount,
    VariantEdit,
    VariantState,
    count_requests,
)
from .storefront import rewrite_date

__all__ = [
    "LIMIT",
    "ETA",
    "DESCRIPTION",
    "AVAILABILITY",
    "RELEASE_DATE",
    "PREORDER_MESSAGE",
    "PRODUCT_FIELDS",
    "BatchSizes",
    "VariantState",
    "ProductState",
    "VariantEdit",
    "Change",
    "Notice",
    "RequestCount",
    "Plan",
    "count_requests",
    "plan_bulk",
    "release_datetime",
]


def release_datetime(eta: date) -> datetime:
    return datetime(eta.year, eta.month, eta.day, tzinfo=UTC)


def _same_release(before: datetime | None, after: datetime | None) -> bool:
    if before is None or after is None:
        return before is after
    return before.date() == after.date()


class _Planner:
    def __init__(
        self,
        variants: Mapping[int, VariantState],
        products: Mapping[int, ProductState],
        native: bool,
        today: date,
        exclude: frozenset[tuple[str, int, str]],
    ) -> None:
        self.variants = variants
        self.products = products
        self.native = native
        self.today = today
        self.exclude = exclude
        self.limit_after: dict[int, int | None] = {}
        self.eta_after: dict[int, date | None] = {}
        self.changes: list[Change] = []
        self.skipped: dict[int, str] = {}
        self.warnings: list[Notice] = []

    def excluded(self, kind: str, ident: int, name: str) -> bool:
        return (kind, ident, name) in self.exclude

    def limit(self, v: VariantState) -> int | None:
        return self.limit_after.get(v.variant_id, v.limit)

    def eta(self, v: VariantState) -> date | None:
        return self.eta_after.get(v.variant_id, v.eta)

    def variant_fields(self, edits: Mapping[int, VariantEdit]) -> None:
        for vid, edit in edits.items():
            v = self.variants[vid]
            if not isinstance(edit.limit, Keep) and not self.excluded("variant", vid, LIMIT):
                if self.native and not v.tracked:
                    self.skipped[vid] = "inventory is not tracked, so backorders do not apply"
                elif self.native:
                    self.limit_after[vid] = edit.limit
            if not isinstance(edit.eta, Keep) and not self.excluded("variant", vid, ETA):
                if v.eta_field_id is not None and v.eta_field_id < 0 and edit.eta != v.eta:
                    self.skipped[vid] = "its ETA is still being created in BigCommerce; push first"
                else:
                    self.eta_after[vid] = edit.eta
        for vid, after in self.limit_after.items():
            v = self.variants[vid]
            if after != v.limit:
                self.changes.append(Change("variant", vid, v.sku, LIMIT, v.limit, after))
        for vid, eta in self.eta_after.items():
            v = self.variants[vid]
            if eta != v.eta:
                self.changes.append(Change("variant", vid, v.sku, ETA, v.eta, eta))

    def latest_eta(
        self, p: ProductState, *, backordered_only: bool, before: bool = False
    ) -> date | None:
        """The latest ETA among the product's variants, after the edit (`before`: as it was)."""
        etas = []
        for vid in p.variant_ids:
            v = self.variants.get(vid)
            if v is None:
                continue
            limit = v.limit if before else self.limit(v)
            if backordered_only and (limit is None or limit <= 0):
                continue
            eta = v.eta if before else self.eta(v)
            if eta is not None:
                etas.append(eta)
        return max(etas) if etas else None

    def product_fields(
        self,
        edits: Mapping[int, VariantEdit],
        product_edits: Mapping[int, Mapping[str, Any]],
    ) -> None:
        templates: dict[int, str] = {}
        availability: dict[int, str] = {}
        for vid, edit in edits.items():
            v = self.variants[vid]
            if not isinstance(edit.message, Keep):
                known = templates.setdefault(v.product_id, edit.message)
                if known != edit.message:
                    raise BulkInputError(
                        f"Two different storefront messages were given for "
                        f"'{self.products[v.product_id].name}' (SKU {v.sku}); the message belongs "
                        "to the product, so give its variants the same one."
                    )
            if not self.native and not isinstance(edit.limit, Keep):
                wanted = "preorder" if edit.limit is not None and edit.limit > 0 else "available"
                known = availability.setdefault(v.product_id, wanted)
                if known != wanted:
                    availability[v.product_id] = "preorder"  # any variant asking for it wins
        for template in set(templates.values()):
            check_template(template)

        touched_etas = {self.variants[vid].product_id for vid in self.eta_after}
        pids = sorted(set(templates) | set(availability) | touched_etas | set(product_edits))
        no_eta: list[int] = []
        for pid in pids:
            p = self.products[pid]
            after: dict[str, Any] = {}
            explicit = product_edits.get(pid, {})
            if self.native and p.availability == "preorder":
                # A pre-order product: BigCommerce fills %%DATE%% from the release date, kept
                # equal to the ETA, so the text keeps its placeholder (issue 14: one truth).
                if pid in templates:
                    after[DESCRIPTION] = preorder_message(templates[pid])
                latest = self.latest_eta(p, backordered_only=False)
                if pid in touched_etas and latest is not None:
                    after[RELEASE_DATE] = release_datetime(latest)
                # An ETA cleared: the release date is the ETA in force again (domain.eta).
            elif self.native:
                if pid in templates:
                    text = render_message(templates[pid], self.latest_eta(p, backordered_only=True))
                    if text is None:
                        no_eta.append(pid)
                    else:
                        after[DESCRIPTION] = text
                elif pid in touched_etas:
                    # A date written into the text by an earlier template follows the ETA.
                    rewritten = rewrite_date(
                        p.availability_description,
                        self.latest_eta(p, backordered_only=True, before=True),
                        self.latest_eta(p, backordered_only=True),
                    )
                    if rewritten is not None:
                        after[DESCRIPTION] = rewritten
            else:
                if pid in availability:
                    if p.availability == "disabled" and availability[pid] == "preorder":
                        for vid in p.variant_ids:
                            if vid in edits:
                                self.skipped[vid] = "the product is disabled in BigCommerce"
                    else:
                        after[AVAILABILITY] = availability[pid]
                if after.get(AVAILABILITY, p.availability) == "preorder":
                    latest = self.latest_eta(p, backordered_only=False)
                    if pid in touched_etas or AVAILABILITY in after:
                        after[RELEASE_DATE] = release_datetime(latest) if latest else None
                    if pid in templates:
                        after[PREORDER_MESSAGE] = preorder_message(templates[pid])
                elif pid in templates:
                    no_eta.append(pid)
            after.update(explicit)
            for name in PRODUCT_FIELDS:
                if name not in after or self.excluded("product", pid, name):
                    continue
                before, value = p.value(name), after[name]
                if name == RELEASE_DATE and _same_release(before, value):
                    continue
                if value == before:
                    continue
                if isinstance(value, str) and len(value) > MESSAGE_MAX:
                    raise BulkInputError(
                        f"The storefront message for '{p.name}' would be {len(value)} characters "
                        f"long; BigCommerce keeps at most {MESSAGE_MAX}. Shorten the template."
                    )
                self.changes.append(Change("product", pid, p.name, name, before, value))
        if no_eta:
            what = "an ETA on a backordered variant" if self.native else "pre-order switched on"
            self.warnings.append(
                Notice(
                    "message_without_eta",
                    f"{len(no_eta)} product(s) have no {what}, so their storefront message is "
                    "left as it is.",
                    tuple(no_eta),
                )
            )

    def notices(self) -> None:
        past = sorted(
            vid for vid, eta in self.eta_after.items() if eta is not None and eta < self.today
        )
        past = [vid for vid in past if self.eta_after[vid] != self.variants[vid].eta]
        if past:
            first = min(self.eta_after[vid] or self.today for vid in past)
            self.warnings.append(
                Notice(
                    "eta_in_past",
                    f"{len(past)} variant(s) get an ETA in the past (earliest {first.isoformat()}).",
                    tuple(past),
                )
            )
        low = []
        for vid, limit in self.limit_after.items():
            v = self.variants[vid]
            if v.waiting > 0 and limit != v.limit and (limit is None or limit < v.waiting):
                low.append(vid)
        if low:
            sample = self.variants[low[0]]
            shown = "off" if self.limit_after[low[0]] is None else self.limit_after[low[0]]
            self.warnings.append(
                Notice(
                    "limit_below_waiting",
                    f"{len(low)} variant(s) get a backorder limit below the units already waiting "
                    f"(e.g. {sample.sku}: limit {shown}, {sample.waiting} waiting).",
                    tuple(low),
                )
            )


def plan_bulk(
    edits: Mapping[int, VariantEdit],
    variants: Mapping[int, VariantState],
    products: Mapping[int, ProductState],
    *,
    native: bool,
    location_id: int,
    today: date,
    product_edits: Mapping[int, Mapping[str, Any]] | None = None,
    exclude: Iterable[tuple[str, int, str]] = (),
    sizes: BatchSizes = BatchSizes(),  # noqa: B008 (frozen, immutable)
) -> Plan:
    """Everything the edit would change, from the states given (pure: no I/O).

    `variants` must hold every variant of every product an edit touches (a product's message and
    pre-order date come from the latest ETA among its variants). Native stores get the limit per
    variant at `location_id` and the message in `availability_description`; stores without
    native backorders get the product's pre-order fields instead, where `%%DATE%%` stands for
    the release date. `exclude` holds (kind, id, field) left alone (conflicts kept as the store
    has them). Raises BulkInputError for input that cannot be applied; then nothing is planned.
    """
    missing = [vid for vid in edits if vid not in variants]
    if missing:
        raise BulkInputError(f"{len(missing)} variant(s) are not in the local cache; sync first.")
    planner = _Planner(variants, products, native, today, frozenset(exclude))
    planner.variant_fields(edits)
    planner.product_fields(edits, product_edits or {})
    planner.notices()
    if not native and any(not isinstance(e.limit, Keep) for e in edits.values()):
        planner.warnings.append(
            Notice(
                "preorder_mode",
                "This store has no native backorders: enabling puts the whole product on "
                "pre-order (the limit is not used), disabling makes it available again.",
            )
        )
    changed = {c.id for c in planner.changes if c.kind == "variant"}
    changed_products = {c.id for c in planner.changes if c.kind == "product"}
    unchanged = tuple(
        sorted(
            vid
            for vid in edits
            if vid not in changed
            and vid not in planner.skipped
            and variants[vid].product_id not in changed_products
        )
    )
    return Plan(
        native=native,
        location_id=location_id,
        changes=tuple(planner.changes),
        unchanged=unchanged,
        skipped=tuple(sorted(planner.skipped.items())),
        warnings=tuple(planner.warnings),
        requests=count_requests(planner.changes, variants, sizes),
        variants=variants,
        products=products,
    )
