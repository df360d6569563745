"""The unattended nightly run (sync, then the same notify use case as the window's Send), its
result record (one JSON line per run in the logs) and an HTML preview of what it sent."""

from __future__ import annotations

import html
import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from backorder_desktop.cache.private_files import open_fd, read_text
from backorder_desktop.mail.errors import MailError
from backorder_desktop.mail.smtp import SmtpConfig
from backorder_desktop.mail.templates import NoticeRenderer, TemplateError
from backorder_desktop.services.errors import UserError
from backorder_desktop.services.notices.mail_setup import load_templates, store_name
from backorder_desktop.services.notices.notify import NoticeOptions, PreparedNotice, SendReport
from backorder_desktop.services.notices.notify_now import Notified, notify_now
from backorder_desktop.services.paths import ensure_private_dir, log_dir
from backorder_desktop.services.settings import Settings
from backorder_desktop.services.sync_control.actions import ActionReport
from backorder_desktop.services.sync_control.session import StoreSession
from backorder_desktop.services.sync_control.status import waiting_line_count
from backorder_desktop.services.sync_control.syncing import sync_store

log = logging.getLogger("backorder_desktop.nightly")

RESULTS_FILE = "nightly.jsonl"
PREVIEW_FOLDER = "nightly"


@dataclass
class NightlyRecord:
    """What one run did, as `schedule --show` and the settings dialog tell it."""

    started: str
    finished: str = ""
    store_hash: str = ""
    ok: bool = False
    orders: int = 0  # open orders after the sync
    backorder_lines: int = 0
    sent: int = 0
    failed: int = 0
    skipped_duplicates: int = 0
    notices: list[dict[str, Any]] = field(default_factory=list)  # order, kind, subject
    preview: str | None = None  # the HTML file of this run's notices, in the data dir
    error: str = ""
    notes: list[str] = field(default_factory=list)  # e.g. records left waiting in the outbox

    def summary(self) -> str:
        if not self.ok:
            return f"failed: {self.error}"
        sent = "1 notice" if self.sent == 1 else f"{self.sent} notices"
        text = f"synced {self.orders} open orders, sent {sent}"
        if self.failed:
            text += f", {self.failed} failed"
        return text


def time_crossed(at: str, since: datetime, now: datetime) -> bool:
    """True when the local time `at` ("HH:MM") fell in (since, now]: the window was open when
    the nightly job was due, so the job could not take the data dir and the window runs it."""
    if not at or now <= since:
        return False
    hour, minute = (int(part) for part in at.split(":"))
    day = since.date()
    while day <= now.date():
        due = since.replace(
            year=day.year, month=day.month, day=day.day, hour=hour, minute=minute, second=0,
            microsecond=0,
        )  # fmt: skip
        if since < due <= now:
            return True
        day = date.fromordinal(day.toordinal() + 1)
    return False


def results_path(data_dir: Path) -> Path:
    return log_dir(data_dir) / RESULTS_FILE


def append_record(data_dir: Path, record: NightlyRecord) -> None:
    """One line per run, appended (private file: it names orders)."""
    ensure_private_dir(data_dir)
    ensure_private_dir(log_dir(data_dir))
    line = json.dumps(asdict(record), ensure_ascii=False) + "\n"
    fd = open_fd(results_path(data_dir), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(line)


def last_record(data_dir: Path) -> NightlyRecord | None:
    """The latest run's record (a damaged line is skipped, never fatal)."""
    path = results_path(data_dir)
    if not path.exists():
        return None
    try:
        lines = read_text(path).splitlines()
    except OSError:
        return None
    known = set(NightlyRecord.__dataclass_fields__)
    for line in reversed(lines):
        try:
            raw = json.loads(line)
            return NightlyRecord(**{k: v for k, v in raw.items() if k in known})
        except (ValueError, TypeError):
            continue
    return None


def write_preview(
    data_dir: Path, started: datetime, report: SendReport, store_hash: str
) -> Path | None:
    """The emails of this run as one HTML page (each in its own frame, as the customer saw
    it); None when nothing was sent or tried."""
    tried = [*report.sent, *(item for item, _ in report.failed), *report.uncertain]
    if not tried:
        return None
    folder = ensure_private_dir(data_dir / PREVIEW_FOLDER)
    path = folder / f"{started.strftime('%Y-%m-%dT%H%M%S')}-{store_hash}.html"
    failed = {id(item): error for item, error in report.failed}
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Nightly notices {html.escape(started.isoformat(timespec='minutes'))}</title>",
        "<style>body{font-family:sans-serif;margin:2em}iframe{width:100%;height:28em;"
        "border:1px solid #ccc}</style></head><body>",
        f"<h1>Notices sent unattended, {html.escape(started.strftime('%d %B %Y %H:%M'))}</h1>",
        f"<p>{len(report.sent)} sent, {len(report.failed)} failed.</p>",
    ]
    for item in tried:
        state = f"failed: {failed[id(item)]}" if id(item) in failed else "sent"
        parts.append(_section(item, state))
    parts.append("</body></html>\n")
    fd = open_fd(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("".join(parts))
    return path


def _section(item: PreparedNotice, state: str) -> str:
    notice = item.notice
    head = (
        f"Order #{notice.order_id} · {notice.kind} · to {notice.email} · "
        f"{item.mail.subject} ({state})"
    )
    # srcdoc keeps each email's own styles from leaking into the page (and the reverse).
    return (
        f"<section><h2>{html.escape(head)}</h2>"
        f'<iframe sandbox srcdoc="{html.escape(item.mail.html, quote=True)}"></iframe></section>'
    )


def notices_sender(
    settings: Settings, templates_folder: Path, config: Callable[[], SmtpConfig]
) -> Callable[[StoreSession], ActionReport[Notified]]:
    """The `send` of `run_nightly`: every due notice through notify_now, the window's Send
    (claimed in the store first, never twice), with the saved texts and mail settings.
    `config` is called on the worker (it may read the keychain)."""

    def send(session: StoreSession) -> ActionReport[Notified]:
        smtp = config()
        try:
            smtp.check()
            renderer = NoticeRenderer(load_templates(templates_folder, session.cache))
        except (MailError, TemplateError) as exc:
            raise UserError(getattr(exc, "message", None) or str(exc)) from exc
        options = NoticeOptions(
            store_name=store_name(smtp),
            store_url=settings.store_url,
            shop_contact=settings.shop_contact,
        )
        return notify_now(
            session,
            smtp,
            renderer,
            options,
            checkin_days=settings.checkin_days,
            checkin_max=settings.checkin_max,
        )

    return send


def run_nightly(
    session: StoreSession,
    data_dir: Path,
    send: Callable[[StoreSession], ActionReport[Notified]],
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> NightlyRecord:
    """Sync, then `send` (services.notices.notify_now with the saved mail settings), then record the
    run. A failure is recorded too (then raised), so the merchant sees that last night failed."""
    started = now()
    record = NightlyRecord(
        started=started.isoformat(timespec="seconds"), store_hash=session.connection.store_hash
    )
    try:
        pulled = sync_store(session)
        # The pull counts no queue (sync/pull.py): the waiting lines are counted here.
        record.orders, record.backorder_lines = pulled.orders, waiting_line_count(session.cache)
        done = send(session)
        report = done.result.report
        record.sent = len(report.sent)
        record.failed = len(report.failed) + len(report.uncertain) + len(report.not_sent)
        record.skipped_duplicates = report.skipped_duplicates
        record.notices = [
            {"order_id": p.notice.order_id, "kind": p.notice.kind, "subject": p.mail.subject}
            for p in report.sent
        ]
        preview = write_preview(data_dir, started, report, record.store_hash)
        record.preview = str(preview) if preview else None
        record.error = report.error
        record.notes = done.messages(later="the next sync sends them")
        record.ok = not record.failed and not report.error
    except BaseException as exc:
        record.error = str(getattr(exc, "message", None) or exc) or type(exc).__name__
        raise
    finally:
        record.finished = now().isoformat(timespec="seconds")
        append_record(data_dir, record)
        log.info("nightly run: %s", record.summary())
    return record
