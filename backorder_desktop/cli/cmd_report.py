"""CLI: `report`, the Insights figures (../shared/CLI.md), as a summary, JSON or CSV."""

from __future__ import annotations

import argparse
import csv
import sys
from typing import Any

from ..domain.csv_safety import SafeCsvWriter
from ..domain.insights import DEFAULT_NOT_TOLD_DAYS, InsightsReport, report_csv_rows
from ..services.insights import report
from .connection import open_session
from .output import print_json, print_table


def register(subparsers: Any) -> None:
    from .parser import json_flag  # the parser imports this module: resolve at call time

    parser = subparsers.add_parser(
        "report", help="backorder aging, value waiting, overdue shipments, supplier scorecards"
    )
    parser.set_defaults(handler=cmd_report)
    parser.add_argument(
        "--not-told-days",
        type=_days,
        default=DEFAULT_NOT_TOLD_DAYS,
        metavar="N",
        help=f"count customers told nothing for more than N days (default {DEFAULT_NOT_TOLD_DAYS})",
    )
    parser.add_argument("--csv", action="store_true", help="print the figures as CSV")
    json_flag(parser)


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("days cannot be negative")
    return value


def cmd_report(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        figures = report(session.cache, not_told_days=args.not_told_days)
    if args.json:
        print_json(figures.as_dict())
    elif args.csv:
        writer = SafeCsvWriter(csv.writer(sys.stdout, lineterminator="\n"))
        writer.writerows(report_csv_rows(figures))
    else:
        _print_summary(figures)
    return 0


def _print_summary(r: InsightsReport) -> None:
    print(
        f"Revenue at risk: {r.revenue_at_risk:,.2f} {r.currency}; captured on backorder: "
        f"{r.captured_on_backorder:,.2f} {r.currency}."
    )
    print(
        f"{r.customers_waiting} customers waiting, {r.customers_not_told} told nothing for more "
        f"than {r.not_told_days} days; {len(r.overdue_shipments)} shipments overdue."
    )
    print()
    print_table(
        ["Days waiting", "Lines", "Units", "Value"],
        [(b.bucket, b.lines, b.units, f"{b.value:,.2f}") for b in r.aging],
    )
    if r.suppliers:
        print()
        print_table(
            ["Supplier", "On time", "Fill rate", "Avg delay (days)"],
            [
                (
                    s.name,
                    "" if s.on_time_rate is None else f"{s.on_time_rate:.0%}",
                    "" if s.fill_rate is None else f"{s.fill_rate:.0%}",
                    "" if s.avg_delay_days is None else f"{s.avg_delay_days:.1f}",
                )
                for s in r.suppliers
            ],
        )
