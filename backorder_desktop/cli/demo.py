"""`demo-store`: serve the embedded demo store until killed."""

from __future__ import annotations

import argparse
import sys

from .connection import data_dir_of


def cmd_demo_store(args: argparse.Namespace) -> int:
    from ..demo_store import DemoStore

    store = DemoStore(
        data_dir=data_dir_of(args),
        seed=args.seed,
        products=args.products,
        orders=args.orders,
        native_backorders=not args.no_native_backorders,
        rate_limit=args.rate_limit,
        latency_ms=args.latency_ms,
        host=args.host,
        port=args.port,
        reset=args.reset,
        live_shoppers=args.live_shoppers,
        inventory_delay_s=args.inventory_delay_s,
    )
    store.start()
    # The contract (CLI.md): api-url, store hash, access token on the first three lines.
    sys.stdout.write(f"{store.api_url}\n{store.store_hash}\n{store.token}\n")
    sys.stdout.flush()
    try:
        store.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        store.stop()
    return 0
