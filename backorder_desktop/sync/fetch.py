"""Fetch for a pull: every listing at once (within the client's requests in flight), in memory."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from ..bigcommerce.typed_pages import ProductPage, StockPage
from ..domain.models import (
    METAFIELD_NAMESPACE,
    OPEN_ORDER_STATUSES,
    InventoryRecord,
    Location,
    Metafield,
    Order,
    Product,
    Variant,
)
from .progress import Pager
from .seen_orders import HeldLater
from .stock_reads import SWEEP_CURSOR, Seen, changed_variants, sweep_due

# Re-read a little before the saved cursor: a record saved in the same second as the newest one
# we saw (V2 dates have whole seconds) or committed late on the store's side is not missed.
OVERLAP = timedelta(seconds=120)
METAFIELD_RESOURCES: tuple[str, ...] = ("variant", "order", "store")
# Progress is reported stage by stage in this order, whatever order the listings finish in.
STAGES: tuple[str, ...] = ("locations", "products", "inventory", "orders", "metafields")
_TICK_S = 0.05  # how often the pulling thread reports progress and checks for a cancel
T = TypeVar("T")
P = TypeVar("P", bound=Sized)


class PullClient(Protocol):
    """What pull needs of `bigcommerce.BigCommerceClient`."""

    @property
    def request_count(self) -> int: ...

    def list_locations(self) -> list[Location]: ...

    def iter_product_pages(
        self, *, modified_since: datetime | None = None, ids: Sequence[int] | None = None
    ) -> Iterator[ProductPage]: ...

    def iter_inventory_pages(
        self, *, variant_ids: Sequence[int] | None = None
    ) -> Iterator[StockPage]: ...

    def iter_orders(
        self,
        *,
        status_ids: Sequence[int],
        modified_since: datetime | None = None,
        unchanged: Mapping[int, datetime] | None = None,
    ) -> Iterator[Order]: ...

    def iter_metafields(
        self, resource_type: str, *, namespace: str, modified_since: datetime | None = None
    ) -> Iterator[Metafield]: ...


@dataclass(slots=True)
class Fetched:
    """Everything one pull read from the store, held in memory until the write; but a part
    streamed to the sink (a first sync's bulk rows) keeps only its products here (their dates
    make the cursor), not its variants or stock records."""

    full: bool
    locations: list[Location] = field(default_factory=list)
    products_full: bool = True
    products: list[Product] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    inventory_full: bool = True  # the whole inventory, else only `inventory_variants`
    inventory_variants: set[int] = field(default_factory=set)
    inventory: list[InventoryRecord] = field(default_factory=list)
    orders_full: bool = True
    orders: list[Order] = field(default_factory=list)
    metafields_full: dict[str, bool] = field(default_factory=dict)
    metafields: dict[str, list[Metafield]] = field(default_factory=dict)
    cursors: dict[str, datetime] = field(default_factory=dict)


class _Stopped(Exception):
    """A listing was told to stop because another failed or the user cancelled."""


class Sink(Seen, Protocol):
    """Where a pull puts what it fetched, part by part ("products", "metafields:order", ...),
    and what the cache has already seen (`stock_reads.Seen`)."""

    def streams(self, part: str) -> bool:
        """Whether `add` takes this part batch by batch as it arrives (on the listing's thread)."""
        ...

    def add(self, part: str, page: Any) -> None:
        """A page of a streamed part: a `ProductPage` or a `StockPage`. Its variants or stock
        records reach only the sink (`Fetched` keeps a streamed listing's products alone)."""
        ...

    def held_orders(self, since: datetime) -> Mapping[int, datetime]:
        """Orders modified since `since` that the cache holds as they are (id: date_modified):
        the listing skips them (`sync.seen_orders`)."""
        ...


@dataclass(slots=True)
class _Listing:
    """One listing run on its own thread: how far it got and how it ended."""

    stage: str
    part: str  # what it fills: "products", "inventory", "metafields:variant", ...
    work: Callable[[_Listing], None]
    count: int = 0
    finished: bool = False
    error: BaseException | None = None
    thread: threading.Thread | None = None
    done: threading.Event = field(default_factory=threading.Event)


class _Run:
    """The listings of one fetch, their threads, and the stop flag they check per record."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.listings: list[_Listing] = []

    def add(self, stage: str, work: Callable[[_Listing], None], part: str = "") -> None:
        self.listings.append(_Listing(stage, part or stage, work))

    def start(self) -> None:
        for listing in self.listings:
            listing.thread = threading.Thread(
                target=self._run, args=(listing,), name=f"pull-{listing.stage}", daemon=True
            )
            listing.thread.start()

    def _run(self, listing: _Listing) -> None:
        try:
            listing.work(listing)
        except _Stopped:
            pass
        except BaseException as exc:  # handed to the pulling thread, which raises it
            listing.error = exc
        finally:
            listing.finished = True
            listing.done.set()
            self.wake.set()

    def each(self, listing: _Listing, items: Iterator[T]) -> Iterator[T]:
        """Yield `items`, counting them; stop (closing the client's page threads) when told."""
        try:
            for item in items:
                if self.stop.is_set():
                    raise _Stopped
                listing.count += 1
                yield item
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    def pages(
        self, listing: _Listing, pages: Iterator[P], size: Callable[[P], int] = len
    ) -> Iterator[P]:
        """`each` a page at a time (counting `size` of each): the bulk listings' 90,000 records
        go by in 76 steps."""
        try:
            for page in pages:
                if self.stop.is_set():
                    raise _Stopped
                listing.count += size(page)
                yield page
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()

    def await_stages(self, *stages: str) -> None:
        """Block a listing until these stages' listings have finished; stop if one failed
        (its own listing raises the error) or the pull is stopping."""
        for listing in self.listings:
            if listing.stage in stages:
                while not listing.done.wait(_TICK_S):
                    if self.stop.is_set():
                        raise _Stopped
                if listing.error is not None:
                    raise _Stopped

    def of(self, stage: str) -> list[_Listing]:
        return [x for x in self.listings if x.stage == stage]

    def first_error(self) -> BaseException | None:
        # In stage order, so that two failures at once always surface the same one.
        for stage in STAGES:
            for listing in self.of(stage):
                if listing.error is not None:
                    return listing.error
        return None

    def halt(self) -> None:
        """Tell every listing to stop and wait until each has (no request outlives the pull).

        Then forget them: their work functions refer back to this run and to the fetched
        records, a reference cycle that would keep every record alive until a full collection
        (and for good once the window freezes what outlives a task, ui/tasks.py).
        """
        self.stop.set()
        for listing in self.listings:
            if listing.thread is not None:
                listing.thread.join()
        for listing in self.listings:
            listing.error = None  # its traceback holds the listing thread's frames
        self.listings = []


def fetch(
    client: PullClient,
    pager: Pager,
    full: bool,
    cursors: dict[str, datetime],
    sink: Sink | None = None,
) -> Fetched:
    """Run every listing concurrently; progress and cancel stay on the calling thread.

    The client bounds the requests in flight (4) across all listings, so starting them together
    only fills the idle slots each listing's page 1 and its last, short pages used to leave;
    mapping a page's JSON runs on the listing's thread while other requests wait on the network.
    Progress is still reported in stage order (each stage once the previous ones are complete),
    and a cancel or any failure stops every listing (and waits for its thread) before it is
    raised. A streamed part reaches the sink batch by batch while it arrives, so the caller can
    stage it while the rest is still on the network; the rest is in the returned `Fetched`.
    """
    out = Fetched(full=full)
    run = _Run()
    pager.check(STAGES[0])
    _plan(run, client, out, cursors, sink)
    run.start()
    try:
        for stage in STAGES:
            _follow(run, pager, stage)
    finally:
        run.halt()  # after success every listing has finished: this only joins the threads
    _finish(out, cursors)
    return out


def _since(cursors: dict[str, datetime], resource: str) -> datetime | None:
    value = cursors.get(resource)
    return value - OVERLAP if value is not None else None


def _plan(
    run: _Run, client: PullClient, out: Fetched, cursors: dict[str, datetime], sink: Sink | None
) -> None:
    # Longest chains first (V2 orders page one after another; V3 listings fan out after page 1),
    # so they get the first free request slots; the one-page listings fill in around them.
    orders_since = _since(cursors, "orders")
    out.orders_full = orders_since is None

    def orders(listing: _Listing) -> None:
        # Orders the cursor's overlap lists again as the cache holds them are skipped unmapped:
        # they name no stock to re-read and have nothing to write.
        held = None
        if sink is not None and orders_since is not None:
            since = orders_since
            held = HeldLater(lambda: sink.held_orders(since))
        try:
            listed = client.iter_orders(
                status_ids=OPEN_ORDER_STATUSES, modified_since=orders_since, unchanged=held
            )
            out.orders = _newest_copies(run.each(listing, listed))
        finally:
            if held is not None:
                held.join()  # a failed request must not leave it reading a closing cache

    products_since = _since(cursors, "products")
    out.products_full = products_since is None

    def products(listing: _Listing) -> None:
        listed = client.iter_product_pages(modified_since=products_since)
        streams = sink is not None and sink.streams("products")
        for page in run.pages(listing, listed):
            out.products.extend(page.products)  # their dates give the cursor
            if streams:
                _add(run, sink, "products", page)  # the variants go to the sink alone
            else:
                out.variants.extend(page.variants())

    now = datetime.now(UTC)
    out.inventory_full = out.full or sweep_due(cursors.get(SWEEP_CURSOR), now)
    if out.inventory_full:
        out.cursors[SWEEP_CURSOR] = now

    def inventory(listing: _Listing) -> None:
        if out.inventory_full:
            listed = client.iter_inventory_pages()
        else:
            # The orders and products changed since the last sync name the variants whose
            # stock moved with them: one filtered listing instead of every page.
            run.await_stages("orders", "products")
            out.inventory_variants = changed_variants(out.orders, out.products, out.variants, sink)
            if not out.inventory_variants:
                return
            listed = client.iter_inventory_pages(variant_ids=sorted(out.inventory_variants))
        streams = sink is not None and sink.streams("inventory")
        for page in run.pages(listing, listed, size=lambda page: len(page.fields)):
            if streams:
                _add(run, sink, "inventory", page)
            else:
                out.inventory.extend(page.records())

    def locations(listing: _Listing) -> None:
        out.locations = client.list_locations()
        listing.count = len(out.locations)

    run.add("orders", orders)
    run.add("products", products)
    run.add("inventory", inventory)
    run.add("locations", locations)
    for resource_type in METAFIELD_RESOURCES:
        key = f"metafields:{resource_type}"
        since = _since(cursors, key)
        out.metafields_full[resource_type] = since is None
        out.metafields[resource_type] = []
        work = _metafield_work(run, client, out, resource_type, since)
        run.add("metafields", work, part=f"metafields:{resource_type}")


def _add(run: _Run, sink: Sink | None, part: str, page: ProductPage | StockPage) -> None:
    if run.stop.is_set():
        raise _Stopped  # the pull is failing or cancelled: write no more
    if sink is not None:
        sink.add(part, page)


def _metafield_work(
    run: _Run, client: PullClient, out: Fetched, resource_type: str, since: datetime | None
) -> Callable[[_Listing], None]:
    def work(listing: _Listing) -> None:
        listed = client.iter_metafields(
            resource_type, namespace=METAFIELD_NAMESPACE, modified_since=since
        )
        out.metafields[resource_type] = [
            m for m in run.each(listing, listed) if m.namespace == METAFIELD_NAMESPACE
        ]

    return work


def _follow(run: _Run, pager: Pager, stage: str) -> None:
    """Report one stage's progress until its listings are complete; raise any failure."""
    listings = run.of(stage)
    reported = -1
    pager.check(stage)
    while True:
        # Clear, then look, then wait: a listing that ends meanwhile sets `wake` after its
        # `finished`, so no end is missed and none costs a tick (an incremental pull's five
        # stages used to wait up to a tick each for listings that had long finished).
        run.wake.clear()
        error = run.first_error()
        if error is not None:
            raise error
        done = sum(x.count for x in listings)
        if all(x.finished for x in listings):
            pager.report(stage, done, done)
            pager.check(stage)
            return
        if done != reported:
            reported = done
            pager.report(stage, done)
        pager.check(stage)
        run.wake.wait(_TICK_S)


def _newest(current: datetime | None, values: Iterator[datetime | None]) -> datetime | None:
    for value in values:
        if value is not None and (current is None or value > current):
            current = value
    return current


def _newest_copies(orders: Iterator[Order]) -> list[Order]:
    latest: dict[int, Order] = {}
    for order in orders:
        # The per-status listings run concurrently: an order whose status changed meanwhile
        # can appear twice; the newer copy wins.
        known = latest.get(order.id)
        if known is None or order.date_modified >= known.date_modified:
            latest[order.id] = order
    return list(latest.values())


def _finish(out: Fetched, cursors: dict[str, datetime]) -> None:
    """Cursors from what was read."""
    # A cursor comes from the store's own dates (the newest record seen), never from this
    # machine's clock, so a laptop with a wrong clock still misses nothing. The store bumps a
    # product's date_modified when one of its variants changes, so the product listing also
    # brings changed variants.
    newest = _newest(cursors.get("products"), (p.date_modified for p in out.products))
    if newest is not None:
        out.cursors["products"] = newest
    newest = _newest(cursors.get("orders"), (o.date_modified for o in out.orders))
    if newest is not None:
        out.cursors["orders"] = newest
    for resource_type, fields in out.metafields.items():
        key = f"metafields:{resource_type}"
        newest = _newest(cursors.get(key), (m.date_modified for m in fields))
        if newest is not None:
            out.cursors[key] = newest
