"""The command-line grammar (../shared/CLI.md is the contract: names and options do not drift)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from .. import __version__


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


def _json_flag(parser: argparse.ArgumentParser) -> None:
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
    # Window-only options (ignored by headless commands).
    parser.add_argument("--screenshot", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--tab", choices=["products", "backorders", "shipments"], help=argparse.SUPPRESS
    )
    parser.add_argument("--smoke-test", action="store_true", help=argparse.SUPPRESS)

    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo-store", help="serve the demo store until killed")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=non_negative_int, default=0)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--products", type=non_negative_int)
    demo.add_argument("--orders", type=non_negative_int)
    demo.add_argument("--rate-limit", type=rate_limit, default=(150, 30.0), metavar="N/30s")
    demo.add_argument("--latency-ms", type=non_negative_int, default=0)
    demo.add_argument("--no-native-backorders", action="store_true")
    demo.add_argument("--reset", action="store_true", help="start over from the seed")
    _json_flag(demo)

    sync = commands.add_parser("sync", help="pull the store into the local cache")
    sync.add_argument("--full", action="store_true", help="re-read everything, not just changes")
    _json_flag(sync)

    backorders = commands.add_parser("backorders", help="open backorder lines in queue order")
    backorders.add_argument("--sku", help="only this SKU")
    _json_flag(backorders)

    status = commands.add_parser("status", help="last sync, outbox and backorder counts")
    _json_flag(status)

    push = commands.add_parser("push", help="send queued changes to BigCommerce now")
    _json_flag(push)
    return parser
