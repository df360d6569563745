"""Customer notices: what is due, the rendered preview, and sending without ever sending twice.

Never twice: before each email a claim is committed to the local ledger, and once the server
says "go ahead" to DATA a dispatch mark; the SMTP answer then marks it sent or failed. If the
app dies before the dispatch mark, the email never left (the server drops an unfinished DATA)
and it is sent by the next run; after it, the claim counts as sent ("unconfirmed": flagged for
the merchant, never re-sent). Sent and unconfirmed notices
are then published (order metafield `notices`, staff-note line) through the outbox, so other
laptops see them after their next sync; before sending, the order metafields are re-read.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from backorder_desktop.cache import Cache
from backorder_desktop.cache.cancellations import good_news_enabled
from backorder_desktop.cache.notice_ledger import LedgerNotice, NoticeLedger, notice_logs
from backorder_desktop.domain.models import METAFIELD_NAMESPACE
from backorder_desktop.domain.notice_log import (
    CANCELLED,
    CHECK_IN,
    RELEASED,
    NoticeRecord,
    ToldLine,
    told_by_line,
)
from backorder_desktop.domain.notices import (
    DEFAULT_CHECKIN_MAX,
    DueNotice,
    release_told,
    select_due,
)
from backorder_desktop.mail.message import AddressError, build_message
from backorder_desktop.mail.smtp import (
    MailConnectionError,
    MessageRefused,
    SendUncertain,
    SmtpConfig,
    SmtpSender,
)
from backorder_desktop.mail.templates import NoticeRenderer, RenderedMail, notice_context
from backorder_desktop.services.notices.consent import awaiting_cancel
from backorder_desktop.services.notices.notice_records import RecordResult, record_notices
from backorder_desktop.services.notices.reply_ids import keep_message_id
from backorder_desktop.services.queue import QueueState, load_queue_state
from backorder_desktop.services.sync_control.session import StoreSession
from backorder_desktop.sync.pull import OVERLAP

log = logging.getLogger("backorder_desktop.notices")

Progress = Callable[[str, int, int], None]


@dataclass
class NoticePlan:
    due: list[DueNotice]
    unconfirmed: list[LedgerNotice] = field(default_factory=list)  # maybe sent: check these
    state: QueueState | None = None

    @property
    def recipients(self) -> list[str]:
        return sorted({n.email.strip().lower() for n in self.due})

    def only_orders(self, order_ids: Iterable[int]) -> NoticePlan:
        """The notices about these orders (what a filtered or selected list shows)."""
        wanted = set(order_ids)
        due = [n for n in self.due if wanted.intersection(n.order_ids)]
        return NoticePlan(due, self.unconfirmed, self.state)


def count_text(due: Iterable[DueNotice]) -> str:
    """'86 e-mails to 65 customers': one notice is one e-mail, customers are distinct addresses
    (a customer with several orders waiting gets several notices, but one check-in)."""
    notices = list(due)
    emails = len(notices)
    customers = len({n.email.strip().lower() for n in notices})
    e = "1 e-mail" if emails == 1 else f"{emails:,} e-mails"
    c = "1 customer" if customers == 1 else f"{customers:,} customers"
    return f"{e} to {c}"


def plan_notices(
    cache: Cache,
    *,
    checkin_days: int = 0,
    checkin_max: int = DEFAULT_CHECKIN_MAX,
    today: date | None = None,
    state: QueueState | None = None,
    good_news: bool = False,
) -> NoticePlan:
    """Every notice due now (DESIGN.md), from the cache; no network, nothing written."""
    state = state or load_queue_state(cache)
    good_news = good_news or good_news_enabled(cache)
    due = select_due(
        state.queue,
        state.logs,
        orders=state.orders,
        releases=state.releases,
        today=today,
        checkin_days=checkin_days,
        checkin_max=checkin_max,
        policy=state.policy,
        awaiting_cancel=awaiting_cancel(state, today=today),
        cancellations=state.cancellations,
        good_news=good_news,
    )
    unconfirmed = [n for n in state.ledger if n.state == "unconfirmed"]
    return NoticePlan(due, unconfirmed, state)


def line_options(plan: NoticePlan) -> dict[int, str]:
    """Order line id -> the variant's options ("Size: M, Colour: Red") for the notices."""
    orders = plan.state.orders.values() if plan.state is not None else ()
    return {
        line.id: line.option_label for order in orders for line in order.lines if line.option_label
    }


@dataclass(frozen=True)
class NoticeOptions:
    """What the merchant chose in the preview."""

    store_name: str
    intros: Mapping[str, str] = field(default_factory=dict)  # per kind; else the template's
    reason: str = ""  # delay notices: why
    excluded: frozenset[tuple[int, str]] = frozenset()  # (order id, kind) not to send
    store_url: str = ""  # the storefront: each notice links its order
    shop_contact: str = ""
    line_options: Mapping[int, str] = field(default_factory=dict)  # line id -> "Size: M, ..."


@dataclass(frozen=True)
class PreparedNotice:
    notice: DueNotice
    record: NoticeRecord  # what the log will say was told
    mail: RenderedMail
    also: tuple[NoticeRecord, ...] = ()  # a combined check-in: the other orders' records

    @property
    def records(self) -> tuple[NoticeRecord, ...]:
        return (self.record, *self.also)


def _record(notice: DueNotice, now: datetime) -> NoticeRecord:
    return NoticeRecord(
        id=uuid.uuid4().hex,
        order_id=notice.order_id,
        kind=notice.kind,
        sent_at=now,
        eta=notice.eta if notice.kind not in (RELEASED, CANCELLED) else None,
        lines=tuple(ToldLine(line.line_id, line.sku, line.qty, line.eta) for line in notice.lines),
        reply_by=notice.reply_by,
    )


def prepare_notices(
    due: Iterable[DueNotice],
    renderer: NoticeRenderer,
    options: NoticeOptions,
    *,
    now: datetime | None = None,
) -> list[PreparedNotice]:
    """Render each notice not excluded; raises mail.templates.TemplateError on a bad template."""
    now = now or datetime.now(UTC)
    out = []
    for notice in due:
        if notice.key in options.excluded:
            continue
        intro = options.intros.get(notice.kind) or renderer.default_intro(notice.kind)
        context = notice_context(
            notice,
            store_name=options.store_name,
            intro=intro,
            reason=options.reason,
            today=now.date(),
            store_url=options.store_url,
            shop_contact=options.shop_contact,
            options=options.line_options,
        )
        record = _record(notice, now)
        also = tuple(_record(other, now) for other in notice.others)
        out.append(PreparedNotice(notice, record, renderer.render(notice, context), also))
    return out


@dataclass
class SendReport:
    sent: list[PreparedNotice] = field(default_factory=list)
    failed: list[tuple[PreparedNotice, str]] = field(default_factory=list)
    uncertain: list[PreparedNotice] = field(default_factory=list)  # the connection broke
    not_sent: list[PreparedNotice] = field(default_factory=list)  # never tried
    skipped_duplicates: int = 0
    error: str = ""  # why the batch stopped, if it did
    record: RecordResult | None = None


# Room kept free on the cache's disk while sending: a notice's records (claim, dispatch mark,
# the queued order log and staff note) take a few KB; WAL growth and a checkpoint take more.
DISK_RESERVE_BYTES = 5 * 1024 * 1024
DISK_FULL_MESSAGE = (
    "The disk is nearly full: sending stopped so that the record of every e-mail sent can "
    "still be written. Nothing was lost. Free some space and press Notify again; the rest "
    "go then, none twice."
)


def disk_room(cache: Cache, free_bytes: Callable[[], int] | None = None) -> bool:
    """More than DISK_RESERVE_BYTES free where the cache lives (True when unknown)."""
    if free_bytes is None:
        try:
            free = shutil.disk_usage(Path(cache.path).parent).free
        except (OSError, AttributeError, TypeError):
            return True
    else:
        free = free_bytes()
    return free > DISK_RESERVE_BYTES


def _already_told(notice: DueNotice, records: list[NoticeRecord], today: date) -> bool:
    """True when the log already holds this notice (another run sent it since the preview)."""
    if notice.kind in (RELEASED, CANCELLED):
        return release_told(notice.covers, records, notice.kind)
    if notice.kind == CHECK_IN:
        return any(r.sent_at.astimezone(UTC).date() >= today for r in records)
    told = told_by_line(records)
    return all(line.line_id in told and told[line.line_id].eta == line.eta for line in notice.lines)


def send_notices(
    cache: Cache,
    prepared: list[PreparedNotice],
    config: SmtpConfig,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    sender_factory: Callable[[SmtpConfig], SmtpSender] = SmtpSender,
    after_send: Callable[[PreparedNotice], None] | None = None,
    free_bytes: Callable[[], int] | None = None,
) -> SendReport:
    """Send over one SMTP connection; then queue the records (see the module docstring).

    `after_send` runs after each accepted email, before its outcome is written (tests inject
    a crash there).
    """
    report = SendReport()
    if not prepared:
        report.record = record_notices(cache)
        return report
    logs = notice_logs(cache)
    ledger = NoticeLedger(cache)
    today = datetime.now(UTC).date()
    sender = sender_factory(config)
    try:
        sender.open()
    except MailConnectionError as exc:
        report.error = exc.message
        report.not_sent = list(prepared)
        return report
    try:
        for index, item in enumerate(prepared):
            if cancelled is not None and cancelled():
                report.not_sent.extend(prepared[index:])
                report.error = "Sending was cancelled."
                break
            if progress is not None:
                progress("sending notices", index, len(prepared))
            if not disk_room(cache, free_bytes):
                # Stop while the records of what was sent can still be written (the claim,
                # the dispatch mark, the queued log): never an e-mail without its record.
                report.not_sent.extend(prepared[index:])
                report.error = DISK_FULL_MESSAGE
                break
            order_log = logs.setdefault(item.notice.order_id, [])
            if _already_told(item.notice, order_log, today) and all(
                _already_told(other, logs.get(other.order_id, []), today)
                for other in item.notice.others
            ):
                report.skipped_duplicates += 1
                continue
            try:
                message = build_message(
                    sender=config.sender,
                    sender_name=config.sender_name,
                    to=item.notice.email,
                    to_name=item.notice.customer_name,
                    subject=item.mail.subject,
                    text=item.mail.text,
                    html=item.mail.html,
                    notice_id=item.record.id,
                )
            except AddressError as exc:
                report.failed.append((item, str(exc)))
                continue
            for record in item.records:  # committed before the email leaves
                ledger.claim(record, item.notice.email)
                logs.setdefault(record.order_id, []).append(record)
            # Kept with the claim, so a reply to it finds its orders (services/notices/replies.py).
            keep_message_id(cache, message, item.records, item.notice.email)
            try:
                sender.send(message, before_data=partial(_dispatched, ledger, item.records))
            except MessageRefused as exc:
                for record in item.records:
                    ledger.mark_failed(record, exc.message)
                    logs[record.order_id].remove(record)
                report.failed.append((item, exc.message))
                continue
            except SendUncertain as exc:
                # Maybe delivered: the claim stays without outcome (counts as sent, flagged).
                report.uncertain.append(item)
                report.not_sent.extend(prepared[index + 1 :])
                report.error = exc.message
                break
            if after_send is not None:
                after_send(item)
            for record in item.records:
                ledger.mark_sent(record)
            report.sent.append(item)
        if progress is not None:
            progress("sending notices", len(prepared), len(prepared))
    finally:
        sender.close()
    report.record = record_notices(cache)
    log.info(
        "notices: %d sent, %d failed, %d uncertain, %d duplicates skipped",
        len(report.sent),
        len(report.failed),
        len(report.uncertain),
        report.skipped_duplicates,
    )
    return report


def _dispatched(ledger: NoticeLedger, records: tuple[NoticeRecord, ...]) -> None:
    for record in records:
        ledger.mark_dispatched(record)


def refresh_notice_fields(session: StoreSession) -> int:
    """Re-read the order metafields changed since the last sync (other laptops' notices), so
    what they sent is not sent again. Returns how many came back."""
    cache = session.cache
    cursor = cache.sync_state.cursor("metafields:order")
    since = cursor - OVERLAP if cursor is not None else None  # never synced: read them all
    fields = [
        m
        for m in session.client.iter_metafields(
            "order", namespace=METAFIELD_NAMESPACE, modified_since=since
        )
        if m.namespace == METAFIELD_NAMESPACE
    ]
    if fields:
        cache.metafields.upsert(fields)
    return len(fields)
