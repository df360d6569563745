"""The headless commands: thin layers over services/ (../shared/CLI.md)."""

from __future__ import annotations

import argparse
import sys

from ..domain.eta import source_label
from ..services.backorders import list_backorders
from ..services.dock.releasing import ready_lines
from ..services.notices.consent import consent_states
from ..services.sync_control.accounts import account_warning
from ..services.sync_control.conflicts import list_conflicts
from ..services.sync_control.status import waiting_line_count
from ..services.sync_control.syncing import push_outbox, sync_store
from .connection import open_session
from .output import print_json, print_table, progress_line


def _progress(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    if args.json or not sys.stderr.isatty():
        return None

    def report(stage: str, done: int, total: int) -> None:
        progress_line(f"{stage}: {done}/{total or '?'}   ")

    return report


def cmd_sync(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        result = sync_store(session, full=args.full, progress=_progress(args))
        backorder_lines = waiting_line_count(session.cache)
        summary = {
            "products": result.products,
            "variants": result.variants,
            "orders": result.orders,
            "backorder_lines": backorder_lines,
            "requests": result.requests,
        }
        if args.json:
            print_json(summary)
        else:
            print(
                f"Synced store {session.connection.store_hash}: {result.products} products, "
                f"{result.variants} variants, {result.orders} open orders, "
                f"{backorder_lines} backorder lines ({result.requests} API requests)."
            )
        warning = account_warning(session.cache)
    if warning:
        sys.stderr.write(f"Warning: {warning}\n")
    return 0


def cmd_backorders(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        lines = list_backorders(session.cache, sku=args.sku)
        ready = ready_lines(session.cache, sku=args.sku)
        consent = consent_states(session.cache)
    if args.json:
        print_json(
            [
                {
                    "order_id": line.order_id,
                    "order_date": line.order_date,
                    "customer_email": line.customer_email,
                    "sku": line.sku,
                    "variant_id": line.variant_id,
                    "qty_ordered": line.qty_ordered,
                    "qty_waiting": line.qty_waiting,
                    "queue_position": line.queue_position,
                    "priority": line.priority,
                    "eta": line.eta,
                    "notified_eta": line.notified_eta,
                    "consent": consent.get(line.order_id),
                    "state": "waiting",
                }
                for line in lines
            ]
            # Orders whose units arrived and are reserved for them, waiting for their release
            # (issue 14: an order never drops out of sight between the queue and its release).
            + [
                {
                    "order_id": order.order_id,
                    "order_date": order.order_date,
                    "customer_email": order.customer_email,
                    "sku": line.sku,
                    "qty_waiting": 0,
                    "qty_reserved": line.qty,
                    "queue_position": None,
                    "priority": None,
                    "eta": None,
                    "notified_eta": None,
                    "consent": consent.get(order.order_id),
                    "state": "ready",
                }
                for order, line in ready
            ]
        )
        return 0
    if not lines and not ready:
        print("No open backorders. Run 'sync' first if the cache is new.")
        return 0
    print_table(
        ["SKU", "#", "Order", "Date", "Customer", "Ordered", "Waiting", "ETA", "ETA from"],
        [
            (
                line.sku,
                line.queue_position,
                line.order_id,
                line.order_date.date().isoformat(),
                line.customer_email,
                line.qty_ordered,
                line.qty_waiting,
                line.eta.isoformat() if line.eta else "unknown",
                source_label(line.eta_source, line.eta_ref),
            )
            for line in lines
        ],
    )
    units = sum(line.qty_waiting for line in lines)
    customers = len({line.customer_email for line in lines})
    print(f"\n{len(lines)} lines, {units} units waiting, {customers} customers.")
    if ready:
        shown = ", ".join(sorted({f"#{order.order_id}" for order, _line in ready}))
        print(f"Ready to release (units reserved): {shown}.")
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        # Asked to push now: rows waiting out a back-off (e.g. queued offline) go now too.
        session.cache.outbox.due_now()
        result = push_outbox(session)
        conflicts = len(list_conflicts(session.cache))
    summary = {"sent": result.sent, "pending": result.pending, "failed": result.failed}
    if args.json:
        print_json(summary)  # the contract's shape (CLI.md); conflicts are told on stderr
    else:
        print(f"Sent {result.sent} changes; {result.pending} pending, {result.failed} failed.")
    if conflicts:
        sys.stderr.write(
            f"{conflicts} change(s) were not sent: another laptop changed the same records "
            "first. See both versions with 'conflicts list', then choose.\n"
        )
    return 1 if result.failed else 0
