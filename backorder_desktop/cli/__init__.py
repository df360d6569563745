"""Headless commands over services/, for scripts, scheduled jobs and tests (../shared/CLI.md)."""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from typing import Any

from ..bigcommerce.errors import BigCommerceError
from ..cache import CacheError
from ..cache.database import cache_error
from ..cache.errors import CacheDiskFullError, is_disk_full
from ..services.instance import AlreadyRunning
from ..services.logs import redact, setup_logging
from ..services.paths import log_dir
from .connection import UserError, data_dir_of
from .locking import is_read_only, lock_for
from .output import safe_terminal, terminal_safe
from .parser import build_parser

log = logging.getLogger("backorder_desktop.cli")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def _start_logging(args: argparse.Namespace) -> None:
    """The log file; a read-only command still runs where the data dir cannot be written
    (a read-only folder or share): it just keeps no log."""
    try:
        setup_logging(log_dir(data_dir_of(args)))
    except OSError:
        if not is_read_only(args):
            raise


def run(args: argparse.Namespace) -> int:
    """Run one headless command: 0 success, 1 a user-facing error (message on stderr)."""
    lock = None
    try:
        _start_logging(args)
        lock = lock_for(args)  # one writer per data dir: the window or one command
        handler: Any = args.handler
        try:
            with (
                safe_terminal()
            ):  # store text is printed: no control character reaches the terminal
                return int(handler(args))
        except sqlite3.DatabaseError as exc:  # past the open: disk full, or a damaged file
            raise cache_error(exc, None) from exc
        except OSError as exc:
            if is_disk_full(exc):
                raise CacheDiskFullError(None, str(exc)) from exc
            raise
    except (
        UserError,
        BigCommerceError,
        CacheError,
        AlreadyRunning,
        ValueError,
        OSError,
    ) as exc:
        message = getattr(exc, "message", None) or str(exc)
        log.warning("%s failed: %s", args.command, message)
        sys.stderr.write(f"Error: {terminal_safe(redact(message))}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        return 130
    finally:
        if lock is not None:
            lock.release()
