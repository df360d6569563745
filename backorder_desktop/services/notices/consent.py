"""Consent to delays (issue 19.1): each order's state, answers recorded by staff, the policy.

Answers live in the order metafield `consent` and the policy in the store metafield
`delay_policy`, written through the outbox like the other shared order records, so every
laptop sees the same state after its next sync.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime

from backorder_desktop.bigcommerce.errors import BigCommerceError
from backorder_desktop.cache import Cache
from backorder_desktop.cache.notice_ledger import notice_logs
from backorder_desktop.cache.shared_consent import (
    chosen_policy,
    consent_answers,
    delay_policy,
    set_store_country,
    store_country,
)
from backorder_desktop.domain.consent import (
    ANSWERS,
    CONSENT_KEY,
    POLICY_KEY,
    POLICY_LABELS,
    Answer,
    ConsentStatus,
    consent_status,
    default_policy,
    dump_answers,
)
from backorder_desktop.services.queue import QueueState, load_queue_state
from backorder_desktop.services.sync_control.metafield_writes import FieldWrite, queue_field_writes
from backorder_desktop.services.sync_control.session import StoreSession

log = logging.getLogger("backorder_desktop.consent")
AUTO = "auto"  # the stored choice "follow the store's country"


def consent_by_order(state: QueueState, *, today: date | None = None) -> dict[int, ConsentStatus]:
    """Per open order with a delay told or consent asked: its consent status (orders never
    delayed are left out: their consent is not needed)."""
    today = today or datetime.now(UTC).date()
    out = {}
    for order_id in state.orders:
        log_ = state.logs.get(order_id, ())
        if not log_:
            continue
        status = consent_status(log_, state.answers.get(order_id, ()), today)
        if status.delays:
            out[order_id] = status
    return out


def awaiting_cancel(state: QueueState, *, today: date | None = None) -> set[int]:
    """Orders whose consent expired or was refused: to be cancelled and refunded."""
    return {o for o, status in consent_by_order(state, today=today).items() if status.to_cancel}


def consent_states(cache: Cache, *, today: date | None = None) -> dict[int, str]:
    """Order id -> "asked" | "given" | "refused" | "expired" (orders not listed: not needed).
    Reads only the notice logs and answers, not the whole queue (the CLI's `backorders`)."""
    today = today or datetime.now(UTC).date()
    with cache.read():
        logs = notice_logs(cache)
        answers = consent_answers(cache)
    out = {}
    for order_id, records in logs.items():
        status = consent_status(records, answers.get(order_id, ()), today)
        if status.state is not None:
            out[order_id] = status.state
    return out


def record_consent(
    cache: Cache, order_id: int, state: str, *, source: str = "staff", now: datetime | None = None
) -> ConsentStatus:
    """Record the customer's answer ("given" or "refused") to the latest consent request of
    an order, queued for the store; returns the order's consent status afterwards.

    An answer recorded when no request is open is kept, but consent to one delay is not
    consent to the next: only answers after the latest request count (domain.consent).
    """
    if state not in ANSWERS:
        raise ValueError(f"A consent answer is one of {', '.join(ANSWERS)}, not {state!r}.")
    now = now or datetime.now(UTC)
    with cache.transaction():
        if cache.orders.get(order_id) is None:
            raise ValueError(f"Order #{order_id} is not in the local cache (closed or not synced).")
        queue_state = load_queue_state(cache, today=now.date())
        answers = list(consent_answers(cache).get(order_id, []))
        before = consent_status(queue_state.logs.get(order_id, ()), answers, now.date())
        answers.append(Answer(state, now, source or "staff", before.request))
        queue_field_writes(
            cache,
            [FieldWrite("order", order_id, CONSENT_KEY, dump_answers(answers))],
            batch_id=f"consent:{uuid.uuid4().hex[:8]}",
            kind="consent",
        )
        log.info("order %s: consent %s (%s)", order_id, state, source)
        return consent_status(queue_state.logs.get(order_id, ()), answers, now.date())


# --- the delay policy ---------------------------------------------------------------------------


def policy_choice(cache: Cache) -> tuple[str | None, str, str | None]:
    """(the merchant's choice or None for "follow the country", the policy in force, the
    store's country as last read)."""
    return chosen_policy(cache), delay_policy(cache), store_country(cache)


def set_delay_policy(cache: Cache, policy: str | None) -> str:
    """Choose "us" or "none", or None to follow the store's country (stored as "auto"); queued
    for the store so every laptop asks for consent alike. Returns the policy in force."""
    if policy is not None and policy not in POLICY_LABELS:
        raise ValueError(f"A delay policy is one of {', '.join(POLICY_LABELS)}, not {policy!r}.")
    with cache.transaction():
        if policy != chosen_policy(cache):
            queue_field_writes(
                cache,
                [FieldWrite("store", None, POLICY_KEY, policy or AUTO)],
                batch_id=f"policy:{uuid.uuid4().hex[:8]}",
                kind="policy",
            )
    return delay_policy(cache)


def describe_default(country: str | None) -> str:
    """'the store's country (United States): US rule' for the settings."""
    label = POLICY_LABELS[default_policy(country)]
    return f"the store's country ({country or 'unknown'}): {label}"


def refresh_store_country(session: StoreSession, *, force: bool = False) -> str | None:
    """Read the store's country once (V3 store locale settings) unless it is known; a store
    that does not answer (no scope, offline) keeps what was known, and the policy follows."""
    cache = session.cache
    known = store_country(cache)
    if known is not None and not force:
        return known
    try:
        country = session.client.store_country()
    except BigCommerceError as exc:
        log.warning("store country not read: %s", exc)
        return known
    if country:
        set_store_country(cache, country)
    return country or known
