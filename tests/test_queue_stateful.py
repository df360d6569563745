"""A stateful property test of the queue (issue 14): random sequences of shopper orders, syncs,
ETAs, limits, shipments, receipts (a shopper buying between the push's read and its write),
releases and their undo, priorities, partial shipment, closing short, notices, and cancel and
refund (declined refunds, lost answers, no Order Transactions scope), on a real demo store;
the invariants hold after every step, among them the test's own books (queue_books.py): stock
= start + received - sold, refunds only for cancelled units and never twice.

Bounded here (`make test`); `make soak` runs many more and longer sequences
(QUEUE_EXAMPLES, QUEUE_STEPS)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.support.queue_world import World, open_world

EXAMPLES = int(os.environ.get("QUEUE_EXAMPLES", "20"))
STEPS = int(os.environ.get("QUEUE_STEPS", "30"))

picks = st.integers(0, 50)
days = st.integers(-10, 45)
refusals = st.sampled_from([False, False, True])
drops = st.sampled_from([None, None, "before", "after"])


class QueueMachine(RuleBasedStateMachine):
    """Every rule is an action a shopper, the window or the CLI takes."""

    def __init__(self) -> None:
        super().__init__()
        self._worlds = None
        self.world: World | None = None

    @initialize(seed=st.integers(1, 6))
    def open_store(self, seed: int) -> None:
        self._worlds = open_world(seed)
        self.world = next(self._worlds)

    def teardown(self) -> None:
        if os.environ.get("QUEUE_LOG") and self.world is not None:
            print("\n" + " | ".join(self.world.log))  # noqa: T201 (soak runs show what ran)
        if self._worlds is not None:
            self._worlds.close()

    @property
    def w(self) -> World:
        assert self.world is not None
        return self.world

    @rule(pick=picks, qty=st.integers(1, 3))
    def shopper_order(self, pick: int, qty: int) -> None:
        self.w.shopper_order(pick, qty)

    @rule()
    def sync(self) -> None:
        self.w.sync()

    @rule(pick=picks, when=st.none() | days)
    def set_eta(self, pick: int, when: int | None) -> None:
        self.w.set_eta(pick, when)

    @rule(pick=picks, limit=st.integers(0, 12))
    def set_limit(self, pick: int, limit: int) -> None:
        self.w.set_limit(pick, limit)

    @rule(pick=picks, qty=st.integers(1, 8), when=st.none() | days)
    def add_shipment(self, pick: int, qty: int, when: int | None) -> None:
        self.w.add_shipment(pick, qty, when)

    @rule(pick=picks, when=days)
    def move_shipment(self, pick: int, when: int) -> None:
        self.w.move_shipment(pick, when)

    @rule(
        pick=picks,
        accepted=st.none() | st.integers(0, 6),
        rejected=st.integers(0, 2),
        short=st.booleans(),
    )
    def receive(self, pick: int, accepted: int | None, rejected: int, short: bool) -> None:
        self.w.receive(pick, accepted, rejected, short)

    @rule(pick=picks)
    def receive_while_a_shopper_buys(self, pick: int) -> None:
        self.w.receive(pick, None, 0, False, shopper_between=True)

    # Cancel and refund (the window's "Cancel and refund...", the `cancel` CLI): a gateway
    # that declines the refund now and then, a connection dropped on the refund's POST.
    @rule(pick=picks, part=st.none() | st.integers(1, 3), refuse=refusals, lost=drops)
    def cancel_line(self, pick: int, part: int | None, refuse: bool, lost: str | None) -> None:
        self.w.cancel(pick, False, part, refuse, lost)

    @rule(pick=picks, refuse=refusals, lost=drops)
    def cancel_order(self, pick: int, refuse: bool, lost: str | None) -> None:
        self.w.cancel(pick, True, None, refuse, lost)

    @rule(on=st.booleans())
    def order_transactions_scope(self, on: bool) -> None:
        self.w.set_transactions_scope(on)

    @rule(pick=picks)
    def receive_and_release(self, pick: int) -> None:
        self.w.receive_and_release(pick)

    @rule(pick=picks, every=st.booleans())
    def release(self, pick: int, every: bool) -> None:
        self.w.release(pick, every)

    @rule(pick=picks)
    def undo_release(self, pick: int) -> None:
        self.w.undo_release(pick)

    @rule(pick=picks, delta=st.sampled_from([-1, 1, 2]))
    def priority(self, pick: int, delta: int) -> None:
        self.w.priority(pick, delta)

    @rule(pick=picks)
    def allow_partial(self, pick: int) -> None:
        self.w.allow_partial(pick)

    @rule(pick=picks)
    def close_shipment(self, pick: int) -> None:
        self.w.close_shipment(pick)

    @rule(pick=picks, answer=st.sampled_from(["given", "refused"]))
    def answer_consent(self, pick: int, answer: str) -> None:
        self.w.answer_consent(pick, answer)

    @rule()
    def notify(self) -> None:
        self.w.notify()

    @rule(by=st.integers(1, 20))
    def advance_clock(self, by: int) -> None:
        self.w.advance(by)

    @invariant()
    def invariants_hold(self) -> None:
        if self.world is not None:
            self.world.check()


QueueMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    # `make test` replays fixed sequences; `make soak` (QUEUE_RANDOM=1) explores new ones. A
    # random run found "a delay repeating None": notify runs stamped with one instant (fixed in
    # the harness, docs/DECISIONS.md; tests/test_queue_notice_twice.py replays it).
    derandomize=os.environ.get("QUEUE_RANDOM") != "1",
)
TestQueueInvariantsHoldAfterEveryStep = QueueMachine.TestCase
