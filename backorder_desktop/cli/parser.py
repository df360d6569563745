"""The command-line grammar (../shared/CLI.md is the contract: names and options do not drift).

Only the command being run is imported: `--version` and `status` must not pay for every
command's services (docs/BENCHMARKS.md). A command module registers its parsers with
`register(subparsers)`; `COMMANDS` says which module registers which command word.
"""

from __future__ import annotations

import argparse
import importlib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .. import __version__

# Command word -> "module:function" registering it (modules under backorder_desktop.cli).
COMMANDS: dict[str, str] = {
    "demo-store": "parser:register_core",
    "sync": "parser:register_core",
    "backorders": "parser:register_core",
    "status": "parser:register_core",
    "push": "parser:register_core",
    "notify": "cmd_notify:register",
    "set-backorder": "cmd_backorder:register",
    "shipments": "cmd_shipments:register",
    "release": "cmd_shipments:register",
    "undo-release": "cmd_shipments:register",
    "report": "cmd_report:register",
    "conflicts": "cmd_conflicts:register",
    "outbox": "cmd_outbox:register",
    "forget": "cmd_forget:register",
    "doctor": "cmd_doctor:register",
    "replies": "cmd_replies:register",
    "cancel": "cmd_cancel:register",
    "schedule": "cmd_schedule:register",
}
# Global options that take a value (skipped when looking for the command word).
_VALUED = frozenset(
    {
        "--data-dir",
        "--api-url",
        "--store-hash",
        "--smtp-host",
        "--smtp-port",
        "--smtp-user",
        "--mail-from",
        "--screenshot",
        "--tab",
    }
)


def _resolve(target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(f"{__package__}.{module}"), name)


def lazy(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """A handler that imports its command module only when the command runs."""

    def handler(args: argparse.Namespace) -> int:
        return int(_resolve(f"{module}:{name}")(args))

    handler.__qualname__ = f"{module}.{name}"
    return handler


def command_word(argv: Sequence[str]) -> str | None:
    """The command in `argv` (the first positional word after the global options)."""
    skip = False
    for token in argv:
        if skip:
            skip = False
            continue
        if token == "--":
            return None
        if token.startswith("-"):
            skip = token in _VALUED
            continue
        return token
    return None


def scope_list(text: str) -> frozenset[str]:
    from ..demo_store.accounts import parse_scopes

    try:
        return parse_scopes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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


def list_and_pick(
    subparsers: Any,
    name: str,
    help_text: str,
    *,
    listing: tuple[Callable[[argparse.Namespace], int], str],
    picks: Sequence[tuple[str, Callable[[argparse.Namespace], int], str]],
    pick: tuple[str, str, str],
) -> None:
    """`NAME list` and `NAME ACTION N` for each pick (`outbox retry ID`, `conflicts keep-mine
    CHANGE`); `pick` is the number's (dest, metavar, help). Every level takes `--json`."""
    cmd = subparsers.add_parser(name, help=help_text)
    json_flag(cmd)
    actions = cmd.add_subparsers(dest=f"{name}_command", metavar="ACTION", required=True)
    listed = actions.add_parser("list", help=listing[1])
    listed.set_defaults(handler=listing[0])
    json_flag(listed)
    dest, metavar, number_help = pick
    for action_name, handler, text in picks:
        action = actions.add_parser(action_name, help=text)
        action.set_defaults(handler=handler)
        action.add_argument(dest, type=int, metavar=metavar, help=number_help)
        json_flag(action)


def add_smtp_options(parser: argparse.ArgumentParser) -> None:
    """Global options (before the command); unset ones fall back to the saved settings."""
    parser.add_argument("--smtp-host", help="SMTP server for notices")
    parser.add_argument("--smtp-port", type=int, help="SMTP port (587 STARTTLS, 465 SSL)")
    parser.add_argument(
        "--smtp-user", help="SMTP login (password: keychain or BACKORDER_SMTP_PASSWORD)"
    )
    # The values are mail.smtp's STARTTLS / SSL / PLAIN (not imported: see the module doc).
    security = parser.add_mutually_exclusive_group()
    security.add_argument(
        "--smtp-starttls", dest="smtp_security", action="store_const", const="starttls"
    )
    security.add_argument("--smtp-ssl", dest="smtp_security", action="store_const", const="ssl")
    security.add_argument(
        "--smtp-plain",
        dest="smtp_security",
        action="store_const",
        const="none",
        help="no TLS (a local relay or test server; never with a login over the network)",
    )
    parser.add_argument("--mail-from", help="sender address of notices")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for `argv`: that command's grammar in full, the others by name only (so
    `--version`, the window and an unknown word cost no command imports). Without `argv`,
    or for `--help` with no command, every command in full."""
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
    add_smtp_options(parser)
    # Window-only options (ignored by headless commands).
    parser.add_argument("--screenshot", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--tab", choices=["products", "backorders", "shipments", "insights"], help=argparse.SUPPRESS
    )
    parser.add_argument("--smoke-test", action="store_true", help=argparse.SUPPRESS)

    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    word = command_word(argv) if argv is not None else None
    wants_help = argv is None or any(a in ("-h", "--help") for a in argv)
    if word in COMMANDS:
        _resolve(COMMANDS[word])(subparsers)
    elif word is not None or wants_help:
        for target in dict.fromkeys(COMMANDS.values()):  # every registrar once, in order
            _resolve(target)(subparsers)
    for name in COMMANDS:  # the rest by name only: known words, never run from here
        if name not in subparsers.choices:
            subparsers.add_parser(name)
    return parser


def register_core(subparsers: Any) -> None:
    """demo-store, sync, backorders, status, push."""
    demo_store = subparsers.add_parser("demo-store", help="serve the demo store until killed")
    demo_store.set_defaults(handler=lazy("demo", "cmd_demo_store"))
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
    demo_store.add_argument(
        "--scopes",
        type=scope_list,
        default=None,
        metavar="all|SCOPE[,SCOPE...]",
        help="the token's OAuth scopes, e.g. store_v2_products,store_locations_read_only "
        "(default: all)",
    )
    demo_store.add_argument("--default-location", type=non_negative_int, default=None, metavar="ID")
    json_flag(demo_store)

    sync = subparsers.add_parser("sync", help="pull the store into the local cache")
    sync.set_defaults(handler=lazy("commands", "cmd_sync"))
    sync.add_argument("--full", action="store_true", help="re-read everything, not just changes")
    json_flag(sync)

    backorders = subparsers.add_parser("backorders", help="open backorder lines in queue order")
    backorders.set_defaults(handler=lazy("commands", "cmd_backorders"))
    backorders.add_argument("--sku", help="only this SKU")
    json_flag(backorders)

    status = subparsers.add_parser("status", help="last sync, outbox and backorder counts")
    status.set_defaults(handler=lazy("cmd_status", "cmd_status"))
    json_flag(status)

    push = subparsers.add_parser("push", help="send queued changes to BigCommerce now")
    push.set_defaults(handler=lazy("commands", "cmd_push"))
    json_flag(push)
