"""`doctor`: read-only checks of the store, a report to read or send to support (exit 1 if not ok)."""

from __future__ import annotations

import argparse
from typing import Any

from ..services.sync_control.doctor import check_store
from .connection import open_session
from .output import print_json


def register(subparsers: Any) -> None:
    from .parser import json_flag  # the parser imports this module: resolve at call time

    cmd = subparsers.add_parser(
        "doctor",
        help="check the store (scopes, backorders, locations, tracking, API accounts, "
        "rate limit, clock); read-only",
    )
    cmd.set_defaults(handler=cmd_doctor)
    json_flag(cmd)


def cmd_doctor(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        report = check_store(session)
    if args.json:
        print_json(report.as_dict())
    else:
        print(report.text())
    return 0 if report.ok else 1
