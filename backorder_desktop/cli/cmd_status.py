"""`status`: the cache alone answers (no HTTP client, no keychain): it must start quickly."""

from __future__ import annotations

import argparse

from ..services.sync_control.status import store_status
from .connection import open_store_cache
from .output import print_json


def cmd_status(args: argparse.Namespace) -> int:
    with open_store_cache(args) as (store_hash, cache):
        status = {"store_hash": store_hash, **store_status(cache)}
    if args.json:
        print_json(status)
    else:
        outbox = status["outbox"]
        print(
            f"Store {status['store_hash']}: last sync {status['last_sync'] or 'never'}; "
            f"{status['backorder_lines']} backorder lines; outbox {outbox['pending']} pending, "
            f"{outbox['failed']} failed."
        )
    return 0
