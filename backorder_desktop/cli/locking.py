"""Which commands write (they hold the data dir lock) and taking it for them."""

from __future__ import annotations

import argparse
import sys

from ..services.context import open_context
from ..services.instance import DataDirLock, lock_wait_s

# Commands that only read the cache run beside the window; everything else waits for the lock.
_READ_ONLY = frozenset({"backorders", "status", "report", "demo-store", "doctor"})
_READ_ONLY_ACTIONS = frozenset({("shipments", "list"), ("conflicts", "list"), ("schedule", "show")})


def is_read_only(args: argparse.Namespace) -> bool:
    if args.command in _READ_ONLY or getattr(args, "dry_run", False):
        return True
    action = getattr(args, f"{args.command}_command", None)
    return (args.command, action) in _READ_ONLY_ACTIONS


def lock_for(args: argparse.Namespace) -> DataDirLock | None:
    """The held lock for a writing command (None for a reader); raises AlreadyRunning after
    waiting BACKORDER_LOCK_WAIT_S seconds (default 10) for the window or another command."""
    args.read_only = is_read_only(args)
    if args.read_only:
        return None
    if args.command == "schedule" and getattr(args, "schedule_command", None) == "run":
        return None  # the nightly run takes the lock itself, to record a night it could not
    lock = DataDirLock(open_context(args, with_logging=False).data_dir)
    if lock.acquire():
        return lock
    wait = lock_wait_s()
    if wait > 0:
        sys.stderr.write("Another Backorder Desktop is using this data dir; waiting...\n")
    return lock.hold(wait)
