"""`demo-store`: serve the embedded demo store until interrupted (Ctrl+C or SIGTERM)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from types import FrameType

from ..bigcommerce.transport import is_loopback
from .connection import data_dir_of


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    # SIGTERM ends the serving loop the same way Ctrl+C does: DemoStore.serve_forever stops
    # the server, closes open connections and returns.
    raise KeyboardInterrupt


def cmd_demo_store(args: argparse.Namespace) -> int:
    from ..demo_store import DemoStore
    from ..demo_store.accounts import ALL_SCOPES

    if not is_loopback(args.host):  # a literal loopback address; not even `localhost`
        sys.stderr.write(
            f"Warning: --host {args.host} is not a loopback address: anyone who can reach this "
            "computer on the network can read and change the demo store with the token below, "
            "over plain http.\n"
        )
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
        scopes=args.scopes if args.scopes is not None else ALL_SCOPES,
        default_location=args.default_location,
    )
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        store.start()
        if args.json:
            document = {"api_url": store.api_url, "store_hash": store.store_hash}
            document["token"] = store.token
            sys.stdout.write(json.dumps(document) + "\n")
        else:
            # The contract (CLI.md): api-url, store hash, access token on the first three lines.
            sys.stdout.write(f"{store.api_url}\n{store.store_hash}\n{store.token}\n")
        sys.stdout.flush()
        store.serve_forever()  # returns on Ctrl+C or SIGTERM, the server stopped
    except KeyboardInterrupt:  # one that came before serving began
        pass
    finally:
        store.stop()
        signal.signal(signal.SIGTERM, previous)
    return 0
