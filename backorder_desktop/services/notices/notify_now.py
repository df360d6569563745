"""Notify now, for window and CLI alike: re-read other laptops' notices, plan, render, claim,
send, push. One function, so "never twice, from any laptop" holds for both front ends."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace

from backorder_desktop.bigcommerce.errors import BigCommerceError
from backorder_desktop.mail.smtp import SmtpConfig
from backorder_desktop.mail.templates import NoticeRenderer
from backorder_desktop.services.errors import UserError, describe_error
from backorder_desktop.services.notices.notice_claims import claim_notices
from backorder_desktop.services.notices.notify import (
    DEFAULT_CHECKIN_MAX,
    NoticeOptions,
    NoticePlan,
    PreparedNotice,
    SendReport,
    line_options,
    plan_notices,
    prepare_notices,
    refresh_notice_fields,
    send_notices,
)
from backorder_desktop.services.sync_control.actions import ActionReport, run_action
from backorder_desktop.services.sync_control.session import StoreSession


@dataclass
class DueNotices:
    """What would be sent now (a dry run, or the first half of `notify_now`)."""

    plan: NoticePlan
    prepared: list[PreparedNotice] = field(default_factory=list)
    refresh_error: str = ""  # the store could not be checked for other laptops' notices
    matched: int = 0  # due notices among those asked for (all due ones without `only`)


def due_notices(
    session: StoreSession,
    renderer: NoticeRenderer,
    options: NoticeOptions,
    *,
    checkin_days: int = 0,
    checkin_max: int = DEFAULT_CHECKIN_MAX,
    only: Collection[str] | None = None,
    strict: bool = True,
) -> DueNotices:
    """Re-read the notices other laptops sent, plan what is due and render it. `only`: the
    notice keys the merchant previewed and kept. `strict` (when sending): a store that cannot
    be checked stops here with a UserError; otherwise it is reported in `refresh_error`."""
    refresh_error = ""
    try:
        refresh_notice_fields(session)
    except BigCommerceError as exc:
        if strict:
            raise UserError(
                f"{describe_error(exc)} Notices are sent only when the store can be checked "
                "for notices other computers sent."
            ) from exc
        refresh_error = describe_error(exc)
    plan = plan_notices(session.cache, checkin_days=checkin_days, checkin_max=checkin_max)
    due = plan.due if only is None else [n for n in plan.due if n.key in only]
    # Each line's options ("Size: M") come from this plan's orders, unless the caller gave them.
    options = replace(options, line_options={**line_options(plan), **options.line_options})
    return DueNotices(plan, prepare_notices(due, renderer, options), refresh_error, len(due))


@dataclass
class Notified:
    """What was sent, and the plan it came from (its `unconfirmed` notices need checking)."""

    report: SendReport
    plan: NoticePlan


def notify_now(
    session: StoreSession,
    config: SmtpConfig,
    renderer: NoticeRenderer,
    options: NoticeOptions,
    *,
    checkin_days: int = 0,
    checkin_max: int = DEFAULT_CHECKIN_MAX,
    only: Collection[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ActionReport[Notified]:
    """Send every due notice (or those of `only` still due) exactly once across laptops:
    each is claimed in BigCommerce and read back before its email goes, and the records
    are pushed at the end. Notices no longer due or claimed by another laptop are counted in
    `skipped_duplicates`."""

    def send(_session: StoreSession) -> Notified:
        due = due_notices(
            session,
            renderer,
            options,
            checkin_days=checkin_days,
            checkin_max=checkin_max,
            only=only,
            strict=True,
        )
        try:
            # Claimed in BigCommerce and read back first: another laptop may be sending now.
            claims = claim_notices(session, due.prepared)
        except BigCommerceError as exc:
            raise UserError(
                f"{describe_error(exc)} Nothing was sent: notices are sent only once they are "
                "claimed in the store, so that two computers never send the same one."
            ) from exc
        report = send_notices(
            session.cache, claims.won, config, progress=progress, cancelled=cancelled
        )
        no_longer_due = len(only) - due.matched if only is not None else 0
        report.skipped_duplicates += len(claims.lost) + max(0, no_longer_due)
        return Notified(report, due.plan)

    return run_action(session, send)
