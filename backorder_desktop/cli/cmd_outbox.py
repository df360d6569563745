"""`outbox list|retry|discard`: the changes waiting, failed or uncertain, and what to do with one."""

from __future__ import annotations

import argparse
from typing import Any

from ..services.sync_control.outbox_view import discard_entries, outbox_entries, retry_entries
from .connection import UserError, open_session
from .output import print_json, print_table


def register(subparsers: Any) -> None:
    from .parser import list_and_pick  # the parser imports this module: resolve at call time

    list_and_pick(
        subparsers,
        "outbox",
        "changes waiting, failed or uncertain; retry or discard one",
        listing=(cmd_outbox_list, "every change not yet accepted by BigCommerce"),
        picks=(
            ("retry", cmd_outbox_retry, "send a failed change again (uncertain: 'apply it')"),
            ("discard", cmd_outbox_discard, "forget a change (uncertain: 'it was applied')"),
        ),
        pick=("id", "ID", "the number 'outbox list' shows"),
    )


def _docs(args: argparse.Namespace) -> list[dict[str, Any]]:
    with open_session(args) as session:
        entries = outbox_entries(session.cache)
    return [
        {
            "id": e.id,
            "operation": e.kind,
            "state": e.state,
            "reason": e.message or None,
            "created": e.created_at.isoformat(),
        }
        for e in entries
    ]


def cmd_outbox_list(args: argparse.Namespace) -> int:
    docs = _docs(args)
    if args.json:
        print_json(docs)
    elif not docs:
        print("The outbox is empty: BigCommerce has every change.")
    else:
        print_table(
            ["Id", "Change", "State", "Queued", "Reason"],
            [(d["id"], d["operation"], d["state"], d["created"], d["reason"] or "") for d in docs],
        )
    return 0


def _act(args: argparse.Namespace, retry: bool) -> int:
    with open_session(args) as session:
        known = {e.id: e for e in outbox_entries(session.cache)}
        entry = known.get(args.id)
        if entry is None:
            raise UserError(f"No change {args.id} waits in the outbox (see 'outbox list').")
        if retry and entry.state not in ("failed", "uncertain"):
            raise UserError(f"Change {args.id} is {entry.state}: only failed ones are retried.")
        if entry.state == "sending":
            raise UserError(f"Change {args.id} is being sent right now; try again shortly.")
        done = (retry_entries if retry else discard_entries)(session.cache, [args.id])
    doc = {"id": args.id, "action": "retry" if retry else "discard", "done": bool(done)}
    if args.json:
        print_json(doc)
    elif retry:
        print(f"Change {args.id} will be sent again with the next 'push' (or now by the window).")
    else:
        print(f"Change {args.id} was discarded: it will not be sent.")
    return 0 if done else 1


def cmd_outbox_retry(args: argparse.Namespace) -> int:
    return _act(args, True)


def cmd_outbox_discard(args: argparse.Namespace) -> int:
    return _act(args, False)
