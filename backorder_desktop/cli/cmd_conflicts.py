"""`conflicts`: changes another laptop overtook, with both versions; keep mine or take theirs."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..bigcommerce.errors import BigCommerceError
from ..services.sync_control.conflicts import OvertakenWrite, keep_mine, list_conflicts, take_theirs
from ..services.sync_control.syncing import push_outbox
from .connection import UserError, open_session
from .output import print_json, print_table


def register(subparsers: Any) -> None:
    from .parser import list_and_pick  # the parser imports this module: resolve at call time

    list_and_pick(
        subparsers,
        "conflicts",
        "changes another laptop made first: see both versions and choose",
        listing=(cmd_conflicts_list, "every change waiting for a choice"),
        picks=(
            (
                "keep-mine",
                cmd_keep_mine,
                "send this laptop's values, overwriting the other laptop's",
            ),
            (
                "take-theirs",
                cmd_take_theirs,
                "drop this laptop's values, keep what BigCommerce holds",
            ),
        ),
        pick=("change", "CHANGE", "the number 'list' shows"),
    )


def _doc(conflict: OvertakenWrite) -> dict[str, Any]:
    return {
        "change": conflict.row_id,
        "kind": conflict.kind,
        "items": [
            {
                "resource_type": i.resource_type,
                "resource_id": i.resource_id,
                "key": i.key,
                "mine": i.mine,
                "theirs": i.theirs,
                "theirs_modified": i.theirs_modified,
                "was": i.base,
            }
            for i in conflict.items
        ],
    }


def cmd_conflicts_list(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        found = [_doc(c) for c in list_conflicts(session.cache)]
    if args.json:
        print_json(found)
    elif not found:
        print("No conflicts: every change reached BigCommerce or waits to be sent.")
    else:
        rows = [
            (
                d["change"],
                f"{i['resource_type']} {i['resource_id'] or ''}".strip(),
                i["key"],
                i["was"],
                i["theirs"],
                i["mine"],
            )  # fmt: skip
            for d in found
            for i in d["items"]
        ]
        print_table(["Change", "Record", "Key", "Was", "Theirs (now)", "Mine"], rows)
        print("Choose: 'conflicts keep-mine CHANGE' or 'conflicts take-theirs CHANGE'.")
    return 1 if found else 0


def _resolve(args: argparse.Namespace, mine: bool) -> int:
    with open_session(args) as session:
        try:
            count = (keep_mine if mine else take_theirs)(session.cache, args.change)
        except ValueError as exc:
            raise UserError(str(exc)) from exc
        try:
            result = push_outbox(session)
        except BigCommerceError as exc:
            sys.stderr.write(f"Queued, not sent yet ({exc.message}); run 'push' later.\n")
            result = None
    failed = result.failed if result is not None else 0
    doc = {"change": args.change, "kept": "mine" if mine else "theirs", "records": count}
    if args.json:
        print_json({**doc, "failed": failed})
    else:
        which = "this laptop's values were sent" if mine else "BigCommerce's values were kept"
        print(f"Change {args.change}: {which} ({count} record(s)).")
    if failed:
        sys.stderr.write(
            f"{failed} changes are still refused or in conflict: see 'conflicts list'.\n"
        )
    return 1 if failed else 0


def cmd_keep_mine(args: argparse.Namespace) -> int:
    return _resolve(args, True)


def cmd_take_theirs(args: argparse.Namespace) -> int:
    return _resolve(args, False)
