"""Headless commands over services/, for scripts, scheduled jobs and tests (../shared/CLI.md)."""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from typing import Any

from .parser import build_parser

log = logging.getLogger("backorder_desktop.cli")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    words = sys.argv[1:] if argv is None else argv
    return build_parser(words).parse_args(words)


def _open_context(args: argparse.Namespace) -> None:
    """Data dir, settings and the log file; a read-only command still runs where the log folder
    cannot be made (a read-only folder or share): it just keeps no log. The data dir itself must
    still be the user's alone (others could plant files there)."""
    from ..cache.private_files import check_private_dir
    from ..services.context import open_context
    from .locking import is_read_only

    try:
        open_context(args)
    except OSError:
        if not is_read_only(args):
            raise
        context = open_context(args, with_logging=False)
        if context.data_dir.exists():
            check_private_dir(context.data_dir)


def run(args: argparse.Namespace) -> int:
    """Run one headless command: 0 success, 1 a user-facing error (message on stderr)."""
    # Imported here, not above: `--version` and the window's start parse arguments only.
    from ..cache.database import cache_error
    from ..cache.errors import CacheDiskFullError, is_disk_full
    from ..services.errors import EXPECTED_ERRORS, describe_error
    from ..services.logs import redact
    from .locking import lock_for
    from .output import safe_terminal, terminal_safe

    lock = None
    try:
        _open_context(args)  # data dir, settings and logging, once for the whole run
        lock = lock_for(args)  # one writer per data dir: the window or one command
        handler: Any = args.handler
        try:
            # Store text is printed: no control character reaches the terminal.
            with safe_terminal():
                return int(handler(args))
        except sqlite3.DatabaseError as exc:  # past the open: disk full, or a damaged file
            raise cache_error(exc, None) from exc
        except OSError as exc:
            if is_disk_full(exc):
                raise CacheDiskFullError(None, str(exc)) from exc
            raise
    except EXPECTED_ERRORS as exc:
        message = describe_error(exc)
        log.warning("%s failed: %s", args.command, message)
        sys.stderr.write(f"Error: {terminal_safe(redact(message))}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        return 130
    finally:
        if lock is not None:
            lock.release()
