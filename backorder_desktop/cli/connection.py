"""Turns the global options into a connected store session (real store or embedded demo)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..services.context import AppContext, open_context
from ..services.errors import UserError

if TYPE_CHECKING:
    from ..cache import Cache
    from ..services.sync_control.session import StoreSession

__all__ = ["UserError", "context_of", "data_dir_of", "open_session", "open_store_cache"]

NO_STORE = (
    "No store chosen. Pass --store-hash with your store's hash (the 'abc123' in "
    "https://api.bigcommerce.com/stores/abc123/v3/), or try --demo."
)


def context_of(args: argparse.Namespace) -> AppContext:
    """The run's context (data dir, settings folder, settings), resolved once (cli.run)."""
    return open_context(args, with_logging=False)


def data_dir_of(args: argparse.Namespace) -> Path:
    return context_of(args).data_dir


@contextmanager
def open_store_cache(args: argparse.Namespace) -> Iterator[tuple[str, Cache]]:
    """(store hash, cache) for a command that only reads the cache: no HTTP client and no
    token needed (except with --demo, whose store hash the demo store gives)."""
    if args.demo:
        with open_session(args) as session:
            yield session.connection.store_hash, session.cache
        return
    if not args.store_hash:
        raise UserError(NO_STORE)
    from ..services.instance import open_store_cache as open_file
    from ..services.paths import cache_path, ensure_private_dir

    path = cache_path(data_dir_of(args), args.store_hash)
    ensure_private_dir(path.parent)
    # recover=False: a reader without the data dir lock leaves the outbox to its writer (and
    # waits for the lock only to migrate the file).
    cache = open_file(data_dir_of(args), path, recover=not getattr(args, "read_only", False))
    try:
        yield args.store_hash, cache
    finally:
        cache.close()


@contextmanager
def open_session(args: argparse.Namespace) -> Iterator[StoreSession]:
    # Imported here: a command that only reads the cache needs neither HTTP nor the keychain.
    from ..services.credentials import TOKEN_ENV, get_token, keychain_status
    from ..services.sync_control.session import DEFAULT_API_URL, StoreConnection, StoreSession

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
        raise UserError(NO_STORE)
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
