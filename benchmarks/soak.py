"""Soak: two laptops on a live store with faults, then check stock, e-mails and outboxes.

`python -m benchmarks.soak [--seconds 600] [--seed 16]` (`make soak`). Live shoppers buy on a
seeded timer; the store answers 5% of requests with 500/503 and drops 2% of connections (half
of them after a write was applied), and applies inventory writes 0.3 s late. Two laptops
(own data dirs, one store) sync, receive deliveries, release, undo releases and send notices
in a seeded random order. At the end, with the faults off, both drain their outboxes; an
uncertain stock change is settled as staff would (the figure that matches the store), and:

- stock: for every variant, on hand - backordered (summed over locations) must equal its start
  + units received - units sold (a receipt's allocation and an undo move units between the two
  figures, never out of them);
- no e-mail reached the sink twice;
- every outbox is empty or each remaining row has a reason.

Figures go to benchmarks/out/soak.json and docs/RELIABILITY.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from backorder_desktop.bigcommerce.errors import BigCommerceError
from backorder_desktop.cache.stock_writes import UNCERTAIN, StockWrites, is_stock_row, row_deltas
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.mail_sink import MailSink
from backorder_desktop.domain.receiving import ReceiptError, ReceiptLine
from backorder_desktop.domain.shipment_rules import InputError
from backorder_desktop.mail.message import NOTICE_ID_HEADER
from backorder_desktop.mail.smtp import PLAIN, SmtpConfig
from backorder_desktop.mail.templates import NoticeRenderer
from backorder_desktop.services.dock.allocations import RECEIPT
from backorder_desktop.services.dock.receiving import (
    commit_receipt,
    new_receipt_id,
    preview_receipt,
)
from backorder_desktop.services.dock.releasing import (
    ready_orders,
    release_orders,
    released_orders,
    undo_release,
)
from backorder_desktop.services.dock.shipments import add_shipment
from backorder_desktop.services.notices.notify import (
    NoticeOptions,
    plan_notices,
    prepare_notices,
    refresh_notice_fields,
    send_notices,
)
from backorder_desktop.services.queue import load_queue
from backorder_desktop.services.sync_control.outbox_view import (
    apply_again,
    confirm_applied,
    outbox_entries,
)
from backorder_desktop.services.sync_control.session import StoreConnection, StoreSession
from backorder_desktop.services.sync_control.syncing import push_outbox, sync_store

from .common import say, write_json

ERROR_RATE, DROP_RATE, AFTER_SHARE = 0.05, 0.02, 0.5
SHOPPERS_PER_MIN = 20.0
INVENTORY_DELAY_S = 0.3
ACTIONS = {"sync": 2, "receive": 3, "release": 2, "undo": 1, "notify": 1, "push": 2}
EXPECTED_ERRORS = (BigCommerceError, InputError, ReceiptError, OSError)


@dataclass
class Laptop:
    name: str
    session: StoreSession
    done: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)


def _figures(store: DemoStore) -> dict[int, int]:
    """on hand - backordered per stock record, summed over locations (module docstring).

    A product tracked by product keeps one stock for all its variants (`stock_variant`): every
    figure in this soak is keyed by the variant whose record holds the stock."""
    out: dict[int, int] = defaultdict(int)
    with store.engine.lock:
        state = store.state
        for (vid, _loc), rec in state.inventory.items():
            if state.stock_variant(vid) == vid:
                out[vid] += rec.on_hand - rec.qty_backordered
    return dict(out)


def _shoppers_aim(store: DemoStore, rng: random.Random) -> list[int]:
    """What the live shoppers buy: every item that can be sold past zero (a backorder limit,
    raised to 20, and at most 2 on hand; the products tracked by product get a limit, as set
    in the control panel) and as many others.

    Shoppers picking from all ~260 items rarely sell past zero, and then receipts have little
    to fill: the soak wants backorders made and filled while both laptops work."""
    state = store.state
    loc = state.default_location_id
    with store.engine.lock:
        for product in state.products.values():
            if product.inventory_tracking == "product" and product.availability != "preorder":
                rec = state.inventory.get((state.stock_variant(product.variant_ids[0]), loc))
                if rec is not None and rec.backorder_limit is None:
                    rec.backorder_limit = 20
        sellable = sorted(
            vid
            for (vid, at), rec in state.inventory.items()
            if at == loc
            and state.products[state.variants[vid].product_id].availability != "preorder"
            and state.products[state.variants[vid].product_id].inventory_tracking != "none"
        )
        past_zero = set()
        for vid in sellable:
            rec = state.inventory[(state.stock_variant(vid), loc)]
            if rec.backorder_limit:
                # Room to sell past zero all along (a limit of 2 is full after one order), and
                # little on hand, so the shoppers reach zero within the run.
                rec.backorder_limit = max(rec.backorder_limit, 20)
                rec.on_hand = min(rec.on_hand, 2)
                past_zero.add(vid)
    others = [v for v in sellable if v not in past_zero]
    return sorted(past_zero) + rng.sample(others, min(len(others), len(past_zero)))


def _keyed(store: DemoStore, by_variant: dict[int, int]) -> dict[int, int]:
    """Per-variant figures added up per stock record (see `_figures`)."""
    out: dict[int, int] = defaultdict(int)
    for vid, n in by_variant.items():
        out[store.state.stock_variant(vid)] += n
    return dict(out)


def _native_variants(laptop: Laptop) -> list[tuple[int, str, int]]:
    """(variant, sku, units waiting) of variants whose every waiting line is native: a
    receipt then moves its units between on hand and backordered only."""
    cache = laptop.session.cache
    native = {
        line.id
        for order in cache.orders.open_orders()
        for line in order.lines
        if line.quantity_backordered is not None
    }
    by_variant: dict[int, list[Any]] = defaultdict(list)
    for line in load_queue(cache):
        by_variant[line.variant_id].append(line)
    out = []
    for vid, lines in sorted(by_variant.items()):
        if all(line.line_id in native for line in lines):
            out.append((vid, lines[0].sku, sum(line.qty_waiting for line in lines)))
    return out


def _receive(laptop: Laptop, rng: random.Random) -> None:
    choices = _native_variants(laptop)
    if not choices:
        return
    vid, sku, waiting = rng.choice(choices)
    qty = max(1, waiting + rng.randint(-1, 3))
    shipment, _ = add_shipment(
        laptop.session.cache,
        supplier="Soak Supply Co",
        expected=date.today() + timedelta(days=5),
        lines=[(sku, qty)],
        reference=f"SOAK-{uuid.uuid4().hex[:8]}",
    )
    lines = [ReceiptLine(sku, qty)]
    plan = preview_receipt(laptop.session.cache, shipment.id, lines).plan
    if not all(a.native for a in plan.allocations):
        # A line without `quantity_backordered` (a web order paid from stock looks like one
        # from before native backorders) is allocated from on hand; that accounting is the
        # domain's rule, not this soak's check: book only receipts that fill native lines.
        laptop.refused["receive: skipped, fills a line without quantity_backordered"] += 1
        return
    commit_receipt(
        laptop.session.cache, shipment.id, lines, receipt_id=new_receipt_id(), allow_over=True
    )


def _release(laptop: Laptop, rng: random.Random) -> None:
    ready = [r.order_id for r in ready_orders(laptop.session.cache)]
    if ready:
        release_orders(laptop.session.cache, rng.sample(ready, min(3, len(ready))))


def _undo(laptop: Laptop, rng: random.Random) -> None:
    released = released_orders(laptop.session.cache)
    if released:
        order, _record = rng.choice(released)
        undo_release(laptop.session.cache, order.id)


def _notify(laptop: Laptop, sink: MailSink) -> None:
    session = laptop.session
    refresh_notice_fields(session)
    plan = plan_notices(session.cache)
    prepared = prepare_notices(
        plan.due, NoticeRenderer(), NoticeOptions(store_name="Soak Outdoor Shop")
    )
    config = SmtpConfig("127.0.0.1", sink.port, PLAIN, sender="orders@soak.example")
    send_notices(session.cache, prepared, config)


def _act(laptop: Laptop, action: str, rng: random.Random, sink: MailSink) -> None:
    try:
        if action == "sync":
            sync_store(laptop.session)
        elif action == "receive":
            _receive(laptop, rng)
        elif action == "release":
            _release(laptop, rng)
        elif action == "undo":
            _undo(laptop, rng)
        elif action == "notify":
            _notify(laptop, sink)
        if action != "sync":
            laptop.session.cache.outbox.due_now()  # staff press "push" / the window refreshes
            push_outbox(laptop.session)
        laptop.done[action] += 1
    except EXPECTED_ERRORS as exc:
        laptop.refused[f"{action}: {type(exc).__name__}"] += 1


def _drain(laptop: Laptop) -> None:
    for _ in range(30):
        laptop.session.cache.outbox.due_now()
        try:
            result = push_outbox(laptop.session)
        except BigCommerceError as exc:
            laptop.refused[f"drain: {type(exc).__name__}: {exc}"[:160]] += 1
            continue
        if result.pending == 0:
            return
    laptop.refused["drain: rows still pending"] += 1


def _settle_uncertain(
    laptops: list[Laptop], store: DemoStore, want: dict[int, int]
) -> tuple[int, dict[int, int]]:
    """Staff look at the store: for the uncertain rows, pick the answers that match it.

    `want`: on hand - backordered expected from the changes counted as applied so far. Returns
    how many rows were settled (negative: no answer matches, left for staff) and what the rows
    confirmed as applied moved.
    """
    rows = [
        (laptop, entry)
        for laptop in laptops
        for entry in outbox_entries(laptop.session.cache)
        if entry.state == UNCERTAIN
    ]
    if not rows:
        return 0, {}
    got = _figures(store)
    moves: list[dict[int, int]] = []
    for laptop, entry in rows:
        row = laptop.session.cache.outbox.get(entry.id)
        move: dict[int, int] = defaultdict(int)
        for d in row_deltas(row) if row is not None else []:
            move[store.state.stock_variant(d.variant_id)] += d.on_hand - d.qty_backordered
        moves.append(dict(move))
    touched = {v for move in moves for v in move}
    for choice in itertools.product((True, False), repeat=len(rows)):
        trial = {v: want.get(v, 0) for v in touched}
        for applied, move in zip(choice, moves, strict=True):
            for v, n in move.items():
                trial[v] += n if applied else 0
        if all(trial[v] == got.get(v, 0) for v in touched):
            extra: dict[int, int] = defaultdict(int)
            for applied, move, (laptop, entry) in zip(choice, moves, rows, strict=True):
                action = confirm_applied if applied else apply_again
                action(laptop.session.cache, [entry.id])
                for v, n in move.items():
                    extra[v] += n if applied else 0
            return len(rows), dict(extra)
    return -len(rows), {}  # no answer matches: reported, never guessed


def _received(laptops: list[Laptop]) -> dict[int, int]:
    """Units accepted per variant, from both laptops' receipt ledgers."""
    out: dict[int, int] = defaultdict(int)
    for laptop in laptops:
        cache = laptop.session.cache
        by_sku = {v.sku: v.id for v in cache.variants.all()}
        for entry in cache.ledger.entries(RECEIPT):
            payload = entry.payload if isinstance(entry.payload, dict) else {}
            for line in payload.get("lines") or []:
                vid = by_sku.get(str(line["sku"]))
                if vid is not None:
                    out[vid] += int(line.get("accepted", 0))
    return dict(out)


def _sent_changes(laptops: list[Laptop]) -> dict[int, int]:
    """on hand - backordered moved by the stock rows both laptops count as applied."""
    out: dict[int, int] = defaultdict(int)
    for laptop in laptops:
        cache = laptop.session.cache
        for row in cache.outbox.rows("sent"):
            if is_stock_row(row):
                for d in row_deltas(row):
                    out[d.variant_id] += d.on_hand - d.qty_backordered
    return dict(out)


def run(
    seconds: float, seed: int, folder: Path, *, delay_s: float = INVENTORY_DELAY_S
) -> dict[str, Any]:
    rng = random.Random(seed)
    store = DemoStore(
        folder / "store",
        seed=seed,
        products=80,
        orders=160,
        inventory_delay_s=delay_s,
    )
    aim = _shoppers_aim(store, rng)
    start_figures = _figures(store)
    with store, MailSink() as sink:
        store.shoppers.start(SHOPPERS_PER_MIN, variants=aim)
        conn = StoreConnection(store.store_hash, store.api_url)
        laptops = [
            Laptop(name, StoreSession(folder / name, conn, store.token))
            for name in ("laptop-1", "laptop-2")
        ]
        for laptop in laptops:
            sync_store(laptop.session)
        store.faults.error_rate, store.faults.drop_rate = ERROR_RATE, DROP_RATE
        store.faults.after_share = AFTER_SHARE
        started = time.monotonic()
        steps = 0
        names, weights = list(ACTIONS), list(ACTIONS.values())
        while time.monotonic() - started < seconds:
            laptop = rng.choice(laptops)
            _act(laptop, rng.choices(names, weights)[0], rng, sink)
            steps += 1
        elapsed = time.monotonic() - started
        requests = len(store.requests)
        faults = sum(1 for r in store.requests if r.status in (0, 500, 503))
        store.shoppers.stop()
        store.faults.clear()
        store.settle()
        for laptop in laptops:
            _drain(laptop)
        store.settle()
        sold: dict[int, int] = defaultdict(int)
        for sale in store.shoppers.sales:
            sold[store.state.stock_variant(sale.variant_id)] += sale.qty
        received = _keyed(store, _received(laptops))
        want = {
            vid: start_figures.get(vid, 0) + received.get(vid, 0) - sold.get(vid, 0)
            for vid in set(start_figures) | set(received) | set(sold)
        }
        moved = _keyed(store, _sent_changes(laptops))
        by_rows = {
            vid: start_figures.get(vid, 0) + moved.get(vid, 0) - sold.get(vid, 0)
            for vid in set(start_figures) | set(moved) | set(sold)
        }
        uncertain, confirmed = _settle_uncertain(laptops, store, by_rows)
        for laptop in laptops:
            _drain(laptop)
        store.settle()
        got = _figures(store)
        wrong = {
            vid: {"want": want.get(vid, 0), "got": got.get(vid, 0)}
            for vid in sorted(set(want) | set(got))
            if want.get(vid, 0) != got.get(vid, 0)
        }
        moved = _keyed(store, _sent_changes(laptops))
        for vid, n in confirmed.items():
            moved[vid] = moved.get(vid, 0) + n
        by_rows = {
            vid: start_figures.get(vid, 0) + moved.get(vid, 0) - sold.get(vid, 0)
            for vid in set(start_figures) | set(moved) | set(sold)
        }
        # Every change a laptop counts as applied is in the store exactly once (the protocol);
        # `stock_wrong` also checks that the changes sent add up to the units received.
        rows_wrong = {
            vid: {"want": by_rows.get(vid, 0), "got": got.get(vid, 0)}
            for vid in sorted(set(by_rows) | set(got))
            if by_rows.get(vid, 0) != got.get(vid, 0)
        }
        mails = Counter((",".join(m.rcpt_tos), m.subject) for m in sink.messages())
        # The same notice twice (its id, on every message) vs. two notices with one subject
        # (e.g. a partial release, then the rest: both "on its way").
        notice_ids = Counter(m.message.get(NOTICE_ID_HEADER, m.id) for m in sink.messages())
        remaining = {
            laptop.name: [
                {"id": e.id, "operation": e.kind, "state": e.state, "reason": e.message}
                for e in outbox_entries(laptop.session.cache)
            ]
            for laptop in laptops
        }
        stock_rows_left = {
            laptop.name: len(StockWrites(laptop.session.cache).all(UNCERTAIN)) for laptop in laptops
        }
        result = {
            "seconds": round(elapsed),
            "seed": seed,
            "inventory_delay_s": delay_s,
            "steps": steps,
            "requests": requests,
            "faults": faults,
            "shopper_orders": len(store.shoppers.sales),
            "units_sold": sum(sold.values()),
            "units_received": sum(received.values()),
            "variants_checked": len(want),
            "stock_wrong": wrong,
            "stock_vs_sent_changes_wrong": rows_wrong,
            "uncertain_settled": uncertain,
            "uncertain_left": stock_rows_left,
            "emails": sum(mails.values()),
            "emails_same_subject_twice": sum(1 for n in mails.values() if n > 1),
            "same_subject": sorted(str(k) for k, n in mails.items() if n > 1)[:10],
            "emails_twice": sum(1 for n in notice_ids.values() if n > 1),
            "outbox_left": remaining,
            "rows_without_reason": sum(
                1 for rows in remaining.values() for r in rows if not r["reason"]
            ),
            "actions": {laptop.name: dict(laptop.done) for laptop in laptops},
            "refused": {laptop.name: dict(laptop.refused) for laptop in laptops},
        }
        for laptop in laptops:
            laptop.session.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--inventory-delay", type=float, default=INVENTORY_DELAY_S)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        result = run(args.seconds, args.seed, Path(tmp), delay_s=args.inventory_delay)
    write_json("soak", result)
    say(json.dumps(result, indent=1, default=str)[:6000])
    ok = (
        not result["stock_wrong"]
        and result["emails_twice"] == 0
        and result["rows_without_reason"] == 0
        and result["uncertain_settled"] >= 0
    )
    say("soak: OK" if ok else "soak: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
