"""`set-backorder`: bulk-set backorder limits, ETAs and the storefront message (../shared/CLI.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from ..domain.bulk import Plan, VariantEdit
from ..domain.bulk_input import KEEP, BulkInputError, check_template, parse_eta, parse_limit
from ..domain.models import UNLIMITED_BACKORDER_LIMIT
from ..services.bulk.bulk_apply import bulk_apply
from ..services.bulk.bulk_edit import ApplyOutcome, BulkRequest, preview
from ..services.bulk.bulk_results import FIELD_TITLES, plan_json
from ..services.bulk.bulk_snapshot import resolve_skus
from .connection import UserError, context_of, open_session
from .output import print_json, print_table


def _limit(text: str) -> int | None:
    try:
        value = parse_limit(text)
    except BulkInputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value is None:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number; use --off for no backorders")
    return value


def _eta(text: str) -> date:
    try:
        value = parse_eta(text)
    except BulkInputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value is None:
        raise argparse.ArgumentTypeError("give a date as YYYY-MM-DD, or --clear-eta")
    return value


def _message(text: str) -> str:
    try:
        return check_template(text)
    except BulkInputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers: Any) -> None:
    from .parser import json_flag  # the parser imports this module: resolve at call time

    cmd = subparsers.add_parser(
        "set-backorder", help="set backorder limits, ETAs and the storefront message by SKU"
    )
    cmd.set_defaults(handler=cmd_set_backorder)
    cmd.add_argument("--sku", required=True, help="one SKU or several separated by commas")
    limit = cmd.add_mutually_exclusive_group(required=True)
    limit.add_argument("--limit", type=_limit, help="units that may be sold past zero stock")
    limit.add_argument("--unlimited", action="store_true", help="no limit (2,147,483,647)")
    limit.add_argument("--off", action="store_true", help="no backorders")
    eta = cmd.add_mutually_exclusive_group()
    eta.add_argument("--eta", type=_eta, help="expected ship date, YYYY-MM-DD")
    eta.add_argument("--clear-eta", action="store_true", help="remove the ETA")
    cmd.add_argument(
        "--message",
        type=_message,
        help="storefront message; {eta} or {eta:%%b %%d} is replaced by the latest ETA",
    )
    cmd.add_argument(
        "--location",
        type=int,
        help="inventory location id (default: the one in the settings, else the store's default)",
    )
    cmd.add_argument(
        "--dry-run", action="store_true", help="print the plan and the requests; write nothing"
    )
    json_flag(cmd)


def _edit(args: argparse.Namespace) -> VariantEdit:
    limit: int | None = None
    if args.unlimited:
        limit = UNLIMITED_BACKORDER_LIMIT
    elif not args.off:
        limit = args.limit
    eta: Any = KEEP
    if args.clear_eta:
        eta = None
    elif args.eta is not None:
        eta = args.eta
    message: Any = KEEP if args.message is None else args.message
    return VariantEdit(limit=limit, eta=eta, message=message)


def _summary(plan: Plan, edits: int, failed: list[dict[str, Any]]) -> dict[str, Any]:
    skipped = {vid for vid, _ in plan.skipped}
    unchanged = len(plan.unchanged)
    return {
        "changed": max(0, edits - unchanged - len(skipped)),
        "unchanged": unchanged,
        "requests": plan.requests.total,
        "failed": failed,
    }


def cmd_set_backorder(args: argparse.Namespace) -> int:
    skus = [s.strip() for s in args.sku.split(",") if s.strip()]
    if not skus:
        raise UserError("Give at least one SKU with --sku.")
    settings = context_of(args).settings
    location = args.location if args.location is not None else settings.default_location_id
    with open_session(args) as session:
        if not session.cache_exists:
            raise UserError("The local cache is empty: run 'sync' first.")
        cache = session.cache
        found, unknown = resolve_skus(cache, skus)
        if unknown:
            raise UserError(
                f"Unknown SKU(s): {', '.join(unknown)}. Nothing was changed. Check the spelling, "
                "or run 'sync' if they are new in BigCommerce."
            )
        edit = _edit(args)
        request = BulkRequest({vid: edit for vid in found.values()}, location_id=location)
        if args.dry_run:
            plan = preview(cache, request)
            return _report(args, plan, len(found), [], dry_run=True)
        report = bulk_apply(session, request)
        outcome = report.result.outcome
        if not outcome.applied:
            _conflicts(outcome)
        if report.token_refused is not None:
            raise report.token_refused  # exit 1: the change waits in the outbox for a token
        for message in report.messages(later="run 'push' later"):
            sys.stderr.write(message + "\n")
        assert outcome.batch_id is not None
        queued = still_queued(cache, outcome.batch_id)
        code = _report(
            args, outcome.plan, len(found), report.result.failed, dry_run=False, queued=queued
        )
    if code == 0 and queued:
        # Exit 3: accepted and safe in the outbox, but not in BigCommerce yet (CHANGELOG).
        sys.stderr.write(
            f"{queued} change(s) are queued, not yet in BigCommerce (it could not be reached or "
            "asked to wait); they go out with the next 'push' or the window's refresh.\n"
        )
        return QUEUED_EXIT
    return code


QUEUED_EXIT = 3


def still_queued(cache: Any, batch_id: str) -> int:
    """Rows of this batch still waiting to be sent (pending or being sent)."""
    return sum(
        1 for state in ("pending", "sending") for _ in cache.outbox.rows(state, batch_id=batch_id)
    )


def _conflicts(outcome: ApplyOutcome) -> None:
    lines = [
        f"  {c.label} {c.field}: was {c.cached!s} here, is {c.store!s} in BigCommerce"
        for c in outcome.conflicts[:20]
    ]
    more = len(outcome.conflicts) - len(lines)
    raise UserError(
        f"{len(outcome.conflicts)} value(s) changed in BigCommerce since the last sync; nothing "
        "was changed so that no one's edit is overwritten:\n"
        + "\n".join(lines)
        + (f"\n  ... and {more} more" if more > 0 else "")
        + "\nRun 'sync' to take them in, then run the command again."
    )


def _report(
    args: argparse.Namespace,
    plan: Plan,
    edits: int,
    failed: list[dict[str, Any]],
    *,
    dry_run: bool,
    queued: int = 0,
) -> int:
    summary = _summary(plan, edits, failed)
    if args.json:
        doc = {**summary, "queued": queued, "dry_run": dry_run, **plan_json(plan)}
        print_json(doc)
        return 1 if failed else 0
    verb = "Would change" if dry_run else "Changed"
    print(
        f"{verb} {summary['changed']} variant(s) ({summary['unchanged']} unchanged) in "
        f"{summary['requests']} request(s)."
    )
    doc = plan_json(plan)
    if doc["changes"]:
        print_table(
            ["SKU / product", "Field", "Before", "After"],
            [
                (
                    c["label"],
                    FIELD_TITLES.get(c["field"], c["field"]),
                    c["before_text"],
                    c["after_text"],
                )
                for c in doc["changes"][:200]
            ],
        )
        if len(doc["changes"]) > 200:
            print(f"... and {len(doc['changes']) - 200} more changes")
    for warning in doc["warnings"]:
        print(f"Warning: {warning['message']}")
    for skipped in doc["skipped"]:
        print(f"Skipped {skipped['sku']}: {skipped['reason']}")
    for item in failed:
        print(f"Failed {item['sku']}: {item['message']}")
    if dry_run:
        print("Dry run: nothing was written.")
    return 1 if failed else 0
