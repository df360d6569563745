"""Bulk backorder edits: preview from the cache, apply after a conflict check, history and undo."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from backorder_desktop.bigcommerce.errors import OfflineError
from backorder_desktop.cache import Cache
from backorder_desktop.domain.bulk import (
    ETA,
    LIMIT,
    RELEASE_DATE,
    Plan,
    VariantEdit,
    plan_bulk,
)
from backorder_desktop.domain.bulk_input import KEEP, BulkInputError, Keep
from backorder_desktop.services.bulk.bulk_eta import with_eta_effects
from backorder_desktop.services.bulk.bulk_queue import SIZES, Queued, queue_plan
from backorder_desktop.services.bulk.bulk_reread import (
    RereadClient,
    StaleValue,
    Touches,
    find_conflicts,
    merge,
    reread,
    wanted_fields,
)
from backorder_desktop.services.bulk.bulk_snapshot import (
    Snapshot,
    load_snapshot,
    location_id_for,
    store_is_native,
)
from backorder_desktop.services.bulk.bulk_state import HISTORY_KIND, outbox_targets

MINE, THEIRS = "mine", "theirs"


@dataclass(frozen=True)
class BulkRequest:
    """What the merchant asked for: an edit per variant (and, for undo, exact product fields)."""

    edits: Mapping[int, VariantEdit]
    location_id: int | None = None
    product_edits: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    summary: str = ""
    undo_of: str | None = None


@dataclass
class ApplyOutcome:
    plan: Plan
    conflicts: list[StaleValue] = field(default_factory=list)
    queued: Queued | None = None
    reread_requests: int = 0
    offline: bool = False  # queued without re-reading the store (it could not be reached)

    @property
    def applied(self) -> bool:
        return self.queued is not None

    @property
    def batch_id(self) -> str | None:
        return self.queued.batch_id if self.queued else None


def _today(today: date | None) -> date:
    return today or date.today()


def _plan(
    request: BulkRequest,
    snap: Snapshot,
    native: bool,
    location_id: int,
    today: date,
    exclude: set[tuple[str, int, str]] | None = None,
) -> Plan:
    return plan_bulk(
        request.edits,
        snap.variants,
        snap.products,
        native=native,
        location_id=location_id,
        today=today,
        product_edits=request.product_edits,
        exclude=exclude or set(),
        sizes=SIZES,
    )


def _validate(request: BulkRequest) -> None:
    if not request.edits and not request.product_edits:
        raise BulkInputError("Nothing is selected: choose the variants to change.")


def preview(cache: Cache, request: BulkRequest, *, today: date | None = None) -> Plan:
    """What applying would change, from the cache alone (no network, nothing written)."""
    _validate(request)
    location_id = location_id_for(cache, request.location_id)
    native = store_is_native(cache)
    snap = load_snapshot(cache, request.edits, location_id)
    plan = _plan(request, snap, native, location_id, _today(today))
    # The ETA in force before/after and the delays it causes (issue 14).
    return with_eta_effects(cache, plan, today=today)


def apply(
    client: RereadClient,
    cache: Cache,
    request: BulkRequest,
    *,
    resolutions: Mapping[tuple[str, int, str], str] | None = None,
    today: date | None = None,
) -> ApplyOutcome:
    """Re-read the touched values from BigCommerce; queue the edit unless conflicts are open.

    Conflicts (values someone changed in BigCommerce since the last sync) come back unresolved
    with nothing written; call again with `resolutions` mapping each conflict key to "mine"
    (write the edit anyway) or "theirs" (keep BigCommerce's value). Then one cache transaction
    holds the fresh store values, the optimistic change, the outbox rows and the history entry.
    The caller pushes the outbox.
    """
    _validate(request)
    day = _today(today)
    location_id = location_id_for(cache, request.location_id)
    native = store_is_native(cache)
    cached = load_snapshot(cache, request.edits, location_id)
    cached_plan = _plan(request, cached, native, location_id, day)
    touches = Touches.of(request.edits.values(), bool(request.product_edits), native)
    start = client.request_count
    store, online = reread_or_cached(client, cached, request.edits, location_id, touches)
    reads = client.request_count - start

    targets = outbox_targets(cache)
    in_flight = targets.in_flight("variant")
    products_in_flight = targets.in_flight("product")
    planned = {(c.kind, c.id, c.field): c.after for c in cached_plan.changes}
    wanted = wanted_fields(request.edits, request.product_edits, cached.variants, native)
    conflicts = find_conflicts(
        cached,
        store,
        planned,
        wanted,
        in_flight=in_flight,
        products_in_flight=products_in_flight,
    )
    chosen = dict(resolutions or {})
    if any(c.key not in chosen for c in conflicts):
        # Stock settings change in no listing's dates: the next sync reads these variants'
        # stock even before its hourly sweep (sync/stock_reads.py), so "sync, then try again"
        # finds the values the store holds.
        cache.sync_state.mark_stale_stock(c.id for c in conflicts if c.kind == "variant")
        return ApplyOutcome(cached_plan, conflicts, None, reads)
    exclude = {c.key for c in conflicts if chosen[c.key] == THEIRS}
    baseline = merge(cached, store, in_flight, products_in_flight)
    plan = _plan(request, baseline, native, location_id, day, exclude)
    scope = set(request.edits) - in_flight
    queued = queue_plan(
        cache,
        plan,
        uuid.uuid4().hex,
        summary=request.summary or describe(request, plan),
        undo_of=request.undo_of,
        store=store,
        refresh_scope=scope if online else set(),
        refresh=(touches.limits and native and online, touches.etas and online),
    )
    return ApplyOutcome(plan, conflicts, queued, reads, offline=not online)


def reread_or_cached(
    client: RereadClient,
    cached: Snapshot,
    variant_ids: Iterable[int],
    location_id: int,
    touches: Touches,
) -> tuple[Snapshot, bool]:
    """The store's values now, or (offline) the cache's: the change is queued either way and
    goes out when the store is reachable (settings are absolute values with one owner)."""
    try:
        return reread(client, cached, variant_ids, location_id, touches), True
    except OfflineError:
        return cached, False


def describe(request: BulkRequest, plan: Plan) -> str:
    """A one-line summary for the history list."""
    parts = []
    edits = list(request.edits.values())
    limits = {e.limit for e in edits if e.limit is not KEEP}
    etas = {e.eta for e in edits if e.eta is not KEEP}
    messages = {e.message for e in edits if e.message is not KEEP}
    if len(limits) == 1:
        (limit,) = limits
        parts.append("backorders off" if limit is None else f"backorder limit {limit_word(limit)}")
    elif limits:
        parts.append("backorder limits")
    if len(etas) == 1:
        (eta,) = etas
        parts.append("ETA cleared" if eta is None else f"ETA {eta}")
    elif etas:
        parts.append("ETAs")
    if len(messages) == 1:
        (text,) = messages
        parts.append("message cleared" if not text else f"message '{text}'")
    elif messages:
        parts.append("messages")
    what = ", ".join(parts) or "product fields"
    return f"{what[:1].upper()}{what[1:]} for {len(request.edits)} variant(s)"


def limit_word(limit: object) -> str:
    from backorder_desktop.domain.bulk_csv import limit_text

    return limit_text(limit if isinstance(limit, int) else None)


# --- history and undo ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    batch_id: str
    created_at: datetime
    summary: str
    variants: int
    products: int
    requests: int
    undo_of: str | None
    undone_by: str | None
    state: str  # "sent" | "pending" | "failed" | "nothing to send"


def history(cache: Cache) -> list[HistoryEntry]:
    """Applied bulk edits, newest first, with whether each was undone and how its push went."""
    entries = cache.ledger.entries(HISTORY_KIND)
    undone: dict[str, str] = {}
    for e in entries:
        if e.ref and e.batch_id:
            undone.setdefault(e.ref, e.batch_id)
    states: dict[str, set[str]] = {}
    with cache.read() as db:
        for batch, state in db.execute("SELECT DISTINCT batch_id, state FROM outbox"):
            states.setdefault(batch, set()).add(state)
    out = []
    for e in reversed(entries):
        payload = e.payload if isinstance(e.payload, dict) else {}
        batch = e.batch_id or ""
        seen = states.get(batch, set())
        state = (
            "failed"
            if "failed" in seen
            else "pending"
            if seen & {"pending", "sending"}
            else "sent"
            if seen
            else "nothing to send"
        )
        out.append(
            HistoryEntry(
                batch_id=batch,
                created_at=e.created_at,
                summary=str(payload.get("summary", "")),
                variants=len(payload.get("variants") or {}),
                products=len(payload.get("products") or {}),
                requests=int(payload.get("requests") or 0),
                undo_of=payload.get("undo_of"),
                undone_by=undone.get(batch),
                state=state,
            )
        )
    return out


def undo_request(cache: Cache, batch_id: str) -> BulkRequest:
    """The edit that puts back every value a bulk change replaced, exactly as it was."""
    found = cache.ledger.entries(HISTORY_KIND, batch_id=batch_id)
    if not found:
        raise BulkInputError(f"There is no bulk change {batch_id} to undo.")
    payload = found[0].payload if isinstance(found[0].payload, dict) else {}
    edits: dict[int, VariantEdit] = {}
    for vid, fields in (payload.get("variants") or {}).items():
        limit = fields[LIMIT][0] if LIMIT in fields else KEEP
        eta: date | None | Keep = KEEP
        if ETA in fields:
            before = fields[ETA][0]
            eta = date.fromisoformat(before) if before else None
        edits[int(vid)] = VariantEdit(limit=limit, eta=eta)
    product_edits: dict[int, dict[str, Any]] = {}
    for pid, fields in (payload.get("products") or {}).items():
        values = {}
        for name, pair in fields.items():
            if name == "label":
                continue
            before = pair[0]
            if name == RELEASE_DATE and before:
                before = datetime.fromisoformat(before)
            values[name] = before
        product_edits[int(pid)] = values
    if product_edits:
        # Planning needs a variant of each product to reach it.
        family = cache.variants.for_products(product_edits)
        for v in family:
            edits.setdefault(v.id, VariantEdit())
    summary = str(payload.get("summary", ""))
    return BulkRequest(
        edits=edits,
        location_id=payload.get("location_id"),
        product_edits=product_edits,
        summary=f"Undo: {summary}" if summary else "Undo",
        undo_of=batch_id,
    )


def undo(
    client: RereadClient,
    cache: Cache,
    batch_id: str,
    *,
    resolutions: Mapping[tuple[str, int, str], str] | None = None,
    today: date | None = None,
) -> ApplyOutcome:
    return apply(client, cache, undo_request(cache, batch_id), resolutions=resolutions, today=today)


def last_undoable(cache: Cache) -> HistoryEntry | None:
    """The newest bulk change not undone yet (undos themselves can be undone: a redo)."""
    for entry in history(cache):
        if entry.undone_by is None:
            return entry
    return None
