"""`replies [--fetch]`: customers' replies to notices, with the suggested action (CLI.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..mail.errors import MailError
from ..mail.imap import ImapConfig
from ..services.notices.replies import (
    fetch_replies,
    imap_config,
    imap_configured,
    list_replies,
)
from .connection import UserError, context_of, data_dir_of, open_store_cache
from .output import print_json, print_table


def register(subparsers: Any) -> None:
    from .parser import json_flag  # the parser imports this module: resolve at call time

    replies = subparsers.add_parser(
        "replies", help="customers' replies to notices, with the suggested action"
    )
    replies.set_defaults(handler=cmd_replies)
    replies.add_argument(
        "--fetch", action="store_true", help="read new replies from the IMAP account first"
    )
    json_flag(replies)


@contextmanager
def _imap(args: argparse.Namespace) -> Iterator[ImapConfig]:
    settings = context_of(args).settings
    if args.demo:
        # The demo mailbox: replies of demo customers to the notices sent in demo mode.
        from ..demo_store.demo_replies import demo_inbox
        from ..demo_store.imap_server import ImapServer
        from ..services.notices.replies import DEMO_IMAP_PASSWORD, DEMO_IMAP_USER

        server = ImapServer(
            demo_inbox(data_dir_of(args)), user=DEMO_IMAP_USER, password=DEMO_IMAP_PASSWORD
        )
        with server:
            yield imap_config(settings, demo=(server.host, server.port))
        return
    if not imap_configured(settings):
        raise UserError(
            "No IMAP account is set up: fill in the IMAP host and user in Mail settings "
            "(the password goes to your keychain, or set BACKORDER_IMAP_PASSWORD for scripts)."
        )
    yield imap_config(settings)


def cmd_replies(args: argparse.Namespace) -> int:
    with open_store_cache(args) as (_store_hash, cache):
        if args.fetch:
            with _imap(args) as config:
                try:
                    report = fetch_replies(cache, config)
                except MailError as exc:
                    raise UserError(exc.message) from exc
            if not args.json:
                sys.stderr.write(report.summary() + "\n")
        rows = list_replies(cache)
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    if not rows:
        print(
            "No replies from customers yet." + ("" if args.fetch else " (--fetch reads new ones)")
        )
        return 0
    print_table(
        ["Order", "From", "Received", "Suggestion", "Answered", "Reply"],
        [
            (
                f"#{r.order_id}",
                r.sender,
                r.received.strftime("%Y-%m-%d %H:%M"),
                r.suggestion or "-",
                r.handled_action or ("dismissed" if r.state == "dismissed" else ""),
                r.excerpt,
            )
            for r in rows
        ],
    )
    return 0
