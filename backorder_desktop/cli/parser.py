"""The command-line grammar (../shared/CLI.md is the contract: names and options do not drift)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import __version__
from . import (
    cmd_backorder,
    cmd_conflicts,
    cmd_forget,
    cmd_notify,
    cmd_outbox,
    cmd_report,
    cmd_shipments,
    demo,
)
from . import commands as core


def rate_limit(text: str) -> tuple[int, float]:
    """`N/30s` (or a bare N, per 30 s) -> (quota, window seconds)."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:/\s*(\d+(?:\.\d+)?)\s*s)?\s*", text)
    if not match or int(match.group(1)) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a rate limit like 150/30s")
    return int(match.group(1)), float(match.group(2) or 30)


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be 0 or more")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"'{text}' must be 0 or more")
    return value


def json_flag(parser: argparse.ArgumentParser) -> None:
    # `--json` is an option of every command (CLI.md); also accepted before the command.
    parser.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backorder-desktop",
        description="Backorder back office for BigCommerce. With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", type=Path, help="where the cache, settings and logs live")
    parser.add_argument("--api-url", help="API root (default https://api.bigcommerce.com)")
    parser.add_argument("--store-hash", help="the store's hash, e.g. abc123")
    parser.add_argument(
        "--demo", action="store_true", help="use the embedded demo store (state in the data dir)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    cmd_notify.add_smtp_options(parser)
    # Window-only options (ignored by headless commands).
    parser.add_argument("--screenshot", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--tab", choices=["products", "backorders", "shipments", "insights"], help=argparse.SUPPRESS
    )
    parser.add_argument("--smoke-test", action="store_true", help=argparse.SUPPRESS)

    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in FEATURE_COMMANDS:
        register(subparsers)
    return parser


def register_core(subparsers: Any) -> None:
    """demo-store, sync, backorders, status, push."""
    demo_store = subparsers.add_parser("demo-store", help="serve the demo store until killed")
    demo_store.set_defaults(handler=demo.cmd_demo_store)
    demo_store.add_argument("--host", default="127.0.0.1")
    demo_store.add_argument("--port", type=non_negative_int, default=0)
    demo_store.add_argument("--seed", type=int, default=1)
    demo_store.add_argument("--products", type=non_negative_int)
    demo_store.add_argument("--orders", type=non_negative_int)
    demo_store.add_argument("--rate-limit", type=rate_limit, default=(150, 30.0), metavar="N/30s")
    demo_store.add_argument("--latency-ms", type=non_negative_int, default=0)
    demo_store.add_argument(
        "--live-shoppers",
        type=non_negative_float,
        default=0.0,
        metavar="RATE",
        help="web orders a minute placed while the store runs (seeded by --seed)",
    )
    demo_store.add_argument(
        "--inventory-delay",
        dest="inventory_delay_s",
        type=non_negative_float,
        default=0.0,
        metavar="SECONDS",
        help="apply inventory writes this long after answering them (as BigCommerce does)",
    )
    demo_store.add_argument("--no-native-backorders", action="store_true")
    demo_store.add_argument("--reset", action="store_true", help="start over from the seed")
    json_flag(demo_store)

    sync = subparsers.add_parser("sync", help="pull the store into the local cache")
    sync.set_defaults(handler=core.cmd_sync)
    sync.add_argument("--full", action="store_true", help="re-read everything, not just changes")
    json_flag(sync)

    backorders = subparsers.add_parser("backorders", help="open backorder lines in queue order")
    backorders.set_defaults(handler=core.cmd_backorders)
    backorders.add_argument("--sku", help="only this SKU")
    json_flag(backorders)

    status = subparsers.add_parser("status", help="last sync, outbox and backorder counts")
    status.set_defaults(handler=core.cmd_status)
    json_flag(status)

    push = subparsers.add_parser("push", help="send queued changes to BigCommerce now")
    push.set_defaults(handler=core.cmd_push)
    json_flag(push)


# Each feature registers its commands here: a function taking the subparsers object, adding its
# parsers with `set_defaults(handler=cmd_function)`. One line per feature module.
FEATURE_COMMANDS: list[Callable[[Any], None]] = [
    register_core,
    cmd_notify.register,
    cmd_backorder.register,
    cmd_shipments.register,
    cmd_report.register,
    cmd_conflicts.register,
    cmd_outbox.register,
    cmd_forget.register,
]
