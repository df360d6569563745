"""`notify [--dry-run]`: send every pending customer notice (../shared/CLI.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from ..mail.smtp import MailError, SmtpConfig
from ..mail.templates import NoticeRenderer, TemplateError
from ..services.notices.mail_setup import load_templates, smtp_config, store_name
from ..services.notices.notify import NoticeOptions, NoticePlan, PreparedNotice
from ..services.notices.notify_now import due_notices, notify_now
from ..services.settings import Settings
from .connection import UserError, context_of, data_dir_of, open_session
from .output import print_json, print_table


def register(subparsers: Any) -> None:
    from .parser import json_flag  # the parser imports this module: resolve at call time

    notify = subparsers.add_parser("notify", help="send every pending customer notice")
    notify.set_defaults(handler=cmd_notify)
    notify.add_argument("--dry-run", action="store_true", help="list the notices, send nothing")
    notify.add_argument("--reason", default="", help="delay notices: the reason customers read")
    json_flag(notify)


def notify_settings(args: argparse.Namespace) -> Settings:
    settings = context_of(args).settings
    overrides = {
        "smtp_host": getattr(args, "smtp_host", None),
        "smtp_port": getattr(args, "smtp_port", None),
        "smtp_user": getattr(args, "smtp_user", None),
        "smtp_security": getattr(args, "smtp_security", None),
        "mail_from": getattr(args, "mail_from", None),
    }
    return replace(settings, **{k: v for k, v in overrides.items() if v is not None})


@contextmanager
def mail_config(args: argparse.Namespace, settings: Settings) -> Iterator[SmtpConfig]:
    if args.demo and not getattr(args, "smtp_host", None):
        # Demo mail goes to the embedded sink and stays in the data dir (the window shows it).
        from ..demo_store.mail_sink import MailSink

        # Demo customers answer some notices: `replies --fetch --demo` reads them.
        with MailSink(data_dir_of(args), auto_replies=True) as sink:
            yield smtp_config(settings, sink=(sink.host, sink.port))
        return
    yield smtp_config(settings)


def _row(item: PreparedNotice) -> dict[str, Any]:
    notice = item.notice
    return {
        "order_id": notice.order_id,
        "kind": notice.kind,
        "to": notice.email,
        "eta": notice.eta,
        "subject": item.mail.subject,
    }


def _unconfirmed(plan: NoticePlan) -> list[dict[str, Any]]:
    return [
        {"order_id": n.record.order_id, "kind": n.record.kind, "to": n.recipient}
        for n in plan.unconfirmed
    ]


def cmd_notify(args: argparse.Namespace) -> int:
    settings = notify_settings(args)
    folder = context_of(args).settings_folder
    with open_session(args) as session, mail_config(args, settings) as config:
        if not args.dry_run:
            try:
                config.check()
            except MailError as exc:
                raise UserError(exc.message) from exc
        try:
            # The templates every laptop of the store shares (this computer's file without them).
            renderer = NoticeRenderer(load_templates(folder, session.cache))
        except TemplateError as exc:
            raise UserError(str(exc)) from exc
        options = NoticeOptions(
            store_name=store_name(config),
            reason=args.reason,
            store_url=settings.store_url,
            shop_contact=settings.shop_contact,
        )
        if args.dry_run:
            due = due_notices(
                session,
                renderer,
                options,
                checkin_days=settings.checkin_days,
                checkin_max=settings.checkin_max,
                strict=False,
            )
            summary: dict[str, Any] = {
                "sent": 0,
                "skipped_duplicates": 0,
                "failed": [],
                "dry_run": True,
                "notices": [_row(p) for p in due.prepared],
                "unconfirmed": _unconfirmed(due.plan),
            }
            _print(args, summary, due.prepared)
            return 0
        # The same use case as the window's Send (services/notices/notify_now.py).
        done = notify_now(
            session,
            config,
            renderer,
            options,
            checkin_days=settings.checkin_days,
            checkin_max=settings.checkin_max,
        )
        report = done.result.report
        unconfirmed = _unconfirmed(done.result.plan)
        for message in done.messages(later="run 'push' later"):
            sys.stderr.write(message + "\n")
    failed = [{**_row(item), "error": error} for item, error in report.failed]
    failed += [{**_row(item), "error": "not sent: " + report.error} for item in report.not_sent]
    summary = {
        "sent": len(report.sent),
        "skipped_duplicates": report.skipped_duplicates,
        "failed": failed,
        "dry_run": False,
        "uncertain": [_row(item) for item in report.uncertain],
        "unconfirmed": unconfirmed,
    }
    _print(args, summary, report.sent)
    if report.error:
        sys.stderr.write(f"Error: {report.error}\n")
    return 1 if failed or report.uncertain or report.error else 0


def _print(args: argparse.Namespace, summary: dict[str, Any], shown: list[PreparedNotice]) -> None:
    if args.json:
        print_json(summary)
        return
    if shown:
        print_table(
            ["Order", "Kind", "To", "ETA", "Subject"],
            [
                (
                    p.notice.order_id,
                    p.notice.kind,
                    p.notice.email,
                    p.notice.eta.isoformat() if p.notice.eta else "unknown",
                    p.mail.subject,
                )
                for p in shown
            ],
        )
        print()
    if summary["dry_run"]:
        print(f"{len(shown)} notices due (dry run: nothing sent).")
    else:
        print(
            f"Sent {summary['sent']} notices; {len(summary['failed'])} failed; "
            f"{summary['skipped_duplicates']} duplicates skipped."
        )
    for item in summary["unconfirmed"]:
        print(
            f"Check: the notice to {item['to']} (order #{item['order_id']}, {item['kind']}) may "
            "have been sent when the app stopped; it will not be sent again."
        )
