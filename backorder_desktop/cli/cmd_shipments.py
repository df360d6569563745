"""CLI: `shipments add|list|receive`, `release`, `undo-release` (../shared/CLI.md)."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from ..domain.receiving import ReceiptLine
from ..domain.shipment_rules import parse_expected_date, parse_line_spec
from ..domain.shipments import Shipment
from ..services.dock.dock_actions import Received, receive, release, undo_release
from ..services.dock.receiving import ReceiptPreview, new_receipt_id, preview_receipt
from ..services.dock.releasing import ReleaseOutcome, plan_release
from ..services.dock.shipments import add_shipment, find_shipment, list_shipments, list_suppliers
from ..services.sync_control.actions import ActionReport, run_action
from ..services.sync_control.reruns import (
    check_receipt_id,
    check_reference,
    receipt_rerun,
    shipment_rerun,
)
from .connection import context_of, open_session
from .output import print_json, print_table

log = logging.getLogger("backorder_desktop.cli")


def register(subparsers: Any) -> None:
    from .parser import json_flag  # the parser imports this module: resolve at call time

    shipments = subparsers.add_parser("shipments", help="inbound supplier shipments")
    json_flag(shipments)
    actions = shipments.add_subparsers(dest="shipments_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="record an inbound supplier shipment")
    add.set_defaults(handler=cmd_shipments_add)
    add.add_argument("--supplier", required=True, help="supplier name or id (new names are added)")
    add.add_argument("--expected", required=True, help="expected date, YYYY-MM-DD")
    add.add_argument("--line", action="append", required=True, metavar="SKU:QTY")
    add.add_argument("--ref", help="reference, e.g. the supplier's PO number")
    json_flag(add)

    listing = actions.add_parser("list", help="shipments with lines and received quantities")
    listing.set_defaults(handler=cmd_shipments_list)
    json_flag(listing)

    receive = actions.add_parser("receive", help="book a (partial) receipt and allocate it")
    receive.set_defaults(handler=cmd_shipments_receive)
    receive.add_argument("id", metavar="ID", help="shipment id or reference")
    receive.add_argument(
        "--line", action="append", required=True, metavar="SKU:ACCEPTED[:REJECTED]"
    )
    receive.add_argument(
        "--close-short", action="store_true", help="what is still missing will not come"
    )
    receive.add_argument(
        "--over-receipt", action="store_true", help="confirm booking more than expected"
    )
    receive.add_argument("--release", action="store_true", help="release the orders it makes ready")
    receive.add_argument("--dry-run", action="store_true", help="show what it would fill")
    receive.add_argument(
        "--receipt-id",
        type=_receipt_id,
        help="an id of your choosing for this receipt: running the command again with the same "
        "id (e.g. after a crash) finishes the job instead of booking the delivery twice",
    )
    json_flag(receive)

    release = subparsers.add_parser("release", help="move ready orders to the release status")
    release.set_defaults(handler=cmd_release)
    which = release.add_mutually_exclusive_group(required=True)
    which.add_argument("--order", type=int, action="append", metavar="ID")
    which.add_argument("--all-ready", action="store_true")
    release.add_argument("--dry-run", action="store_true")
    json_flag(release)

    undo = subparsers.add_parser(
        "undo-release", help="undo a release: the order is ready to release again"
    )
    undo.set_defaults(handler=cmd_undo_release)
    undo.add_argument("order_id", type=int, metavar="ID")
    json_flag(undo)


def _receipt_id(text: str) -> str:
    value = text.strip()
    if not value or len(value) > 64 or not value.isprintable():
        raise argparse.ArgumentTypeError("a receipt id is 1 to 64 printable characters")
    return value


def _tell(report: ActionReport[Any]) -> None:
    """How the push went, in the same words the window uses (services.sync_control.actions)."""
    for message in report.messages(later="run 'push' later"):
        sys.stderr.write(message + "\n")


def _release_status(args: argparse.Namespace) -> int:
    return context_of(args).settings.release_status_id


def shipment_doc(shipment: Shipment, supplier_names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": shipment.id,
        "reference": shipment.reference,
        "supplier_id": shipment.supplier_id,
        "supplier": supplier_names.get(shipment.supplier_id, shipment.supplier_id),
        "status": shipment.status,
        "expected_date": shipment.expected_date,
        "notes": shipment.notes,
        "units_expected": shipment.units_expected,
        "units_received": shipment.units_received,
        "lines": [
            {
                "sku": line.sku,
                "variant_id": line.variant_id,
                "qty_expected": line.qty_expected,
                "qty_received": line.qty_received,
                "qty_rejected": line.qty_rejected,
                "qty_outstanding": line.qty_outstanding,
                "closed_short": line.closed_short,
            }
            for line in shipment.lines
        ],
    }


def cmd_shipments_add(args: argparse.Namespace) -> int:
    expected = parse_expected_date(args.expected)
    lines = [parse_line_spec(text)[:2] for text in args.line]
    with open_session(args) as session:
        again = shipment_rerun(
            session.cache,
            supplier=args.supplier,
            expected=expected,
            lines=lines,
            reference=args.ref,
        )
        if again is not None:
            # A re-run (after a failure or a kill): the shipment it recorded, not a second one.
            sys.stderr.write(
                f"Shipment {again.reference} ({again.id}) was recorded by an earlier run; "
                "nothing recorded again.\n"
            )
        else:
            check_reference(session.cache, args.ref)
        added = run_action(
            session,
            lambda s: (
                (again, False)
                if again is not None
                else add_shipment(
                    s.cache,
                    supplier=args.supplier,
                    expected=expected,
                    lines=lines,
                    reference=args.ref,
                )
            ),
        )
        _tell(added)
        shipment, created = added.result
        names = {s.id: s.name for s in list_suppliers(session.cache)}
    doc = shipment_doc(shipment, names)
    if args.json:
        print_json(doc)
    else:
        note = f" (new supplier '{args.supplier}')" if created else ""
        print(
            f"Shipment {shipment.reference} ({shipment.id}) from {doc['supplier']}{note}: "
            f"{shipment.units_expected} units on {len(shipment.lines)} lines, expected "
            f"{expected.isoformat()}."
        )
    return 0


def cmd_shipments_list(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        names = {s.id: s.name for s in list_suppliers(session.cache)}
        docs = [shipment_doc(s, names) for s in list_shipments(session.cache)]
    if args.json:
        print_json(docs)
        return 0
    if not docs:
        print("No supplier shipments. Add one with 'shipments add' (run 'sync' first).")
        return 0
    print_table(
        ["ID", "Reference", "Supplier", "Status", "Expected", "Units", "Received"],
        [
            (
                d["id"],
                d["reference"],
                d["supplier"],
                d["status"],
                d["expected_date"].isoformat() if d["expected_date"] else "",
                d["units_expected"],
                d["units_received"],
            )
            for d in docs
        ],
    )
    return 0


def _receipt_lines(args: argparse.Namespace) -> list[ReceiptLine]:
    out = []
    for text in args.line:
        sku, accepted, rejected = parse_line_spec(text, with_rejected=True)
        reason = "rejected at receiving" if rejected else ""
        out.append(ReceiptLine(sku, accepted, rejected, reason, args.close_short))
    return out


def _receipt_doc(preview: ReceiptPreview, released: list[int]) -> dict[str, Any]:
    return {
        "received": preview.as_dict(),
        "allocated": [
            {"order_id": a.order_id, "sku": a.sku, "qty": a.qty} for a in preview.plan.allocations
        ],
        "ready_orders": preview.ready_orders,
        "released": released,
    }


def cmd_shipments_receive(args: argparse.Namespace) -> int:
    lines = _receipt_lines(args)
    with open_session(args) as session:
        cache = session.cache
        shipment = find_shipment(cache, args.id)
        if args.dry_run:
            preview = preview_receipt(cache, shipment.id, lines)
            if preview.over and not args.over_receipt:
                over = ", ".join(f"{o.sku} ({o.arriving}/{o.outstanding})" for o in preview.over)
                sys.stderr.write(f"Note: more than expected for {over}; needs --over-receipt.\n")
            released: list[int] = []
        else:
            if args.receipt_id:
                check_receipt_id(cache, args.receipt_id, shipment.id, lines)
                receipt_id = args.receipt_id
            else:
                # Without an id, the same command run again (after a kill) is recognised.
                receipt_id = receipt_rerun(cache, shipment.id, lines) or new_receipt_id()
            report = run_action(
                session,
                lambda s: receive(
                    s,
                    shipment.id,
                    lines,
                    receipt_id=receipt_id,
                    allow_over=args.over_receipt,
                    release_status=_release_status(args) if args.release else None,
                ),
            )
            _tell(report)
            received = report.result
            if received.booked_before:
                # Booked by an earlier run of this receipt id (killed before it finished):
                # nothing booked again; what that receipt made ready was released.
                return _resumed(args, received)
            assert received.result.preview is not None
            preview = received.result.preview
            released = received.released
    doc = _receipt_doc(preview, released)
    if args.json:
        print_json(doc)
        return 0
    verb = "Would receive" if args.dry_run else "Received"
    print(
        f"{verb} {preview.units_accepted} units on {preview.shipment.reference}: "
        f"{preview.plan.units_allocated} to {len(preview.filled_orders)} waiting orders, "
        f"{preview.plan.units_to_stock} to stock."
    )
    if preview.ready_orders:
        print("Ready to release: " + ", ".join(f"#{o}" for o in preview.ready_orders))
    if released:
        print("Released: " + ", ".join(f"#{o}" for o in released))
    return 0


def _resumed(args: argparse.Namespace, received: Received) -> int:
    released = received.released
    doc = {
        "received": {"receipt_id": received.receipt_id, "booked_before": True},
        "allocated": received.allocated,
        "ready_orders": received.ready_orders,
        "released": released,
    }
    if args.json:
        print_json(doc)
    else:
        print(f"Receipt {received.receipt_id} was booked before; nothing booked again.")
        if not args.receipt_id:
            print(
                "(It looked like a re-run of the same command. To book a second, identical "
                "delivery, give it its own --receipt-id.)"
            )
        if released:
            print("Released: " + ", ".join(f"#{o}" for o in released))
    return 0


def _release_doc(outcome: ReleaseOutcome) -> dict[str, Any]:
    return {"released": outcome.released, "skipped": outcome.skipped}


def cmd_release(args: argparse.Namespace) -> int:
    ids = None if args.all_ready else args.order
    with open_session(args) as session:
        if args.dry_run:
            outcome = plan_release(session.cache, ids)
        else:
            report = run_action(session, lambda s: release(s, ids, status_id=_release_status(args)))
            _tell(report)
            outcome = report.result
    if args.json:
        print_json({**_release_doc(outcome), "dry_run": bool(args.dry_run)})
        return 0
    verb = "Would release" if args.dry_run else "Released"
    shown = ", ".join(f"#{o}" for o in outcome.released) or "no orders"
    print(f"{verb} {shown}.")
    for item in outcome.skipped:
        print(f"Skipped #{item['order_id']}: {item['reason']}.")
    return 0


def cmd_undo_release(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        undone = run_action(session, lambda s: undo_release(s, args.order_id))
        _tell(undone)
        record = undone.result
    units = sum(line.qty for line in record.lines)
    # "units_back": the units held for the order again (still reserved, never sellable).
    doc = {"order_id": args.order_id, "status_id": record.status_before, "units_back": units}
    if args.json:
        print_json(doc)
    else:
        print(
            f"Order #{args.order_id} is ready to release again ({units} units still reserved), "
            f"status restored to {record.status_before}."
        )
    return 0
