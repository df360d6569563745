"""The backorder queue assembled from the cache's records with the domain rules, once per read."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date

from backorder_desktop.cache import Cache
from backorder_desktop.cache.backorder_queue import QueueRecords, read_queue_records
from backorder_desktop.cache.notice_ledger import LedgerNotice
from backorder_desktop.domain.cancellations import Cancellation, taken_by_line
from backorder_desktop.domain.consent import NONE, Answer
from backorder_desktop.domain.eta import EtaCascade
from backorder_desktop.domain.models import BackorderLine, Order
from backorder_desktop.domain.notice_log import NoticeRecord, Told, told_by_line
from backorder_desktop.domain.notices import Release
from backorder_desktop.domain.queue import build_queue


@dataclass
class QueueState:
    """The queue with ETAs and what was told, plus what notices and views need beside it."""

    queue: list[BackorderLine]
    cascade: EtaCascade
    orders: dict[int, Order] = field(default_factory=dict)  # open orders
    logs: dict[int, list[NoticeRecord]] = field(default_factory=dict)
    ledger: list[LedgerNotice] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    partial: set[int] = field(default_factory=set)
    cancellations: list[Cancellation] = field(default_factory=list)
    answers: dict[int, list[Answer]] = field(default_factory=dict)  # consent, per order
    policy: str = NONE  # the delay policy in force (domain.consent)
    # None: the whole store. Else (a targeted reload) the variants whose queue lines this holds,
    # each queue complete, and the orders whose every line is among them.
    variants: frozenset[int] | None = None
    complete_orders: frozenset[int] | None = None


def assemble_queue(records: QueueRecords, *, today: date | None = None) -> QueueState:
    """The domain rules over the records: queue order, allocation, ETA cascade, what was told.

    Records read for some variants (`read_queue_records`) give those variants' lines only: the
    queues of other variants may miss orders."""
    cascade = EtaCascade(
        records.shipments,
        suppliers=records.suppliers,
        manual=records.manual,
        preorder=records.preorder,
        supplier_of=records.supplier_of,
        today=today,
    )
    told: dict[int, Told] = {}
    for logged in records.logs.values():
        told.update(told_by_line(logged))
    waiting = build_queue(
        records.orders,
        records.products,
        records.on_hand,
        allocated_by_line=taken_by_line(records.allocated, records.cancellations),
        priorities=records.priorities,
    )
    wanted = records.variants
    if wanted is not None:
        waiting = [line for line in waiting if line.variant_id in wanted]
    queue = [
        replace(
            line,
            eta=eta.date,
            eta_source=eta.source,
            eta_ref=eta.ref,
            notified_eta=told[line.line_id].eta if line.line_id in told else None,
        )
        for line, eta in cascade.line_etas(waiting, told)
    ]
    return QueueState(
        queue=queue,
        cascade=cascade,
        orders={o.id: o for o in records.orders},
        logs=records.logs,
        ledger=records.ledger,
        releases=records.releases,
        partial=records.partial,
        cancellations=records.cancellations,
        answers=records.answers,
        policy=records.policy,
        variants=wanted,
        complete_orders=records.complete_orders,
    )


def load_queue_state(
    cache: Cache, *, today: date | None = None, variants: Collection[int] | None = None
) -> QueueState:
    """One consistent read of the records, the queue built from them once.

    `today`: the day no ETA may be before (default: today, UTC); tests set the clock here.
    `variants`: only these variants' queue lines (their orders complete); None: every line."""
    records = read_queue_records(cache, variants=variants)
    return assemble_queue(records, today=today)


def load_queue(cache: Cache, *, today: date | None = None) -> list[BackorderLine]:
    """Every open line with units waiting, per SKU in queue order, with its ETA."""
    return load_queue_state(cache, today=today).queue
