"""The bulk preview's ETA effects: the ETA in force before and after, and the delays it causes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from backorder_desktop.cache import Cache
from backorder_desktop.domain.bulk import ETA, RELEASE_DATE, Plan
from backorder_desktop.domain.bulk_types import Notice
from backorder_desktop.domain.eta import UNKNOWN, Eta
from backorder_desktop.domain.eta_moves import eta_moves
from backorder_desktop.services.backorder_rows import next_unit_etas
from backorder_desktop.services.bulk.bulk_queue import queue_plan
from backorder_desktop.services.notices.eta_preview import trial
from backorder_desktop.services.queue import QueueState


def with_eta_effects(cache: Cache, plan: Plan, *, today: date | None = None) -> Plan:
    """The plan with, per variant whose ETA changes, the ETA in force before and after (from
    whichever source: shipment, manual, pre-order date, lead time; see `in_force`) and a
    warning naming the
    waiting lines it makes later and the customers who will get a delay notice."""
    touched = {c.id for c in plan.of("variant", ETA)}
    products = {c.id for c in plan.of("product", RELEASE_DATE)}
    if not touched and not products:
        return plan
    before, after = trial(
        cache, lambda c: queue_plan(c, plan, "eta-preview", summary=""), today=today
    )
    variants = {
        vid: (state.sku, state.product_id)
        for vid, state in plan.variants.items()
        if vid in touched or state.product_id in products
    }
    was, now = in_force(before, variants), in_force(after, variants)

    def shown(eta: Eta) -> tuple[date | None, str]:
        return eta.date, "" if eta.source == UNKNOWN else eta.label

    effects = {vid: (shown(was[vid]), shown(now[vid])) for vid in sorted(variants)}
    moves = eta_moves(before.queue, after.queue)
    later = [m for m in moves if m.later]
    warnings = list(plan.warnings)
    if later:
        told = {m.order_id for m in later if m.delay_due}
        customers = {m.customer_name for m in later}
        warnings.append(
            Notice(
                "eta_later_for_waiting",
                f"{len(later)} waiting line(s) of {len(customers)} customer(s) get a later ETA; "
                f"{len(told)} customer(s) will get a delay notice.",
                tuple(sorted({vid for m in later for vid in _variant_of(plan, m.sku)})),
            )
        )
    return replace(plan, eta_in_force=effects, warnings=tuple(warnings))


def in_force(state: QueueState, variants: dict[int, tuple[str, int]]) -> dict[int, Eta]:
    """Per variant: the ETA of its last waiting line (what its customers wait for), or, with
    nobody waiting, the ETA one more unit ordered now would get."""
    out = next_unit_etas(state, variants)
    for line in state.queue:  # queue order: the last line of a variant wins
        if line.variant_id in out:
            out[line.variant_id] = Eta(line.eta, line.eta_source, line.eta_ref)
    return out


def _variant_of(plan: Plan, sku: str) -> list[int]:
    return [vid for vid, state in plan.variants.items() if state.sku == sku]
