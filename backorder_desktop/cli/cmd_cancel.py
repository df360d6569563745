"""CLI: `cancel --order ID [--line SKU[:QTY] ...]`: cancel waiting lines and refund them."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..domain.cancellations import CANCELLED_STATUS, money_text
from ..services.dock.cancel_plan import CancelPlan, parse_line_arg, plan_cancel
from ..services.dock.cancelling import REFUND_STATUS, CancelOutcome, execute_cancel, prepare_cancel
from ..services.sync_control.actions import run_action
from .connection import open_session
from .output import print_json


def register(subparsers: Any) -> None:
    from .parser import json_flag  # the parser imports this module: resolve at call time

    cancel = subparsers.add_parser(
        "cancel", help="cancel waiting lines of an order and refund them through BigCommerce"
    )
    cancel.set_defaults(handler=cmd_cancel)
    cancel.add_argument("--order", type=int, action="append", required=True, metavar="ID")
    cancel.add_argument(
        "--line",
        action="append",
        default=[],
        metavar="SKU[:QTY]",
        help="the waiting units to cancel (default: every waiting line of the order)",
    )
    cancel.add_argument(
        "--no-refund", action="store_true", help="refund nothing through BigCommerce"
    )
    cancel.add_argument(
        "--reason", default="", help="why (told to the customer, noted on the order)"
    )
    cancel.add_argument("--dry-run", action="store_true", help="show the quote, change nothing")
    json_flag(cancel)


def _plan_doc(plan: CancelPlan) -> dict[str, Any]:
    ready = plan.ready
    return {
        "cancelled": [
            {"order_id": o.order_id, "sku": x.sku, "qty": x.qty} for o in ready for x in o.lines
        ],
        "refunds": [
            {
                "order_id": o.order_id,
                "amount": o.amount,
                "currency": o.currency,
                "status": REFUND_STATUS[o.refund],
            }
            for o in ready
        ],  # fmt: skip
        "order_status": {
            str(o.order_id): CANCELLED_STATUS if o.fully else o.status_id for o in ready
        },  # fmt: skip
        "notices_queued": 0,
        "dry_run": True,
    }


def cmd_cancel(args: argparse.Namespace) -> int:
    wanted = [parse_line_arg(text) for text in args.line]
    selection = {order_id: wanted for order_id in dict.fromkeys(args.order)}
    with open_session(args) as session:
        # A dry run writes nothing (it runs without the data dir's lock): no recovery either.
        prepare = plan_cancel if args.dry_run else prepare_cancel
        plan = prepare(session, selection, refund=not args.no_refund)
        for message in plan.messages():
            sys.stderr.write(message + "\n")
        if args.dry_run:
            doc = _plan_doc(plan)
            if args.json:
                print_json(doc)
            else:
                for o in plan.ready:
                    units = ", ".join(f"{x.qty} x {x.sku}" for x in o.lines)
                    money = money_text(o.amount, o.currency) or "nothing to refund"
                    print(f"Would cancel order #{o.order_id}: {units}; refund {money}.")
            return 1 if not plan.ready else 0
        report = run_action(session, lambda s: execute_cancel(s, plan, reason=args.reason))
        for message in report.messages(later="run 'push' later"):
            sys.stderr.write(message + "\n")
        outcome = report.result
    for message in outcome.messages:
        sys.stderr.write(message + "\n")
    _print(args, outcome)
    return 1 if outcome.refused or not plan.ready else 0


def _print(args: argparse.Namespace, outcome: CancelOutcome) -> None:
    if args.json:
        print_json(outcome.as_json())
        return
    for refund in outcome.refunds:
        order_id = refund["order_id"]
        if refund["status"] == "refused":
            continue
        units = ", ".join(
            f"{c['qty']} x {c['sku']}" for c in outcome.cancelled if c["order_id"] == order_id
        )
        money = money_text(refund["amount"], refund["currency"])
        how = {
            "refunded": f"refunded {money}",
            "control_panel": f"refund {money} in the control panel",
            "not_paid": "nothing was paid",
        }[refund["status"]]
        status = outcome.order_status.get(order_id)
        state = "order cancelled" if status == CANCELLED_STATUS else "the rest still waits"
        print(f"Order #{order_id}: cancelled {units}; {how}; {state}.")
    print(f"{outcome.notices_queued} cancellation notice(s) to send (run 'notify').")
