"""Headless commands over services/, for scripts, scheduled jobs and tests (../shared/CLI.md)."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from .parser import build_parser

log = logging.getLogger("backorder_desktop.cli")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    words = sys.argv[1:] if argv is None else argv
    return build_parser(words).parse_args(words)


def run(args: argparse.Namespace) -> int:
    """Run one headless command: 0 success, 1 a user-facing error (message on stderr)."""
    # Imported here, not above: `--version` and the window's start parse arguments only.
    from ..services.context import open_context
    from ..services.errors import EXPECTED_ERRORS, describe_error
    from ..services.logs import redact
    from .locking import lock_for
    from .output import safe_terminal, terminal_safe

    lock = None
    try:
        open_context(args)  # data dir, settings and logging, once for the whole run
        lock = lock_for(args)  # one writer per data dir: the window or one command
        handler: Any = args.handler
        with safe_terminal():  # store text is printed: no control character reaches the terminal
            return int(handler(args))
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
