"""Notices in the local ledger (claims written before sending) and in order metafields."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain.models import METAFIELD_NAMESPACE
from ..domain.notice_log import (
    NOTICES_KEY,
    RELEASE_KEY,
    NoticeRecord,
    mark_unconfirmed,
    merge_logs,
    parse_log,
)
from ..domain.notices import Release

if TYPE_CHECKING:
    from .database import Cache

# Ledger kinds, all keyed by the notice id in `ref`. A claim is committed BEFORE the email
# goes out; "sent" or "failed" follows the SMTP answer; "recorded" is committed together with
# the outbox rows that publish the notice (metafield, staff note). A claim with neither "sent"
# nor "failed" means the app stopped mid-send: the email may have gone, so it counts as sent.
CLAIM, SENT, FAILED, RECORDED = "notice_claim", "notice_sent", "notice_failed", "notice_recorded"
# Committed once the server has said "go ahead" to DATA, right before the message itself is
# written: a claim marked `two_phase` without it never left the app (an SMTP server discards a
# transaction whose DATA did not end), so it is sent again instead of counting as sent.
DISPATCHED = "notice_dispatched"
NEVER_LEFT = "The app stopped before this email left; it is sent again with the next run."
NOTICE_KINDS = (CLAIM, SENT, FAILED, RECORDED, DISPATCHED)


@dataclass(frozen=True, slots=True)
class LedgerNotice:
    record: NoticeRecord  # `unconfirmed` set when no SMTP answer was ever recorded
    recipient: str
    state: str  # "sent" | "failed" | "unconfirmed"
    recorded: bool
    error: str = ""


class NoticeLedger:
    """The local side of "never twice": claim, outcome, and whether it was published."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache

    def claim(self, record: NoticeRecord, recipient: str) -> None:
        """Committed before sending: from here on the notice counts as (maybe) sent."""
        payload = {**record.to_obj(), "to": recipient, "two_phase": True}
        self._cache.ledger.append(CLAIM, ref=record.id, order_id=record.order_id, payload=payload)

    def mark_dispatched(self, record: NoticeRecord) -> None:
        """Committed right before the message is written to the server (see DISPATCHED)."""
        self._cache.ledger.append(DISPATCHED, ref=record.id, order_id=record.order_id)

    def mark_sent(self, record: NoticeRecord) -> None:
        self._cache.ledger.append(SENT, ref=record.id, order_id=record.order_id)

    def mark_failed(self, record: NoticeRecord, error: str) -> None:
        self._cache.ledger.append(
            FAILED, ref=record.id, order_id=record.order_id, payload={"error": error}
        )

    def mark_recorded(self, notice_ids: list[tuple[str, int]]) -> None:
        """Inside the caller's transaction (with the outbox rows that publish them)."""
        for notice_id, order_id in notice_ids:
            self._cache.ledger.append(RECORDED, ref=notice_id, order_id=order_id)

    def notices(self) -> list[LedgerNotice]:
        with self._cache.read():
            entries = [e for kind in NOTICE_KINDS for e in self._cache.ledger.entries(kind)]
        outcome: dict[str, tuple[str, str]] = {}
        recorded: set[str] = set()
        dispatched: set[str] = set()
        claims = []
        for entry in sorted(entries, key=lambda e: e.id):
            if entry.kind == CLAIM:
                claims.append(entry)
            elif entry.kind == SENT:
                outcome[entry.ref] = ("sent", "")
            elif entry.kind == FAILED:
                error = entry.payload.get("error", "") if isinstance(entry.payload, dict) else ""
                outcome[entry.ref] = ("failed", str(error))
            elif entry.kind == RECORDED:
                recorded.add(entry.ref)
            elif entry.kind == DISPATCHED:
                dispatched.add(entry.ref)
        out: list[LedgerNotice] = []
        for entry in claims:
            if entry.order_id is None:
                continue
            record = NoticeRecord.from_obj(entry.payload, entry.order_id)
            if record is None:
                continue
            two_phase = isinstance(entry.payload, dict) and entry.payload.get("two_phase")
            never_left = two_phase and entry.ref not in dispatched
            default = ("failed", NEVER_LEFT) if never_left else ("unconfirmed", "")
            state, error = outcome.get(entry.ref, default)
            if state == "unconfirmed":
                record = mark_unconfirmed(record)
            recipient = entry.payload.get("to", "") if isinstance(entry.payload, dict) else ""
            out.append(LedgerNotice(record, str(recipient), state, entry.ref in recorded, error))
        return out


def metafield_logs(
    cache: Cache, orders: Collection[int] | None = None
) -> dict[int, list[NoticeRecord]]:
    """Each order's notice log as BigCommerce (so every laptop) has it (`orders`: theirs only)."""
    out: dict[int, list[NoticeRecord]] = {}
    for field in cache.metafields.by_key("order", NOTICES_KEY, namespace=METAFIELD_NAMESPACE):
        if field.resource_id is not None and (orders is None or field.resource_id in orders):
            out[field.resource_id] = parse_log(field.value, field.resource_id)
    return out


def notice_logs(
    cache: Cache,
    ledger: list[LedgerNotice] | None = None,
    *,
    orders: Collection[int] | None = None,
) -> dict[int, list[NoticeRecord]]:
    """Per order: the metafield log merged with this laptop's sent and unconfirmed notices
    (`orders`: only these orders' logs)."""
    local: dict[int, list[NoticeRecord]] = defaultdict(list)
    for notice in ledger if ledger is not None else NoticeLedger(cache).notices():
        if notice.state != "failed" and (orders is None or notice.record.order_id in orders):
            local[notice.record.order_id].append(notice.record)
    shared = metafield_logs(cache, orders)
    return {
        order_id: merge_logs(shared.get(order_id, ()), local.get(order_id, ()))
        for order_id in set(shared) | set(local)
    }


def releases(cache: Cache) -> list[Release]:
    out = []
    for field in cache.metafields.by_key("order", RELEASE_KEY, namespace=METAFIELD_NAMESPACE):
        if field.resource_id is None:
            continue
        release = Release.parse(field.value, field.resource_id)
        if release is not None:
            out.append(release)
    return out
