"""Entry point: a command runs headless; no command opens the window."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from .cli import parse_args, run

    args = parse_args(argv)
    if args.command:
        return run(args)
    from .app import run_gui

    return run_gui(args)


if __name__ == "__main__":
    sys.exit(main())
