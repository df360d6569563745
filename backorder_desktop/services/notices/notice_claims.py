"""Claims before notices leave: two laptops pressing Notify at once send each notice once.

Each due notice gets a claim metafield on its order, keyed by what the notice says
(`claim:<kind>:<digest>`), holding this laptop's id and a random nonce. BigCommerce keeps one
metafield per namespace and key on a resource and API account and refuses a second create as
a duplicate (spec README, metafields), so of two laptops creating the same claim only one
succeeds; each then reads the claims back and sends only what holds its own nonce. A laptop on
another API account can create a duplicate: the first claim made (lowest id) is the claim. The local durable claim
of issue 5 (notice ledger) still guards against a crash between send and record.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from backorder_desktop.bigcommerce import operations as ops
from backorder_desktop.bigcommerce import reads
from backorder_desktop.bigcommerce.client import DEFAULT_METAFIELD_PERMISSION, METAFIELD_BATCH
from backorder_desktop.bigcommerce.error_mapping import parse_body
from backorder_desktop.bigcommerce.errors import BigCommerceError, ValidationError
from backorder_desktop.bigcommerce.mapping import map_metafield
from backorder_desktop.cache import Cache
from backorder_desktop.cache.accounts import note_own
from backorder_desktop.domain.models import METAFIELD_NAMESPACE, Metafield
from backorder_desktop.domain.notice_log import CHECK_IN
from backorder_desktop.domain.notices import DueNotice
from backorder_desktop.services.notices.notify import PreparedNotice
from backorder_desktop.services.sync_control.metafield_writes import queue_field_deletes
from backorder_desktop.services.sync_control.session import StoreSession

log = logging.getLogger("backorder_desktop.notices")

CLAIM_PREFIX = "claim:"
CLAIM_KEEP = timedelta(days=7)
LAPTOP_NAMESPACE = "laptop"  # app_state: this data dir's laptop id (random, made once)


def laptop_id(cache: Cache) -> str:
    """A random id for this data dir, made on first use (no name or hostname leaves the PC)."""
    known = cache.app_state.get(LAPTOP_NAMESPACE, "id")
    if known:
        return known
    made = uuid.uuid4().hex[:12]
    cache.app_state.set(LAPTOP_NAMESPACE, "id", made)
    return made


def claim_key(notice: DueNotice, today: date) -> str:
    """Same notice, same key on every laptop: order, kind and what it tells per line."""
    parts: list[Any] = [notice.order_id, notice.kind]
    parts += [[ln.line_id, ln.qty, ln.eta.isoformat() if ln.eta else None] for ln in notice.lines]
    if notice.kind == CHECK_IN:
        parts.append(today.isoformat())  # a check-in is due again another day
    digest = hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:20]
    return f"{CLAIM_PREFIX}{notice.kind}:{digest}"  # well under the 64-character key limit


@dataclass
class ClaimOutcome:
    won: list[PreparedNotice] = field(default_factory=list)
    lost: list[tuple[PreparedNotice, str]] = field(default_factory=list)  # (notice, holder)


def claim_notices(
    session: StoreSession, prepared: Sequence[PreparedNotice], *, now: datetime | None = None
) -> ClaimOutcome:
    """Create the claims, read them back, and return the notices this laptop may send.

    A claim this laptop made earlier (it stopped before sending) is its own again. Errors
    reaching the store propagate: with no claim confirmed, nothing is sent.
    """
    now = now or datetime.now(UTC)
    cache, client = session.cache, session.client
    me = laptop_id(cache)
    nonce = uuid.uuid4().hex
    value = json.dumps({"laptop": me, "nonce": nonce, "at": now.isoformat()})
    keyed = [(claim_key(p.notice, now.date()), p) for p in prepared]
    for start in range(0, len(keyed), METAFIELD_BATCH):
        chunk = keyed[start : start + METAFIELD_BATCH]
        body = [
            {
                "namespace": METAFIELD_NAMESPACE,
                "key": key,
                "value": value,
                "permission_set": DEFAULT_METAFIELD_PERMISSION,
                "resource_id": p.notice.order_id,
            }
            for key, p in chunk
        ]
        try:
            # Sent now, not queued: the claim must be settled before anything is mailed.
            create = ops.encode(ops.metafield_op(ops.CREATE, "order", body))
            created = parse_body(client.request(create.method, create.path, json=create.body))
            _note_own_account(cache, created)
        except ValidationError as exc:
            # 422: some claims exist already (another laptop's, or this one's from before).
            log.info("notice claims: %s", exc.message)
    held = _read_back(session, sorted({key for key, _ in keyed}))
    out = ClaimOutcome()
    for key, p in keyed:
        claim = held.get((p.notice.order_id, key))
        holder = _holder(claim)
        if holder is not None and (holder.get("nonce") == nonce or holder.get("laptop") == me):
            out.won.append(p)
        else:
            out.lost.append((p, str(holder.get("laptop")) if holder else "unknown"))
    if held:
        cache.metafields.upsert(list(held.values()))
    compact_claims(cache, store_now=store_clock_now(session))
    log.info("notice claims: %d won, %d held by another laptop", len(out.won), len(out.lost))
    return out


def _note_own_account(cache: Cache, reply: Any) -> None:
    """The reply to our creates names this laptop's API account (warnings, `doctor`)."""
    data = reply.get("data") if isinstance(reply, dict) else None
    if isinstance(data, list):
        fields = [map_metafield(d, "order") for d in data[:1] if isinstance(d, dict)]
        with cache.transaction():
            note_own(cache, fields)


def store_clock_now(session: StoreSession) -> datetime | None:
    """BigCommerce's clock (the `Date` header of a one-record read), or None if unreadable.

    Claims age by the store's clock: `date_modified` is the store's, and a laptop whose clock
    runs 30 days ahead would otherwise delete every other laptop's claims as old and send
    their notices again.
    """
    params = {"namespace": METAFIELD_NAMESPACE, "key": f"{CLAIM_PREFIX}clock", "limit": 1}
    try:
        response = reads.metafields_page(session.client, "order", params)
    except BigCommerceError as exc:
        log.info("store clock not read (%s): old claims stay for now", exc)
        return None
    header = response.headers.get("date")
    try:
        return parsedate_to_datetime(header) if header else None
    except (TypeError, ValueError):
        return None


def compact_claims(cache: Cache, *, store_now: datetime | None) -> int:
    """Delete claims older than CLAIM_KEEP by the store's clock (their notices are in the
    order's `notices` log by then), so claims never crowd the 250 metafields an order may
    hold per API account. Without the store's clock nothing is deleted. Returns outbox rows
    queued."""
    if store_now is None:
        return 0
    cutoff = store_now - CLAIM_KEEP
    old = [
        m
        for m in cache.metafields.by_key_prefix("order", CLAIM_PREFIX)
        if m.date_modified is not None and m.date_modified < cutoff
    ]
    if not old:
        return 0
    return queue_field_deletes(cache, old, batch_id="claims", kind="notice_claims")


def _holder(claim: Metafield | None) -> dict[str, Any] | None:
    if claim is None:
        return None
    try:
        data = json.loads(claim.value)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _read_back(session: StoreSession, keys: list[str]) -> dict[tuple[int | None, str], Metafield]:
    out: dict[tuple[int | None, str], Metafield] = {}
    for start in range(0, len(keys), METAFIELD_BATCH):
        params = {"namespace": METAFIELD_NAMESPACE, "key:in": ",".join(keys[start : start + 50])}
        for data in reads.metafields(session.client, "order", params):
            m = map_metafield(data, "order")
            # Another API account may hold its own claim with the same key (keys are unique
            # per account, spec README): the first claim made is the claim, whoever made it.
            known = out.get((m.resource_id, m.key))
            if known is None or m.id < known.id:
                out[(m.resource_id, m.key)] = m
    return out
