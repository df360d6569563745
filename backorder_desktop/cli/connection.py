"""Turns the global options into a connected store session (real store or embedded demo)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..services.credentials import TOKEN_ENV, get_token, keychain_status
from ..services.paths import default_data_dir
from ..services.session import DEFAULT_API_URL, StoreConnection, StoreSession


class UserError(Exception):
    """An error the merchant can act on: printed as a message, exit code 1."""


def data_dir_of(args: argparse.Namespace) -> Path:
    return Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()


@contextmanager
def open_session(args: argparse.Namespace) -> Iterator[StoreSession]:
    data_dir = data_dir_of(args)
    # Set by cli.run: a read-only command runs without the data dir lock (cli/locking.py).
    recover = not getattr(args, "read_only", False)
    if args.demo:
        # Imported here: the demo store is a separate server, only started on request.
        from ..demo_store import DemoStore

        with DemoStore(data_dir=data_dir).start() as store:
            connection = StoreConnection(store.store_hash, store.api_url)
            with StoreSession(data_dir, connection, store.token, recover=recover) as session:
                yield session
        return

    if not args.store_hash:
        raise UserError(
            "No store chosen. Pass --store-hash with your store's hash (the 'abc123' in "
            "https://api.bigcommerce.com/stores/abc123/v3/), or try --demo."
        )
    token = get_token(args.store_hash)
    if not token:
        status = keychain_status()
        raise UserError(
            f"No access token for store '{args.store_hash}'. Connect the store in the window "
            f"(the token goes to your keychain), or set {TOKEN_ENV} for scripts."
            + (f" {status}" if status else "")
        )
    connection = StoreConnection(args.store_hash, args.api_url or DEFAULT_API_URL)
    with StoreSession(data_dir, connection, token, recover=recover) as session:
        yield session
